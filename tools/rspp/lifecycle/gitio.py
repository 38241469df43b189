"""Read files of a git ref straight from the object database (for ``check --against REF``).

Every git call runs without a terminal (no credential prompt can hang it), with a timeout,
and with refs checked so git cannot read them as options or ranges. Works in shallow clones
and detached HEADs: a base ref missing locally is fetched (one commit deep when shallow).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rspp.core.errors import RsppError

GIT_TIMEOUT = 120.0  # seconds, for every git subprocess
_REGULAR_MODES = frozenset({"100644", "100755"})
_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_FETCHABLE = re.compile(r"[A-Za-z0-9._/-]+")  # a plain ref name: no ~ ^ @ { } * ? [ \
# Variables that point git at another repository or index are dropped (as pre-commit does);
# these ones describe how to reach remotes and which config to read, so they are kept.
_KEEP_ENV = frozenset({
    "GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT", "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY", "GIT_HTTP_PROXY_AUTHMETHOD", "GIT_ALLOW_PROTOCOL",
    "GIT_PROTOCOL_FROM_USER", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_COUNT", "GIT_CEILING_DIRECTORIES",
})


class GitError(RsppError):
    """git could not answer: not a repository, unknown ref, failed fetch, missing object."""

    code = "GIT001"


@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: str  # repository-relative, POSIX
    blob: str  # object id (hex)
    mode: str  # "100644" or "100755"


def _env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") or k in _KEEP_ENV or k.startswith("GIT_CONFIG_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="", SSH_ASKPASS="", **extra)
    return env


def _first_line(data: bytes) -> str:
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[0] if lines else "no message"


def _check_ref(ref: str) -> None:
    if (not ref or ref.startswith("-") or ".." in ref or ":" in ref
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in ref)):
        raise GitError(f"refusing git ref {ref!r}: it could be read as an option or a range",
                       "pass a branch, tag or commit id (no leading '-', '..', ':' or spaces)")


def _run(cwd: Path, args: Sequence[str], *, stdin: bytes = b"",
         extra_env: Mapping[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """Run git; return (exit code, stdout, stderr). GitError if it cannot run or times out."""
    try:
        # A new session has no controlling terminal: ssh cannot prompt either.
        proc = subprocess.Popen(["git", *args], cwd=cwd, env=_env(extra_env or {}),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except FileNotFoundError as exc:
        if exc.filename == "git" or cwd.is_dir():
            raise GitError("git is not installed (not found on PATH)",
                           "install git and make sure it is on PATH") from None
        raise GitError(f"{cwd} does not exist", "pass a directory inside a git work tree") \
            from None
    except NotADirectoryError:
        raise GitError(f"{cwd} is not a directory",
                       "pass a directory inside a git work tree") from None
    try:
        out, err = proc.communicate(stdin, timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)  # git and whatever it started (ssh, helpers)
        proc.communicate()
        raise GitError(f"git {args[0]} did not finish within {GIT_TIMEOUT:g} s",
                       "check that the remote is reachable without a password prompt") \
            from None
    return proc.returncode, out, err


def _parse_batch(data: bytes, expected: list[tuple[str, int]], remedy: str) -> dict[str, bytes]:
    """Split `git cat-file --batch` output: ``<oid> <type> <size>\\n<content>\\n`` per id."""
    contents: dict[str, bytes] = {}
    pos = 0
    for oid, size in expected:
        end = data.find(b"\n", pos)
        header = data[pos:end].decode("ascii", "replace").split(" ")
        if end < 0 or header != [oid, "blob", str(size)] or len(data) < end + size + 2:
            raise GitError(f"unexpected answer from git cat-file for {oid}", remedy)
        contents[oid] = data[end + 1:end + 1 + size]
        pos = end + size + 2  # the content is followed by a newline
    return contents


class GitRepo:
    """A git work tree; reads commits and blobs without touching the working files."""

    top: Path

    def __init__(self, root: Path) -> None:
        code, out, err = _run(Path(root), ["rev-parse", "--show-toplevel"])
        if code != 0 or not out.strip():
            raise GitError(f"{root} is not inside a usable git work tree: {_first_line(err)}",
                           "run inside a clone of the repository; if another user owns it: "
                           "git config --global --add safe.directory <its path>")
        self.top = Path(os.fsdecode(out.rstrip(b"\n")))

    def _git(self, args: Sequence[str], remedy: str, *, stdin: bytes = b"",
             extra_env: Mapping[str, str] | None = None) -> bytes:
        code, out, err = _run(self.top, args, stdin=stdin, extra_env=extra_env)
        if code != 0:
            raise GitError(f"git {args[0]} failed in {self.top}: {_first_line(err)}", remedy)
        return out

    def head(self) -> tuple[str, str]:
        """The commit HEAD names (40 hex) and its committer time (strict ISO 8601, as the
        commit records it: ``2026-11-30T12:00:00+01:00``)."""
        out = self._git(["log", "-1", "--format=%H %cI", "HEAD"],
                        "make a commit first: publishing records the commit it publishes")
        commit, _, when = out.decode("ascii", "replace").strip().partition(" ")
        if not _OID.fullmatch(commit):
            raise GitError(f"git log printed no commit in {self.top}", "check git status")
        return commit, when

    def is_shallow(self) -> bool:
        out = self._git(["rev-parse", "--is-shallow-repository"], "check the clone with git status")
        return out.strip() == b"true"

    def _commit_of(self, name: str) -> str | None:
        code, out, _ = _run(self.top, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                                       f"{name}^{{commit}}"])
        oid = out.decode("ascii", "replace").strip()
        return oid if code == 0 and _OID.fullmatch(oid) else None

    def _remotes(self) -> list[str]:
        out = self._git(["remote"], "check the remotes with git remote -v")
        names = out.decode("utf-8", "replace").split()
        return sorted(names, key=lambda n: (n != "origin", n))

    def _fetch_plan(self, ref: str, remotes: list[str]) -> tuple[str, str, str] | None:
        """(remote, refspec, name to resolve afterwards), or None when fetching cannot help."""
        if not remotes or not _FETCHABLE.fullmatch(ref) or ref.endswith("/") or ref == "HEAD":
            return None
        if _OID.fullmatch(ref):
            return remotes[0], ref, ref
        for remote in sorted(remotes, key=len, reverse=True):
            for prefix in (f"refs/remotes/{remote}/", f"{remote}/"):
                if ref.startswith(prefix) and len(ref) > len(prefix):
                    branch = ref[len(prefix):]
                    tracking = f"refs/remotes/{remote}/{branch}"
                    return remote, f"+refs/heads/{branch}:{tracking}", tracking
        return remotes[0], ref, "FETCH_HEAD"

    def resolve(self, ref: str, *, fetch: bool = True) -> str:
        """The full commit id of ``ref`` (tags peeled); fetched from the remote if missing."""
        _check_ref(ref)
        oid = self._commit_of(ref)
        if oid is not None:
            return oid
        shallow = self.is_shallow()
        remotes = self._remotes()
        plan = self._fetch_plan(ref, remotes)
        detail = ""
        if fetch and plan is not None:
            remote, refspec, after = plan
            args = ["fetch", "--no-tags", "--quiet", "--no-recurse-submodules"]
            args += ["--depth=1"] if shallow else []
            code, _, err = _run(self.top, [*args, "--end-of-options", remote, refspec])
            oid = self._commit_of(after) if code == 0 else None
            if oid is not None:
                return oid
            detail = f"; fetching it from {remote} failed: {_first_line(err)}"
        if remotes and plan is not None and not _OID.fullmatch(ref):
            oid = self._commit_of(f"refs/remotes/{remotes[0]}/{ref}")  # as `git checkout` would
            if oid is not None:
                return oid
        kind = "a shallow clone" if shallow else "a full clone"
        cause = f"cannot resolve git ref {ref!r} to a commit in {self.top} ({kind}){detail}"
        if plan is None and remotes and shallow:
            remedy = "fetch more history: git fetch --deepen=N, or check out with fetch-depth: 0"
        elif plan is None or not remotes:
            remedy = "check the name; add the remote that has it, or create it locally"
        else:
            branch = plan[1].rsplit(":", 1)[0].removeprefix("+refs/heads/")
            remedy = (f"check the name, or fetch the base branch: git fetch {plan[0]} {branch}, "
                      "or check out with fetch-depth: 0")
        raise GitError(cause.replace("\n", " "), remedy)

    def tree(self, commit: str, prefixes: Sequence[str]) -> dict[str, TreeEntry]:
        """Regular files of ``commit`` under ``prefixes`` (all when empty), by path."""
        _check_ref(commit)
        # After --end-of-options every word is the tree or a path: a "--" would be a path too.
        out = self._git(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit,
                         *prefixes], f"resolve the commit first (is {commit!r} a commit?)",
                        extra_env={"GIT_LITERAL_PATHSPECS": "1"})
        entries: dict[str, TreeEntry] = {}
        for record in out.split(b"\0"):
            meta, tab, raw_path = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split(" ")
            if not tab or len(fields) != 3 or fields[0] not in _REGULAR_MODES:
                continue  # trailing empty record, symlink (120000), submodule (160000)
            path = raw_path.decode("utf-8", "surrogateescape")
            entries[path] = TreeEntry(path=path, blob=fields[2], mode=fields[0])
        return entries

    def read_blobs(self, ids: Iterable[str], *, max_bytes: int = 1 << 20,
                   bounds: Mapping[str, int] | None = None) -> dict[str, bytes | None]:
        """Contents by id; None for blobs over ``max_bytes``, or over their own bound in
        ``bounds`` (id -> bytes; the lock's is larger than an artifact's). Two git processes
        in all."""
        wanted = list(dict.fromkeys(ids))
        for oid in wanted:
            if not _OID.fullmatch(oid):
                raise GitError(f"not a full lowercase object id: {oid!r}",
                               "pass ids as listed by GitRepo.tree()")
        if not wanted:
            return {}
        remedy = "the clone may be partial or damaged: git fetch, then git fsck"
        listing = self._git(["cat-file", "--batch-check"], remedy,
                            stdin="".join(f"{oid}\n" for oid in wanted).encode())
        lines = listing.decode("ascii", "replace").splitlines()
        if len(lines) != len(wanted):
            raise GitError(f"git cat-file answered {len(lines)} of {len(wanted)} ids", remedy)
        sizes: dict[str, int] = {}
        for oid, line in zip(wanted, lines, strict=True):
            fields = line.split(" ")
            if len(fields) != 3 or fields[0] != oid:
                raise GitError(f"git object {oid} is missing from {self.top}", remedy)
            if fields[1] != "blob":
                raise GitError(f"git object {oid} is a {fields[1]}, not a file's blob",
                               "pass ids as listed by GitRepo.tree()")
            sizes[oid] = int(fields[2])
        bound = bounds or {}
        small = [oid for oid in wanted if sizes[oid] <= bound.get(oid, max_bytes)]
        result: dict[str, bytes | None] = dict.fromkeys(wanted)
        if small:
            data = self._git(["cat-file", "--batch"], remedy,
                             stdin="".join(f"{oid}\n" for oid in small).encode())
            result.update(_parse_batch(data, [(oid, sizes[oid]) for oid in small], remedy))
        return result

    def changed(self, commit: str, prefixes: Sequence[str]) -> set[str]:
        """Paths under ``prefixes`` whose working-tree content differs from ``commit``:
        modified, added (untracked included) or deleted."""
        remedy = "check the work tree with git status"
        diff = self._git(["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff",
                          commit, "--", *prefixes], remedy)
        others = self._git(["ls-files", "--others", "--exclude-standard", "-z", "--",
                            *prefixes], remedy)
        return {p.decode("utf-8", "surrogateescape")
                for p in (diff + others).split(b"\0") if p}

    def is_ancestor(self, commit: str, of: str = "HEAD") -> bool | None:
        """Whether ``commit`` is an ancestor of ``of``; None when history is too shallow to say."""
        code, _, _ = _run(self.top, ["merge-base", "--is-ancestor", commit, of])
        if code == 0:
            return True
        if code == 1:
            return None if self.is_shallow() else False
        return None

    def commits(self, commit: str, prefixes: Sequence[str], *, limit: int = 2000) -> list[str]:
        """Commits reachable from ``commit`` that touch ``prefixes``, newest first (at most
        ``limit``); in a shallow clone only those it holds."""
        _check_ref(commit)
        out = self._git(["rev-list", f"--max-count={limit}", "--end-of-options", commit, "--",
                         *prefixes], f"resolve the commit first (is {commit!r} a commit?)",
                        extra_env={"GIT_LITERAL_PATHSPECS": "1"})
        return [line for line in out.decode("ascii", "replace").split() if _OID.fullmatch(line)]

    def unshallow(self) -> bool:
        """Fetch the whole history of a shallow clone from its first remote; True when the
        clone is complete afterwards."""
        remotes = self._remotes()
        if not self.is_shallow():
            return True
        if not remotes:
            return False
        code, _, _ = _run(self.top, ["fetch", "--unshallow", "--no-tags", "--quiet",
                                     "--no-recurse-submodules", "--end-of-options", remotes[0]])
        return code == 0 and not self.is_shallow()

    def read_files(self, commit: str, prefixes: Sequence[str], *, max_bytes: int = 1 << 20
                   ) -> dict[str, bytes | None]:
        """Path -> content at ``commit`` (None when larger than ``max_bytes``)."""
        entries = self.tree(commit, prefixes)
        blobs = self.read_blobs((e.blob for e in entries.values()), max_bytes=max_bytes)
        return {path: blobs[entry.blob] for path, entry in entries.items()}

"""Shared helpers for the digest, lock, check, status and build tests.

Repositories are copies of this repository's example artifacts (or of the small rule base)
in a temporary directory, made real git repositories where a test needs history. The CLI is
run in-process through ``rspp.cli.main.main`` (it returns the exit code).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rspp.cli.main import main
from tests.conftest import REPO_ROOT, RULE_BASE
from tests.git.repos import commit, git, init

# What a repository of artifacts holds: the managed folders, the lock, the derived pages.
EXAMPLE_PARTS = ("pipelines", "compat", "rollouts", "rspp.lock", "docs/pipelines")
DIGEST_LINE = re.compile(r"^sha256:[0-9a-f]{64}  (?P<path>\S.*)$")

# Paths inside the example repository the tests edit.
PROFILE = "pipelines/profiles/simple_v1.yaml"
LOW_LATENCY = "pipelines/profiles/low_latency_v1.yaml"
CONTRACT = "compat/version_skew_policy.yaml"
SIP_BUNDLE = "pipelines/bundles/sip_telephony_bundle.yaml"
SIP_SPEC = "pipelines/specs/sip_telephony_assistant.yaml"
SIP_VIEW = "docs/pipelines/sip_telephony_bundle@1.0.0.resolved.json"
SIP_PAGE = "docs/pipelines/sip_telephony_bundle@1.0.0.md"
LOCK = "rspp.lock"


@dataclass(frozen=True, slots=True)
class Run:
    """One in-process run of the console script."""

    code: int
    out: str
    err: str


def rspp(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run ``rspp ARGS`` in-process; its exit code and what it printed."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return Run(code, out, err)


def check_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str
               ) -> tuple[int, list[dict[str, Any]]]:
    """``rspp check --format json ARGS`` on ``root``: the exit code and the findings."""
    run = rspp(capsys, "check", "--root", str(root), "--format", "json", *args)
    assert run.err == "", run.err
    return run.code, json.loads(run.out)["findings"]


def codes(findings: list[dict[str, Any]]) -> list[str]:
    """The sorted codes of ``findings`` (repeated codes repeated)."""
    return sorted(f["code"] for f in findings)


def only(findings: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """The one finding with ``code``."""
    found = [f for f in findings if f["code"] == code]
    assert len(found) == 1, found
    return found[0]


# --- repositories on disk --------------------------------------------------------------------

def copy_examples(target: Path) -> Path:
    """This repository's artifacts, lock and derived pages, copied to ``target``."""
    target.mkdir(parents=True)
    for part in EXAMPLE_PARTS:
        source, dest = REPO_ROOT / part, target / part
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    _refresh_derived(target)
    return target


def _refresh_derived(root: Path) -> None:
    """Rebuild the copied derived files when the running rspp's generator code differs from
    the code that made them (rspp's own sources changed since docs/pipelines was built), so
    the tests start from fresh files. The committed files themselves are held fresh by
    tests/check/test_gate.py (this repository passes its own gate)."""
    from rspp.commands.build import BuildOptions, build
    from rspp.lifecycle.provenance import GENERATORS, generator_fingerprint, read_provenance

    for path in sorted((root / "docs" / "pipelines").iterdir()):
        record, _ = read_provenance(path.read_bytes(), path.name)
        generator = record.get("generator") if record else None
        if generator in GENERATORS and record is not None and \
                record.get("generatorFingerprint") != generator_fingerprint(str(generator)):
            assert not build(BuildOptions(root)).failed
            return


def copy_rule_base(target: Path) -> Path:
    """The small rule base (no lock, no derived pages, bundles whose pins carry no digest)."""
    return Path(shutil.copytree(RULE_BASE, target))


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def write(root: Path, rel: str, text: str) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` in a file (which must contain it)."""
    text = read(root, rel)
    assert old in text, f"{old!r} not in {rel}"
    write(root, rel, text.replace(old, new, 1))


def new_version(root: Path, source: str, dest: str, version: str,
                old: str = "1.0.0") -> None:
    """Copy an artifact file as another version of the same id (metadata comes first)."""
    text = read(root, source)
    quoted = re.compile(rf"""(["']?version["']?:\s*["']){re.escape(old)}(["'])""")
    assert quoted.search(text), f"no version {old} in {source}"
    write(root, dest, quoted.sub(rf"\g<1>{version}\g<2>", text, count=1))


def version_line(root: Path, rel: str) -> int:
    """The 1-based line of ``metadata.version`` (the first ``version:`` key of the file)."""
    for number, line in enumerate(read(root, rel).splitlines(), 1):
        if re.match(r"""\s*["']?version["']?\s*:""", line):
            return number
    raise AssertionError(f"no version line in {rel}")


def lock_entries(root: Path) -> dict[str, str]:
    entries: dict[str, str] = json.loads(read(root, LOCK))["artifacts"]
    return entries


def write_lock(root: Path, entries: dict[str, str]) -> None:
    write(root, LOCK, json.dumps({"lockVersion": 1, "artifacts": entries}, indent=2) + "\n")


def mtimes(root: Path, *folders: str) -> dict[str, int]:
    """Modification times (ns) of every file under ``folders``."""
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for folder in folders for p in sorted((root / folder).rglob("*")) if p.is_file()}


# --- git -------------------------------------------------------------------------------------

def git_init(path: Path, *, bare: bool = False) -> Path:
    """A repository on branch main with a local identity and signing off."""
    init(path, bare=bare)
    for key, value in (("user.name", "rspp tests"), ("user.email", "tests@rspp.invalid"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false")):
        git(path, "config", key, value)
    return path


def commit_all(repo: Path, message: str = "change") -> str:
    """Commit every change of the work tree; the new commit id."""
    return commit(repo, {}, message)


def example_repo(target: Path) -> Path:
    """The example artifacts in a git repository: main at one commit, tagged ``v1`` (an
    annotated tag), with the branch ``feature`` checked out on top of it."""
    git_init(copy_examples(target))
    commit_all(target, "base")
    git(target, "tag", "-a", "v1", "-m", "release 1")
    git(target, "checkout", "-q", "-b", "feature")
    return target


def lock_and_commit(capsys: pytest.CaptureFixture[str], repo: Path, message: str) -> str:
    """`rspp lock` (which must succeed), then commit everything."""
    run = rspp(capsys, "lock", "--root", str(repo))
    assert run.code == 0, run.out + run.err
    return commit_all(repo, message)


# --- rspp status -----------------------------------------------------------------------------

_STATUS_LINE = re.compile(r"^(?P<state>\w+) +(?P<path>\S+)(?:  \((?P<reason>.*)\))?$")


def status(capsys: pytest.CaptureFixture[str], root: Path
           ) -> tuple[int, list[tuple[str, str, str]]]:
    """``rspp status``: the exit code and (state, path, reason) per derived file, in order."""
    run = rspp(capsys, "status", "--root", str(root))
    assert run.err == "", run.err
    *lines, summary = run.out.splitlines()
    rows = []
    for line in lines:
        found = _STATUS_LINE.match(line)
        assert found is not None, line
        rows.append((found["state"], found["path"], found["reason"] or ""))
    fresh = sum(1 for row in rows if row[0] == "fresh")
    assert summary == f"{fresh} fresh, {len(rows) - fresh} not fresh"
    return run.code, rows


def states(rows: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """Path -> (state, reason) of ``rspp status`` rows that are not fresh."""
    return {path: (state, reason) for state, path, reason in rows if state != "fresh"}


def unpinned(text: str) -> str:
    """A bundle's text with the digests of its pins (``#sha256:<hex>``) taken out."""
    return re.sub(r"#sha256:[0-9a-f]{64}", "", text)

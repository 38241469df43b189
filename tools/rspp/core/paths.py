"""The one policy for every path rspp reads.

Every file rspp opens is named by a path that is *inside a base folder*: the repository root
for artifacts, discovered files, validation targets and paths written inside artifacts (replay
fixtures); for a file named on the command line that is not part of the repository being
checked (``rspp digest FILE``, ``rspp plan --routing FILE``, ``rspp explain-value VIEW.json``)
the repository holding that file, else the folder holding it (:func:`base_of`). The policy:

1. **Lexically inside.** The path, made absolute with ``..`` collapsed as text (links not
   followed), is inside the base (named as given or by its real path). Otherwise the path is
   outside the repository: a usage error (``PATH001``) on the command line, ``RPL002`` in a
   replay manifest.
2. **No way out through a link.** The path is resolved one component at a time from the real
   base with ``lstat``; a symbolic link is expanded from its text (``readlink``), never by
   asking the system to follow it. A link whose target leaves the base (an absolute target
   elsewhere, or ``..`` above the base) is refused (``FILE002``) before anything outside is
   touched: rspp never ``stat()``s, opens or lists a path outside the base. Links that stay
   inside the base are followed (a repository may alias a file or a folder); more than
   :data:`MAX_LINKS` expansions is a link loop (``FILE001``).
3. **A regular file of bounded size**, read without blocking: special files, folders,
   unreadable and oversized files are refused by the reader (``rspp.load.source.read_file``:
   ``FILE001``, ``FILE003``, ``FILE004``), which opens the checked path with ``O_NOFOLLOW``.

Refusals are findings at ``path:1:1`` (the same code whether the file was discovered or named on
the command line), so a run reports every refused file and goes on; only *names* that cannot
mean a file of the repository (outside it, missing, not an artifact file name) stop a command
with :class:`PathError` (exit 2, one line, a stable ``PATH`` code). A run that finds no
repository (``REPO001``) or no artifact file (``REPO002``) has checked nothing and stops the
same way (:class:`RepositoryError`), so it can never look clean.

The check runs before the open; a link swapped in between by another process is still refused
by the reader when it points outside (it resolves the whole chain again), but not before that
resolution has looked at it. POSIX paths.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

import msgspec

from rspp.core.errors import UsageError
from rspp.core.findings import Finding
from rspp.core.sink import finding

# Linux's own bound (SYMLOOP_MAX / MAXSYMLINKS) on link expansions while resolving one path.
MAX_LINKS = 40


class PathError(UsageError):
    """A path on the command line that cannot name a file rspp may read.

    ``code``: ``PATH001`` outside the repository, ``PATH002`` no such file or folder,
    ``PATH003`` not an artifact file (wrong name for the command).
    """

    def __init__(self, code: str, cause: str, remedy: str = "") -> None:
        super().__init__(cause, remedy)
        self.code = code


class RepositoryError(UsageError):
    """Nothing to check: ``REPO001`` no repository found, ``REPO002`` no artifact files;
    or ``REPO003``: a file changed during the run."""

    def __init__(self, code: str, cause: str, remedy: str = "") -> None:
        super().__init__(cause, remedy)
        self.code = code


class Resolved(msgspec.Struct, frozen=True):
    """Where a repository path leads: its real path (inside the real base) and the
    ``lstat`` mode of what it names; ``mode`` is None when nothing exists there."""

    real: str
    mode: int | None


class Refused(msgspec.Struct, frozen=True):
    """Why a path may not be followed: ``code`` FILE001 (link loop, permission denied) or
    FILE002 (a link leaves the base), and a one-line reason."""

    code: str
    reason: str
    # the link that leaves the base (its real repository-relative name) and its text
    link: str = ""
    target: str = ""


def show(text: str) -> str:
    """``text`` on one line: control characters escaped (names are user data)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def under(full: str, base: str) -> str | None:
    """``full`` relative to ``base`` (both absolute and normalised), or None outside it."""
    if full == base:
        return ""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if full.startswith(prefix):
        return full[len(prefix):]
    return None


def relative_name(path: Path | str, root: Path | str) -> str | None:
    """The POSIX name of ``path`` inside ``root`` ("" for the root itself), found lexically
    (absolute, ``..`` collapsed as text, links not followed); None when it is outside.

    ``path`` may name the root as given or by its real path.
    """
    return _relative(os.path.abspath(path), os.path.abspath(root), None)


def display_name(path: Path | str, root: Path | str) -> str:
    """How findings name ``path``: its :func:`relative_name` under ``root``; outside it, the
    lexical relative path (``../x``), or the absolute path where there is none (another
    drive). POSIX separators."""
    rel = relative_name(path, root)
    if rel is not None:
        return rel
    full = os.path.abspath(path)
    try:
        shown = os.path.relpath(full, os.path.abspath(root))
    except ValueError:
        shown = full
    return _posix(shown)


def name_inside(path: Path | str, root: Path | str) -> str:
    """The :func:`relative_name` of ``path`` under ``root``; PathError PATH001 when it lies
    outside (the user named a file of another repository)."""
    rel = relative_name(path, root)
    if rel is None:
        raise PathError("PATH001", f"{show(str(path))}: outside the repository "
                        f"{show(str(root))}", "pass paths inside the repository or set --root")
    return rel


def _posix(name: str) -> str:
    return name.replace(os.sep, "/") if os.sep != "/" else name


def _relative(full: str, abs_root: str, real_root: str | None) -> str | None:
    """``full`` under the root as given, else under its real path (``None``: looked up only
    when needed, a system call each time)."""
    rel = under(full, abs_root)
    if rel is None:
        rel = under(full, real_root if real_root is not None else os.path.realpath(abs_root))
    return _posix(rel) if rel is not None else None


class Resolver(msgspec.Struct):
    """Resolves repository paths under one base without following any link out of it.

    Folders already seen to be plain folders are remembered (one run, one object), so
    resolving many files of one tree costs one ``lstat`` per file.
    """

    root: Path
    real_root: str = ""
    abs_root: str = ""
    _plain: set[str] = msgspec.field(default_factory=set)

    def __post_init__(self) -> None:
        self.real_root = os.path.realpath(self.root)
        self.abs_root = os.path.abspath(self.root)

    def relative(self, path: Path | str) -> str | None:
        """:func:`relative_name` of ``path`` under this base."""
        return _relative(os.path.abspath(path), self.abs_root, self.real_root)

    def resolve(self, rel: str) -> Resolved | Refused:
        """Follow the repository-relative POSIX name ``rel`` from the real base.

        Components are looked at with ``lstat`` only; a link's text is read with
        ``readlink`` and expanded in place. Returns :class:`Refused` for a link that leaves
        the base (FILE002), a link loop or a folder that cannot be searched (FILE001);
        else where the name leads (``mode`` None when it does not exist).
        """
        base = self.real_root
        todo = [p for p in reversed(rel.split("/")) if p not in ("", ".")]
        current = base
        links = 0
        mode: int | None = None
        while todo:
            name = todo.pop()
            if name == "..":
                if current == base:
                    return Refused("FILE002", f"{show(rel)} leads outside the repository "
                                   "through a symbolic link")
                current = os.path.dirname(current)
                mode = None
                continue
            following = os.path.join(current, name)
            if following in self._plain:
                current, mode = following, stat.S_IFDIR
                continue
            try:
                info = os.lstat(following)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                    return Resolved(following, None)
                return Refused("FILE001", f"cannot read {show(rel)}: {exc.strerror or exc}")
            if stat.S_ISLNK(info.st_mode):
                links += 1
                if links > MAX_LINKS:
                    return Refused("FILE001", f"cannot read {show(rel)}: too many levels of "
                                              "symbolic links (a link loop)")
                try:
                    target = os.readlink(following)
                except OSError as exc:
                    return Refused("FILE001", f"cannot read {show(rel)}: "
                                              f"{exc.strerror or exc}")
                if os.path.isabs(target):
                    inside = under(os.path.normpath(target), base)
                    if inside is None:
                        inside = under(os.path.normpath(target), self.abs_root)
                    if inside is None:
                        link = under(following, base) or name
                        return Refused("FILE002", "symbolic link points outside the "
                                       f"repository: {show(link)} -> {show(target)}",
                                       show(link), show(target))
                    current = base
                    target = inside
                todo.extend(p for p in reversed(target.split("/")) if p not in ("", "."))
                mode = None
                continue
            mode = info.st_mode
            if todo and not stat.S_ISDIR(mode):
                return Resolved(following, None)  # a file used as a folder: nothing there
            if stat.S_ISDIR(mode):
                self._plain.add(following)
            current = following
        if mode is None:  # the base itself (or a folder reached through "..")
            try:
                mode = os.lstat(current).st_mode
            except OSError:
                return Resolved(current, None)
        return Resolved(current, mode)

    def refusal(self, path: Path | str, shown: str | None = None) -> Finding | None:
        """The FILE001/FILE002 finding that forbids reading ``path``, or None.

        A path outside the base is FILE002 too; ``shown`` is the name the finding carries
        (default: the repository-relative name). Whether it exists and is a regular file is
        left to the reader.
        """
        rel = self.relative(path)
        name = shown if shown is not None else (rel if rel is not None else show(str(path)))
        if rel is None:
            return file_error("FILE002", name, f"{show(str(path))} is outside the repository "
                                               f"{show(str(self.root))}")
        outcome = self.resolve(rel)
        if isinstance(outcome, Refused):
            return file_error(outcome.code, name, outcome.reason)
        return None

    def named_file(self, path: Path | str) -> str:
        """Check a file named on the command line, to be read under the base.

        Returns its repository-relative name. Raises :class:`PathError` ``PATH001`` when it
        is outside the base and ``PATH002`` when nothing exists under that name (a dangling
        link does exist: reading it is refused with a finding). Links out, special files
        and permissions are judged when it is read, and reported as FILE findings.
        """
        rel = self.relative(path)
        if rel is None:
            raise PathError("PATH001", f"{show(str(path))}: outside the repository "
                            f"{show(str(self.root))}",
                            "name a file inside the repository, or set --root")
        outcome = self.resolve(rel)
        # the chain up to the last name stays inside: looking at that name itself is safe
        if isinstance(outcome, Resolved) and outcome.mode is None \
                and not os.path.lexists(path):
            raise PathError("PATH002", f"{show(str(path))}: no such file or folder")
        return rel


def file_error(code: str, path: str, message: str) -> Finding:
    """A FILE finding (always an error) at ``path:1:1``."""
    return finding(code, path, 1, 1, message)


def refusal(path: Path | str, root: Path | str, shown: str | None = None) -> Finding | None:
    """:meth:`Resolver.refusal` for one path (see the module's policy)."""
    return Resolver(Path(root)).refusal(path, shown)


def nearest_repository(start: Path | str) -> Path | None:
    """The nearest folder at or above ``start`` (lexically: ``..`` and links as written)
    holding ``.git`` (a folder or a file) or a ``pipelines/`` folder; None when none does."""
    current = os.path.abspath(start)
    while True:  # .git may be a file (linked work trees, submodules)
        if os.path.lexists(os.path.join(current, ".git")) or \
                os.path.isdir(os.path.join(current, "pipelines")):
            return Path(current)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def base_of(path: Path | str, root: Path | None = None) -> Path:
    """The base a file named on the command line is read under.

    ``root`` when the path is inside it; else the repository holding the file
    (:func:`nearest_repository` from its folder); else the folder holding it.
    """
    if root is not None and relative_name(path, root) is not None:
        return root
    folder = os.path.dirname(os.path.abspath(path))
    found = nearest_repository(folder)
    return found if found is not None else Path(folder)


def kind_of(mode: int) -> str:
    """What an ``lstat`` mode names, for messages: "a folder", "a FIFO", ..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def real_inside(path: Path | str, root: Path | str, what: str) -> Path:
    """``path`` (relative to the working directory) when it is inside ``root`` after every
    link is followed — what a reader of it would open; PathError PATH001 otherwise. ``what``
    names the file in the message ("trust policy", "signing key")."""
    full = os.path.realpath(path)
    if under(full, os.path.realpath(root)) is None:
        raise PathError("PATH001", f"{what} {show(str(path))} is outside the repository "
                        f"{show(str(root))}", "keep it inside the repository (the tool's "
                        "work area .rspp/ is git-ignored) or set --root")
    return Path(path)


def open_regular(path: Path | str, what: str, shown: str) -> BinaryIO:
    """``path`` open for reading in binary mode, when it is a regular file; ``what`` and
    ``shown`` name it in messages ("trace", its repository-relative name).

    Judged on the open descriptor, not on an earlier look: the file is opened without
    blocking (``O_NONBLOCK``: opening a FIFO never waits for a writer; ``O_NOCTTY``), then
    ``fstat`` decides, so a FIFO or device swapped in after a check can never hang a run.
    Raises PathError PATH002 (nothing there), PATH003 (a folder, FIFO, device or socket:
    which one is said), UsageError when the system refuses (permissions)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise PathError("PATH002", f"{what} {show(shown)} does not exist") from None
    except OSError as exc:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):  # a folder (EISDIR) or what would not open
            raise PathError("PATH003", f"{what} {show(shown)} is {kind_of(mode)}, not a "
                            "regular file") from None
        raise UsageError(f"{what} {show(shown)} cannot be read: {exc.strerror or exc}",
                         "check the file's permissions") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise PathError("PATH003", f"{what} {show(shown)} is {kind_of(mode)}, not a regular "
                        "file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")

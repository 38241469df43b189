"""The one writer: atomic, inside the repository, never through a link.

Every file rspp writes goes through :func:`write_atomic`. It walks from the repository root to
the target one folder at a time with directory descriptors opened ``O_NOFOLLOW``, so a
symbolic link anywhere on the way (committed, or swapped in while rspp runs) is refused rather
than followed; missing folders are created the same way. The new content goes to a temporary
file created exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``, random name) in the target's own
folder, is flushed to disk, and is renamed over the target (``rename(2)`` replaces a link
itself, it never writes through one). Readers see the old or the new content, never a mix.

Errors are :class:`FileAccessError` with a stable code:

- ``IO001`` the path is outside the repository root, or inside its ``.git`` folder;
- ``IO002`` a symbolic link, or something that is not a folder or a regular file, is in the way;
- ``IO003`` the operating system refused (permissions, disk full, read-only file system).

POSIX only (directory descriptors: ``openat``, ``mkdirat``, ``renameat``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

import msgspec

from rspp.core.errors import RsppError
from rspp.core.paths import kind_of

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW | _CLOEXEC
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
_TEMP_TRIES = 16


class FileAccessError(RsppError):
    """rspp refused, or failed, to write (or to compare before writing) a file.

    ``code`` is IO001 (outside the repository), IO002 (a link or special file in the way) or
    IO003 (the operating system refused); ``path`` is the offending path as shown to the user
    (repository-relative when it is inside the root).
    """

    def __init__(self, code: str, path: str, cause: str, remedy: str) -> None:
        super().__init__(cause, remedy)
        self.code = code
        self.path = path


def _show(text: str) -> str:
    """``text`` on one line: control characters escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def inside_root(path: Path | str, root: Path | str, verb: str = "write"
                ) -> tuple[str, tuple[str, ...]]:
    """The real root and the parts of ``path`` under it.

    ``path`` may be relative (to the working directory) and may name the root through the
    same links as ``root`` does; ``..`` is resolved lexically. Raises FileAccessError IO001
    when the path is not strictly inside the root, or is inside ``.git``.
    """
    full = os.path.abspath(path)
    real_root = os.path.realpath(root)
    for base in (os.path.abspath(root), real_root):
        rel = os.path.relpath(full, base)
        if rel != os.curdir and rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            parts = tuple(rel.split(os.sep))
            if any(p.lower() == ".git" for p in parts):
                shown = _show("/".join(parts))
                raise FileAccessError("IO001", shown, f"refusing to {verb} {shown}: it is "
                                      "inside .git", "rspp never writes into git's own folder")
            return real_root, parts
    shown = _show(str(path))
    raise FileAccessError("IO001", shown, f"refusing to {verb} {shown}: it is outside the "
                          f"repository {_show(real_root)}",
                          "name a path inside the repository, or pass --root")




class _Job(msgspec.Struct, frozen=True):
    path: str  # as shown: repository-relative, one line
    verb: str  # what rspp was doing: "write", "check", "read", "remove", "create", "list"


def _refuse(job: _Job, where: str, what: str, remedy: str) -> FileAccessError:
    subject = "it" if where == job.path else where
    return FileAccessError("IO002", where, f"refusing to {job.verb} {job.path}: {subject} is "
                           f"{what}", remedy)


def _os_error(job: _Job, exc: OSError) -> FileAccessError:
    return FileAccessError("IO003", job.path, f"cannot {job.verb} {job.path}: "
                           f"{exc.strerror or exc}",
                           "check the permissions of the file and its folder")


def _open_folder(real_root: str, parts: tuple[str, ...], job: _Job, *, create: bool
                 ) -> int | None:
    """A descriptor of the folder ``parts`` under the root, walked without following links.

    Missing folders are created when ``create``; otherwise None is returned for them.
    """
    try:
        fd = os.open(real_root, _DIR_FLAGS)
    except OSError as exc:
        raise _os_error(job, exc) from exc
    try:
        for i, name in enumerate(parts):
            where = _show("/".join(parts[: i + 1]))
            try:
                nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    os.close(fd)
                    return None
                try:
                    os.mkdir(name, 0o777, dir_fd=fd)
                except FileExistsError:  # made meanwhile: what it is is checked below
                    pass
                except OSError as exc:
                    raise _os_error(job, exc) from exc
                nxt = _open_existing(fd, name, job, where)
            except OSError as exc:
                nxt = _open_existing(fd, name, job, where, exc)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_existing(fd: int, name: str, job: _Job, where: str,
                   error: OSError | None = None) -> int:
    """Open folder ``name`` in ``fd`` (no links); say why not when it is not a plain folder."""
    if error is None:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            error = exc
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError:
        raise _os_error(job, error) from error
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(job, where, "a symbolic link", "rspp follows no link where it writes: "
                      "replace the link with a real folder") from error
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(job, where, f"{kind_of(info.st_mode)}, not a folder",
                      "move it out of the way") from error
    raise _os_error(job, error) from error


def _target_mode(fd: int, name: str, job: _Job) -> int | None:
    """The permission bits of the existing target, None when it does not exist yet."""
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _os_error(job, exc) from exc
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(job, job.path, "a symbolic link", "rspp follows no link where it writes: "
                      "replace the link with a real file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(job, job.path, f"{kind_of(info.st_mode)}, not a regular file",
                      "move it out of the way")
    return stat.S_IMODE(info.st_mode)


def _temp(fd: int, name: str, job: _Job) -> tuple[int, str]:
    """A new temporary file beside ``name``, created exclusively (never an existing path)."""
    for _ in range(_TEMP_TRIES):
        tmp = f".{name[:200]}.{os.urandom(8).hex()}.tmp"  # the OS CSPRNG, as secrets uses
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666, dir_fd=fd), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise _os_error(job, exc) from exc
    raise _os_error(job, OSError(errno.EEXIST, "no free temporary file name"))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_atomic(path: Path | str, data: bytes, *, root: Path | str,
                 durable: bool = True, mode: int | None = None) -> None:
    """Replace the file at ``path`` (inside ``root``) with ``data``, atomically.

    ``durable`` (the default) flushes the file and its folder to disk before returning; a
    cache passes False (after a crash an entry may be empty or old, never half-new, and a
    reader that checks its entries loses nothing but time). ``mode`` sets the new file's
    permission bits (a secret passes 0o600).

    Missing folders are created (mode 0777 less the umask); a new file gets 0666 less the
    umask, an existing one keeps its permission bits. Nothing is followed: a symbolic link as
    the target or as any folder between the root and the target is refused, as is a target
    outside the root (after resolving the root's own links) or inside ``.git``. On failure
    the temporary file is removed and the target is unchanged.

    Raises FileAccessError: IO001 outside the root, IO002 a link or special file in the way,
    IO003 the operating system refused.
    """
    real_root, parts = inside_root(path, root)
    job = _Job(_show("/".join(parts)), "write")
    folder = _open_folder(real_root, parts[:-1], job, create=True)
    assert folder is not None  # created on the way
    name = parts[-1]
    tmp = ""
    try:
        existing = _target_mode(folder, name, job)  # refuses a link or special file
        kept = existing if mode is None else mode
        handle, tmp = _temp(folder, name, job)
        try:
            _write_all(handle, data)
            if kept is not None:
                os.fchmod(handle, kept)
            if durable:
                os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        tmp = ""
        if durable:
            with contextlib.suppress(OSError):  # the rename's durability; not every fs allows
                os.fsync(folder)
    except OSError as exc:
        raise _os_error(job, exc) from exc
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder)
        os.close(folder)


def make_dirs(path: Path | str, *, root: Path | str) -> None:
    """Create the folder ``path`` inside ``root`` and its missing parents, following no link.

    Raises FileAccessError (IO001, IO002, IO003) as :func:`write_atomic` does.
    """
    real_root, parts = inside_root(path, root, "create")
    fd = _open_folder(real_root, parts, _Job(_show("/".join(parts)), "create"), create=True)
    assert fd is not None
    os.close(fd)


def read_existing(path: Path | str, *, root: Path | str, verb: str = "write",
                  max_bytes: int | None = None) -> bytes | None:
    """The bytes of a file rspp writes (to compare before replacing it), None when missing.

    Read the way :func:`write_atomic` writes: a link or special file in the way raises
    FileAccessError IO002, so a writer compares with the same file it then replaces, and a
    check of generated files reads nothing outside the repository. ``verb`` names the action
    in messages ("write" while writing, "check" while checking). With ``max_bytes``, at most
    ``max_bytes + 1`` bytes are read: a longer result means the file is over the bound.
    """
    real_root, parts = inside_root(path, root, verb)
    job = _Job(_show("/".join(parts)), verb)
    folder = _open_folder(real_root, parts[:-1], job, create=False)
    if folder is None:
        return None
    try:
        if _target_mode(folder, parts[-1], job) is None:
            return None
        try:
            fd = os.open(parts[-1], _READ_FLAGS, dir_fd=folder)
        except OSError as exc:
            raise _os_error(job, exc) from exc
    finally:
        os.close(folder)
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        raise _os_error(job, exc) from exc


def remove(path: Path | str, *, root: Path | str) -> None:
    """Delete the file ``path`` inside ``root`` (a link there is removed, not followed).

    A missing file is not an error. Raises FileAccessError as :func:`write_atomic` does when
    a folder on the way is a link or the path is outside the root.
    """
    real_root, parts = inside_root(path, root, "remove")
    job = _Job(_show("/".join(parts)), "remove")
    folder = _open_folder(real_root, parts[:-1], job, create=False)
    if folder is None:
        return
    try:
        os.unlink(parts[-1], dir_fd=folder)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _os_error(job, exc) from exc
    finally:
        os.close(folder)


def list_names(path: Path | str, *, root: Path | str, verb: str = "list") -> list[str]:
    """The sorted names in the folder ``path`` inside ``root`` (none when it is missing).

    The folder is reached without following links (FileAccessError IO002 otherwise), so a
    writer that prunes the folder prunes the folder inside the repository.
    """
    real_root, parts = inside_root(path, root, verb)
    job = _Job(_show("/".join(parts)), verb)
    folder = _open_folder(real_root, parts, job, create=False)
    if folder is None:
        return []
    try:
        return sorted(os.listdir(folder))
    except OSError as exc:
        raise _os_error(job, exc) from exc
    finally:
        os.close(folder)


def open_lock(path: Path | str, *, root: Path | str) -> int:
    """A descriptor of the lock file ``path`` inside ``root`` (created empty when missing,
    mode 0666 less the umask), for ``fcntl.flock``; the caller closes it.

    Reached as :func:`write_atomic` reaches its target: no link is followed. Raises
    FileAccessError IO001, IO002, IO003.
    """
    real_root, parts = inside_root(path, root, "lock")
    job = _Job(_show("/".join(parts)), "lock")
    folder = _open_folder(real_root, parts[:-1], job, create=True)
    assert folder is not None  # created on the way
    try:
        _target_mode(folder, parts[-1], job)  # refuses a link or special file
        return os.open(parts[-1], os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o666,
                       dir_fd=folder)
    except OSError as exc:
        raise _os_error(job, exc) from exc
    finally:
        os.close(folder)

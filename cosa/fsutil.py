"""Private files and directories, written atomically.

Workspace directories are 0700 and files 0600 whatever the umask (on Windows: a user-only
ACL on the directory, inherited by its files; see `cosa.permissions`). Every file cosa writes goes
through `atomic_write`: a temp file in the same directory, fsync, `os.replace`, then an fsync
of the directory (where the platform allows it), so a crash leaves either the old file or the
new one, never a mix.

Outputs never clobber. Every file written *for the user* (reports, share packs, backups,
exports, recovery sheets and files, demo outputs) goes through `check_output` (before any
work, so a bad path costs nothing) and `write_output` / `place_output` (at the end):

- an existing path is refused unless `force` (`--force`), with one line;
- even with `force`, only a regular file is replaced: never a symlink (the link itself nor
  what it points to), a directory, a device node, a FIFO or a socket;
- the final step is race-aware: the temp file is made in the target's directory and given
  its name with `os.link` (which fails if anything appeared there meanwhile) when not
  forcing, or, when forcing, with `os.replace` right after `lstat` shows a regular file. A
  rename never writes *into* whatever held the name, so even a lost race cannot write to a
  device or through a link;
- a missing or unwritable directory, a name that is too long and the like are one-line
  `UserError`s naming the path. (A full disk or an I/O error is left to the CLI's own message.)

The temp file is `.cosa-<pid>-<random>.tmp`; one left by a process that was killed (it may
hold a whole report in clear) is wiped (zeros, then unlink) at the next write to that
directory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path

from cosa import permissions
from cosa.errors import UserError

PRIVATE_DIR = permissions.PRIVATE_DIR
PRIVATE_FILE = permissions.PRIVATE_FILE


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed and make it private (0700, or a user-only ACL)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    permissions.try_restrict_dir(path)  # not supported on every file system
    return path


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename inside it is durable (a no-op where unsupported)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path, data: bytes, mode: int = PRIVATE_FILE, *, durable: bool = True
) -> None:
    """Write `data` to `path` atomically with permissions `mode` (`durable=False`: without
    the fsyncs, for a file whose loss in a crash costs nothing)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(directory)


def wipe_file(path: Path) -> None:
    """Overwrite a file with zeros, fsync, then unlink it (best effort: never raises)."""
    with contextlib.suppress(OSError):
        size = os.lstat(path).st_size
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            zeros = b"\0" * min(1 << 20, max(size, 1))
            done = 0
            while done < size:
                done += os.write(fd, zeros[: min(len(zeros), size - done)])
            os.fsync(fd)
        finally:
            os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(path)


# --- outputs for the user: never clobber ----------------------------------------------------

#: errno values left to the CLI's general handling (full disk, failing disk).
_NOT_OURS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}

FORCE_HINT = "use --force to replace it, or choose another name"


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "something else"


def output_error(path: Path, exc: OSError) -> UserError:
    """One line for an OSError met while writing the output `path`."""
    why = {
        errno.ENOENT: f"directory {path.parent} does not exist",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.EACCES: f"permission denied (directory {path.parent})",
        errno.EPERM: f"permission denied (directory {path.parent})",
        errno.ENAMETOOLONG: "the name is too long",
        errno.EROFS: "the file system is read-only",
        errno.EEXIST: "it already exists",
        errno.EISDIR: "it is a directory",
        errno.ELOOP: "too many symbolic links in the path",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    hint = FORCE_HINT if exc.errno == errno.EEXIST else None
    return UserError(f"cannot write {path}: {why}", hint=hint)


def _refuse_existing(path: Path, st: os.stat_result, force: bool) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UserError(
            f"cannot write {path}: it is {_kind(st.st_mode)}, not a regular file, and cosa"
            " never replaces one"
        )
    if not force:
        raise UserError(f"cannot write {path}: it already exists", hint=FORCE_HINT)


def check_output(path: Path, force: bool = False) -> Path:
    """Refuse, before any work is done, an output path cosa may not write (see above)."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise output_error(path, exc) from None
    if st is not None:
        _refuse_existing(path, st, force)
    parent = path.parent
    if not parent.is_dir():
        raise output_error(
            path, OSError(errno.ENOENT if not parent.exists() else errno.ENOTDIR, "")
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise output_error(path, OSError(errno.EACCES, ""))
    with contextlib.suppress(OSError, ValueError):
        if len(os.fsencode(path.name)) > os.pathconf(parent, "PC_NAME_MAX"):
            raise output_error(path, OSError(errno.ENAMETOOLONG, ""))
    return path


def place_output(tmp: Path, path: Path, *, force: bool = False) -> None:
    """Give the finished temp file `tmp` (in `path`'s directory) the name `path`, never
    clobbering (see above). `tmp` is gone afterwards, whatever happens."""
    path = Path(path)
    try:
        if not force:
            try:
                os.link(tmp, path)  # atomic: fails if anything has appeared at `path`
            except FileExistsError:
                raise UserError(
                    f"cannot write {path}: it already exists", hint=FORCE_HINT
                ) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
                    raise
                # No hard links here (e.g. FAT, some network file systems): claim the name
                # exclusively, then replace our own placeholder.
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
                os.replace(tmp, path)
        else:
            with contextlib.suppress(FileNotFoundError):
                _refuse_existing(path, os.lstat(path), force=True)
            os.replace(tmp, path)
    except OSError as exc:
        if exc.errno in _NOT_OURS:
            raise
        raise output_error(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    with contextlib.suppress(OSError):
        fsync_dir(path.parent if str(path.parent) else Path("."))


_OUTPUT_TEMP = re.compile(r"\.cosa-(\d+)-\w+\.tmp")


def wipe_stale_output_temps(directory: Path) -> None:
    """Wipe the output temp files of cosa processes that no longer run (POSIX)."""
    if os.name != "posix":
        return
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        match = _OUTPUT_TEMP.fullmatch(entry.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat().st_uid != os.getuid():
                continue
            os.kill(int(match.group(1)), 0)
            continue  # still running
        except ProcessLookupError:
            wipe_file(Path(entry.path))
        except (OSError, OverflowError):
            continue


def write_output(path: Path, data: bytes, *, force: bool = False, mode: int = PRIVATE_FILE) -> None:
    """Write `data` to the user's output file `path`: complete or not at all, 0600, and never
    over anything unless `force` allows replacing a regular file."""
    path = check_output(Path(path), force)
    directory = path.parent if str(path.parent) else Path(".")
    wipe_stale_output_temps(directory)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".cosa-{os.getpid()}-", suffix=".tmp", dir=directory)
    except OSError as exc:
        if exc.errno in _NOT_OURS:
            raise
        raise output_error(path, exc) from None
    try:
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    place_output(Path(tmp), path, force=force)

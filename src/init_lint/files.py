"""Which files a run checks, how they are read, and how a fix is written back without losing anything.

Reading never blocks (a FIFO named `*.py` is refused, not opened for a writer that never comes) and
never loads a file over `max-file-size`.  Writing a fix:

* refuses a file the mode bits mark read-only for the user running init-lint (as root too:
  `os.access` says yes to root for every file), a symlink whose target lies outside the paths the
  user named, and a file that changed on disk since it was read (size, mtime, inode, content hash,
  compared again right before the rename);
* writes a temporary file in the same folder and renames it over the target, keeping the mode bits,
  owner and group;
* writes a file with several hard links (or whose owner cannot be kept) in place instead: a backup
  next to it first, read back and compared, then truncate and write, then the backup goes;
* removes temporaries that a killed run left behind (`.init-lint-XXXXXXXX.tmp` older than an hour,
  our own name pattern only).

SIGINT and SIGTERM that arrive while a file is being written take effect right after it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import re
import signal
import stat
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from init_lint.config import Settings

TEMPORARY_PREFIX = ".init-lint-"
TEMPORARY_SUFFIX = ".tmp"
BACKUP_SUFFIX = ".backup"
#: exactly the names `tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX)` makes
_OUR_TEMPORARY = re.compile(r"\A\.init-lint-[a-z0-9_]{8}\.tmp\Z")
#: a temporary older than this cannot belong to a run still going on
STALE_AFTER_SECONDS = 3600.0


def discover(paths: list[str], settings: Settings) -> Iterator[str]:
    """Files matching `include` (Python, notebooks) under `paths`, in a stable order; excluded names skipped.

    A file named explicitly is always checked (so an error about it is never silent); a path that
    does not exist, or is not a file or folder, is yielded as it is and reported by the checker.
    """
    seen: set = set()
    wanted = _FileFilter(settings)
    for path in paths:
        if os.path.isdir(path) and not path.endswith(".py"):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not wanted.excluded(os.path.join(root, d), d))
                folder = wanted.folder(root)  # one relative path per folder, not per file
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if wanted(full, name, folder + name) and full not in seen:
                        seen.add(full)
                        yield full
        elif path not in seen:
            seen.add(path)
            yield path


class _FileFilter:
    """`settings.is_included(f) and not settings.is_excluded(f, base)` for a file found in a walk whose
    folders already passed `is_excluded`: the same answer with one relative path per file, not one per
    pattern (a 7,000-file tree was spending seconds in `os.path.relpath`).

    A pattern without a slash matches a part of the path below `base`; every folder part was checked
    on the way down, so only the file's name is left to match.
    """

    def __init__(self, settings: Settings) -> None:
        self.root = settings.root
        self._prefix = os.path.join(os.path.abspath(self.root), "") if self.root is not None else ""
        self.include = settings.include + settings.extend_include
        patterns = [p.rstrip("/") for p in settings.exclude + settings.extend_exclude]
        self.names = [p for p in patterns if "/" not in p]
        self.paths = [p for p in patterns if "/" in p]
        # fnmatch.fnmatchcase against each pattern in turn, as one regular expression
        self._include = _any_of(self.include)
        self._names = _any_of(self.names)

    def folder(self, root: str) -> str:
        """The relative path of a walked folder, with a trailing slash ("" for the root itself): what
        `_relative` gives for a file in it, less the file's name."""
        if self.root is None:
            return os.path.join(root, "").replace(os.sep, "/")
        relative = self._relative(root)
        return "" if relative in (".", "") else relative.rstrip("/") + "/"

    def _relative(self, full: str) -> str:
        if self.root is None:
            return full.replace(os.sep, "/")
        absolute = os.path.abspath(full)
        if absolute.startswith(self._prefix):  # the common case, without os.path.relpath's cost
            return absolute[len(self._prefix):].replace(os.sep, "/")
        try:
            relative = os.path.relpath(os.path.abspath(full), os.path.abspath(self.root))
        except ValueError:  # pragma: no cover - another drive on Windows
            relative = full
        return relative.replace(os.sep, "/")

    def excluded(self, full: str, name: str, relative: Optional[str] = None) -> bool:
        """`settings.is_excluded(full, base)` for a file or folder `name` whose folders passed it."""
        if name not in (".", "") and self._names(name):
            return True
        if not self.paths:
            return False
        relative = self._relative(full) if relative is None else relative
        return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(relative, p + "/*") for p in self.paths)

    def __call__(self, full: str, name: str, relative: Optional[str] = None) -> bool:
        relative = self._relative(full) if relative is None else relative
        base = relative.rsplit("/", 1)[-1]
        if not (self._include(relative) or self._include(base)):
            return False
        return not self.excluded(full, name, relative)


def _any_of(patterns: list):
    """`any(fnmatch.fnmatchcase(text, p) for p in patterns)` as one call."""
    if not patterns:
        return lambda text: False
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)).match


class ReadError(Exception):
    """The file cannot be checked; the message says why (without the path)."""


class MissingFile(ReadError):
    pass


@dataclass(frozen=True)
class Snapshot:
    """What a file was when it was read: a write goes ahead only while it still is."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of(cls, info: os.stat_result, data: bytes) -> "Snapshot":
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def read_source(path: str, max_size: Optional[int] = None) -> tuple[bytes, Snapshot]:
    """The bytes of a regular file and its snapshot; ReadError for anything else.

    Opened without blocking (a FIFO would wait for a writer forever) and checked with fstat on the
    opened descriptor, so what is judged is what is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise MissingFile("no such file or folder") from None
    except IsADirectoryError:
        raise ReadError("is a folder, not a file") from None
    except OSError as error:
        raise ReadError(f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise ReadError(f"not a regular file ({_kind(info.st_mode)}); skipped")
        if max_size is not None and info.st_size > max_size:
            raise ReadError(f"{info.st_size} bytes is over max-file-size ({max_size}); raise it in [tool.init-lint]")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise ReadError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(fd)
    if max_size is not None and len(data) > max_size:  # it grew while being read
        raise ReadError(f"{len(data)} bytes is over max-file-size ({max_size}); raise it in [tool.init-lint]")
    return data, Snapshot.of(info, data)


def read(path: str) -> bytes:
    return read_source(path)[0]


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a plain file"


class WriteError(Exception):
    pass


class AlreadyWritten(Exception):
    """The file already holds exactly what the fix would write (another path to the same file wrote it)."""


def is_inside(path: str, roots: Iterable[str]) -> bool:
    """Whether the real `path` lies in (or is) one of the real `roots`."""
    real = os.path.realpath(path)
    for root in roots:
        base = os.path.realpath(root)
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return True
    return False


def writable_by_mode(info: os.stat_result) -> bool:
    """The mode bits that apply to this process allow writing (for root: some write bit is set).

    Not `os.access`: for root it allows every file, and a read-only file is a user's decision that
    `--fix` respects whoever runs it.
    """
    if not hasattr(os, "geteuid"):  # pragma: no cover - Windows: the read-only attribute
        return bool(info.st_mode & stat.S_IWUSR)
    euid = os.geteuid()
    if euid == 0:
        return bool(info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    if info.st_uid == euid:
        return bool(info.st_mode & stat.S_IWUSR)
    if info.st_gid == os.getegid() or info.st_gid in os.getgroups():
        return bool(info.st_mode & stat.S_IWGRP)
    return bool(info.st_mode & stat.S_IWOTH)


def write_fix(path: str, data: bytes, snapshot: Optional[Snapshot] = None, roots: Iterable[str] = ()) -> None:
    """Write the fixed `data` over the file read as `snapshot`, or raise WriteError saying why not.

    `roots` are the paths the user named: a symlink whose target lies outside all of them is not
    followed.  Raises AlreadyWritten when the file already holds `data`.
    """
    roots = list(roots)
    target = os.path.realpath(path)
    if roots and not is_inside(target, roots):
        raise WriteError(f"{path}: is a symlink to {target}, outside the checked paths; fix skipped "
                         f"(name the target itself to fix it)")
    info = _stat_for_write(path, target)
    if not writable_by_mode(info):
        raise WriteError(f"{path}: cannot write the fix (the file is read-only); nothing was changed")
    folder = os.path.dirname(target) or "."
    clean_stale_temporaries(folder)
    if snapshot is not None:
        _unchanged_since(path, target, snapshot, data)
    with uninterrupted():
        if info.st_nlink > 1:
            _write_in_place(path, target, data, snapshot)
        else:
            _replace(path, target, data, info, snapshot)


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file's content (no snapshot: whatever it holds now)."""
    write_fix(path, data)


def _stat_for_write(path: str, target: str) -> os.stat_result:
    try:
        info = os.stat(target)
    except FileNotFoundError:
        raise WriteError(f"{path}: the file is missing (deleted while init-lint ran); nothing was written") from None
    except OSError as error:
        raise WriteError(f"{path}: cannot write the fix ({error.strerror or error}); nothing was changed") from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteError(f"{path}: no longer a regular file; nothing was written")
    return info


def _unchanged_since(path: str, target: str, snapshot: Snapshot, data: bytes) -> None:
    """Raise WriteError if the file is not what was read (an edit saved meanwhile is never overwritten)."""
    try:
        current, now = read_source(target)
    except MissingFile:
        raise WriteError(f"{path}: the file is missing (deleted while init-lint ran); nothing was written") from None
    except ReadError as error:
        raise WriteError(f"{path}: {error}; nothing was written") from None
    if now == snapshot:
        return
    if current == data:
        raise AlreadyWritten(path)
    raise WriteError(f"{path}: changed on disk while init-lint ran; fix skipped, the edit is kept (run again)")


def _replace(path: str, target: str, data: bytes, info: os.stat_result, snapshot: Optional[Snapshot]) -> None:
    folder = os.path.dirname(target) or "."
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), stat.S_IMODE(info.st_mode))
            else:  # pragma: no cover - Windows before Python 3.13
                os.chmod(temporary, stat.S_IMODE(info.st_mode))
            if not _keep_owner(out.fileno(), info):
                # Renaming would hand the file to this user: write into the file itself instead.
                os.unlink(temporary)
                temporary = None
                _write_in_place(path, target, data, snapshot)
                return
        if snapshot is not None:
            _unchanged_since(path, target, snapshot, data)  # right before the rename: the last moment to see an edit
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise WriteError(f"{path}: cannot write the fix ({error.strerror or error}); nothing was changed") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _keep_owner(fd: int, info: os.stat_result) -> bool:
    now = os.fstat(fd)
    if (now.st_uid, now.st_gid) == (info.st_uid, info.st_gid):
        return True
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
    except (PermissionError, AttributeError):
        return False
    return True


def _write_in_place(path: str, target: str, data: bytes, snapshot: Optional[Snapshot]) -> None:
    """Truncate and write the file itself (hard links and owner stay), after a verified backup."""
    folder = os.path.dirname(target) or "."
    try:
        with open(target, "rb") as handle:
            original = handle.read()
    except OSError as error:
        raise WriteError(f"{path}: cannot write the fix ({error.strerror or error}); nothing was changed") from None
    if snapshot is not None and hashlib.sha256(original).hexdigest() != snapshot.digest:
        if original == data:
            raise AlreadyWritten(path)
        raise WriteError(f"{path}: changed on disk while init-lint ran; fix skipped, the edit is kept (run again)")
    backup = None
    try:
        handle, backup = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=BACKUP_SUFFIX, dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(original)
            out.flush()
            os.fsync(out.fileno())
        with open(backup, "rb") as check:
            if check.read() != original:
                raise OSError("the backup did not read back equal")
    except OSError as error:
        if backup is not None:
            with contextlib.suppress(OSError):
                os.unlink(backup)
        raise WriteError(f"{path}: cannot write the fix (no backup could be made: {error.strerror or error}); "
                         f"nothing was changed") from None
    try:
        fd = os.open(target, os.O_WRONLY)
        try:
            os.ftruncate(fd, 0)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        try:
            with open(target, "wb") as restore:
                restore.write(original)
        except OSError:
            raise WriteError(f"{path}: writing the fix failed ({error.strerror or error}) and the file could not be "
                             f"restored: its content is in {backup}") from None
        os.unlink(backup)
        raise WriteError(f"{path}: cannot write the fix ({error.strerror or error}); nothing was changed") from None
    os.unlink(backup)


_cleaned: set = set()


def clean_stale_temporaries(folder: str, now: Optional[float] = None) -> list[str]:
    """Remove the temporaries of killed runs in `folder` (once per folder and process); what was removed.

    Only regular files named exactly as this module names its temporaries, and only those not
    touched for an hour: a run going on next to this one keeps its own.  Backups of in-place
    writes are never removed (a killed in-place write leaves the only full copy there).
    """
    folder = os.path.abspath(folder)
    if now is None and folder in _cleaned:
        return []
    _cleaned.add(folder)
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not _OUR_TEMPORARY.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_AFTER_SECONDS:
                os.unlink(entry.path)
                removed.append(entry.path)
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done, then act on them as before.

    Only the main thread can install handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, lambda number, frame: arrived.append(number))
        except (ValueError, OSError):  # pragma: no cover - not the main interpreter
            pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(arrived):
            handler = previous.get(signum)
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)

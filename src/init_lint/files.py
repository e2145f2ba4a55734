"""Which files a run checks, and how a fix is written back without ever losing one."""

from __future__ import annotations

import os
import stat
import tempfile
from typing import Iterator

from init_lint.config import Settings


def discover(paths: list[str], settings: Settings) -> Iterator[str]:
    """Files matching `include` (Python, notebooks) under `paths`, in a stable order; excluded names skipped.

    A file named explicitly is always checked (so an error about it is never silent); a path that
    does not exist, or is not a file or folder, is yielded as it is and reported by the checker.
    """
    seen: set = set()
    for path in paths:
        if os.path.isdir(path) and not path.endswith(".py"):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not settings.is_excluded(os.path.join(root, d), path))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if settings.is_included(full) and not settings.is_excluded(full, path) and full not in seen:
                        seen.add(full)
                        yield full
        elif path not in seen:
            seen.add(path)
            yield path


def read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


class WriteError(Exception):
    pass


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file's content: a temporary file in the same folder, then a rename.

    The real file behind a symlink is written (the link stays a link), its permissions are kept,
    and a file the user cannot write is refused rather than replaced.
    """
    target = os.path.realpath(path)
    if not os.access(target, os.W_OK):
        raise WriteError(f"{path}: cannot write the fix (the file is read-only); nothing was changed")
    mode = stat.S_IMODE(os.stat(target).st_mode)
    folder = os.path.dirname(target) or "."
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".init-lint-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        raise WriteError(f"{path}: cannot write the fix ({error.strerror or error}); nothing was changed") from None

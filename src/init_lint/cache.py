"""A cache of check results keyed by file content, tool version and settings (like ruff's).

Lives in `.init_lint_cache/` next to the project's pyproject.toml (or the working folder), with a
`.gitignore` inside so it never gets committed.

* Keys hold the file's path relative to the cache's root, and entries hold no path at all: a result
  is printed with the path as the user typed it in this run (`x.py`, not the `./x.py` of an
  earlier `init-lint check .`).
* A damaged entry (unreadable, not JSON, or JSON of the wrong shape) is a cache miss, never an
  error.
* The cache never writes through a symlink: a linked `.init_lint_cache`, `v1` or bucket folder turns
  the cache off for the run, a linked `.gitignore` or entry is left alone (entries are replaced by
  rename, which replaces a link itself, never its target).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from typing import Optional

from init_lint import __version__
from init_lint.config import Settings
from init_lint.diagnostics import SAFE, UNSAFE, Finding

CACHE_DIR = ".init_lint_cache"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Cache:
    def __init__(self, root: str, settings: Settings) -> None:
        self.root = os.path.abspath(root)
        self.base = os.path.join(self.root, CACHE_DIR)
        self.folder = os.path.join(self.base, "v1")
        fingerprint = repr((__version__, settings_key(settings))).encode()
        self.salt = hashlib.sha256(fingerprint).hexdigest()[:16]
        self._ignored = False
        self._unusable = False

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256()
        digest.update(self.salt.encode())
        digest.update(self.relative(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def relative(self, path: str) -> str:
        """The path relative to the cache's root (absolute when it lies elsewhere)."""
        absolute = os.path.abspath(path)
        try:
            relative = os.path.relpath(absolute, self.root)
        except ValueError:  # pragma: no cover - another drive on Windows
            return absolute
        return absolute if relative.startswith(os.pardir) else relative.replace(os.sep, "/")

    def get(self, key: str, path: Optional[str] = None) -> Optional[tuple[list[Finding], Optional[dict]]]:
        """The entry's findings (reported on `path`, as typed in this run) and exports; None on a miss."""
        try:
            fd = os.open(os.path.join(self.folder, key[:2], key), os.O_RDONLY | _NOFOLLOW)
            with os.fdopen(fd, "r", encoding="utf-8") as handle:
                data = json.load(handle)
            if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
                return None
            exports = data.get("exports")
            if exports is not None and not valid_exports(exports):
                return None
            findings = [restored_finding(item, path) for item in data["findings"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
            return None
        if any(f is None for f in findings):
            return None
        return findings, exports

    def put(self, key: str, findings: list[Finding], exports: Optional[dict] = None) -> None:
        if self._unusable:
            return
        folder = os.path.join(self.folder, key[:2])
        temporary = os.path.join(folder, f".{key}.{os.getpid()}")
        try:
            if not all(real_folder(f) for f in (self.base, self.folder, folder)):
                self._unusable = True  # a linked cache folder could point anywhere: no cache this run
                return
            if not self._ignored:
                ensure_gitignore(self.base)
                self._ignored = True
            entry = {"findings": [stored_finding(f) for f in findings], "exports": exports}
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle)
            os.replace(temporary, os.path.join(folder, key))
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def real_folder(path: str) -> bool:
    """Make the folder if needed; whether it is a real folder (not a symlink to one)."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    info = os.lstat(path)
    return stat.S_ISDIR(info.st_mode)


def ensure_gitignore(cache_root: str) -> None:
    """Create `.gitignore` unless something (a file, a symlink, anything) already has the name."""
    try:
        fd = os.open(os.path.join(cache_root, ".gitignore"), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("# Automatically created by init-lint.\n*\n")


def stored_finding(finding: Finding) -> dict:
    data = finding.to_cache()
    data["filename"] = ""  # printed with the path of the run that reads it
    return data


def restored_finding(item: object, path: Optional[str]) -> Optional[Finding]:
    if not isinstance(item, dict):
        return None
    finding = Finding.from_dict(item)
    if path is not None:
        finding = dataclasses.replace(finding, path=path)
    ints = (finding.line, finding.column, finding.end_line, finding.end_column)
    if not (isinstance(finding.code, str) and isinstance(finding.message, str) and isinstance(finding.path, str)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in ints)
            and finding.fix in (None, SAFE, UNSAFE) and isinstance(finding.strict, bool)
            and _valid_depends(finding.depends)):
        return None
    return finding


def _is_level(value: object) -> bool:
    """A `Tri` as stored: NO, FORK, MAYBE or YES (YES too: a way covered below its model is exported as YES)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in (0, 1, 2, 3)


def _valid_ways(ways: object) -> bool:
    return isinstance(ways, (list, tuple)) and all(
        isinstance(w, (list, tuple)) and len(w) == 3 and isinstance(w[0], str) and _is_level(w[1]) and _is_level(w[2])
        for w in ways)


def _valid_depends(depends: object) -> bool:
    if depends == ():
        return True
    if not isinstance(depends, tuple) or len(depends) != 2 or not isinstance(depends[0], str):
        return False
    params = depends[1]
    return isinstance(params, tuple) and all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and _valid_ways(p[1]) for p in params)


def _valid_way_table(table: object) -> bool:
    return isinstance(table, dict) and all(isinstance(k, str) and _valid_ways(v) for k, v in table.items())


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def valid_exports(exports: object) -> bool:
    """Whether `exports` has the shape `project.file_exports` gives (what ProjectIndex reads)."""
    if not isinstance(exports, dict):
        return False
    bindings = exports.get("bindings")
    builds = exports.get("builds")
    maybe = exports.get("maybe_builds")
    return (_strings(exports.get("classes")) and _strings(exports.get("refs")) and _strings(exports.get("local_refs"))
            and isinstance(bindings, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in bindings.items())
            and isinstance(builds, list) and all(isinstance(b, list) and len(b) == 2 and isinstance(b[0], str)
                                                 and _valid_way_table(b[1]) for b in builds)
            and isinstance(maybe, list) and all(_valid_way_table(m) for m in maybe))


def settings_key(settings: Settings) -> tuple:
    return (settings.select, settings.ignore, settings.extend_select, settings.per_file_ignores, settings.strict,
            settings.extra_layers, settings.max_file_size)

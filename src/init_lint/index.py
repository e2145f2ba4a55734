"""The persistent project index: one file per project root, what project mode knows about every file.

`.init_lint_cache/project-<fingerprint>.json` (the fingerprint covers the tool version and the
settings that change findings) holds, for each file of the project, keyed by its path relative to
the root:

* what the file was: size, mtime, content hash, and whether the mtime was too recent to trust
  (an edit in the same clock tick as the read would keep size and mtime: such an entry is
  confirmed by its hash on the next run, as git does with its racily clean entries);
* its findings as the file alone gives them, and its exports (what other files need to know);
* its findings as project mode judged them, with the key of the project state they were judged in
  (the hash of every file's path and content hash): while that state holds, they are reused as they
  are.

A warm run stats every file; only a file whose size or mtime changed is read (and hashed: a touched,
unchanged file is not analyzed again).  The index is written atomically (a temporary file renamed
over it) and never through a symlink; one that cannot be read, is not JSON, or has the wrong shape
or format, or whose hash does not match its content, is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from typing import Optional

from init_lint import __version__
from init_lint.cache import CACHE_DIR, restored_finding, settings_key, stored_finding
from init_lint.cache import ensure_gitignore, real_folder
from init_lint.config import Settings
from init_lint.diagnostics import Finding

FORMAT = 1
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: an mtime closer than this to the moment the file was read may hide a later edit in the same tick
RACY_NS = 2_000_000_000

# Entry fields (a list, not a dict: smaller and faster to load on a tree of thousands of files).
# INTERFACE: the hash of what the file's exports offer to the resolution of others' names (classes,
# imports); LINKS: [the project interface key they were resolved under, where its names lead].
SIZE, MTIME, DIGEST, RACY, FINDINGS, EXPORTS, JUDGED, JUDGED_KEY, INTERFACE, LINKS = range(10)
_FIELDS = 10
_FIELDS_BEFORE_LINKS = 8


class ProjectStore:
    """The index of one project root (`root` None: kept in memory for this run only)."""

    def __init__(self, root: Optional[str], settings: Settings) -> None:
        self.root = os.path.abspath(root) if root is not None else None
        fingerprint = hashlib.sha256(repr((FORMAT, __version__, settings_key(settings))).encode()).hexdigest()[:16]
        self.base = os.path.join(self.root, CACHE_DIR) if self.root is not None else None
        self.path = os.path.join(self.base, f"project-{fingerprint}.json") if self.base is not None else None
        self.fingerprint = fingerprint
        self._prefix = os.path.join(self.root, "") if self.root is not None else ""
        self.entries: dict[str, list] = {}
        self.dirty = False
        if self.path is not None:
            self.entries = _load(self.path, fingerprint)
        #: whether entries came from disk (a failure on them means a damaged index, not a bug)
        self.loaded = bool(self.entries)

    # ------------------------------------------------------------------ paths and freshness

    def relative(self, path: str) -> str:
        """The path relative to the root (absolute when it lies elsewhere, or without a root)."""
        absolute = os.path.abspath(path)
        if self.root is None:
            return absolute
        if absolute.startswith(self._prefix):  # the common case, without os.path.relpath's cost
            return absolute[len(self._prefix):].replace(os.sep, "/")
        try:
            relative = os.path.relpath(absolute, self.root)
        except ValueError:  # pragma: no cover - another drive on Windows
            return absolute
        return absolute if relative.startswith(os.pardir) else relative.replace(os.sep, "/")

    def fresh(self, path: str) -> Optional[list]:
        """The file's entry when the file is still what it was when analyzed; None when it must be read."""
        key = self.relative(path)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            info = os.stat(path)
        except OSError:
            del self.entries[key]
            self.dirty = True
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size != entry[SIZE]:
            return None
        if info.st_mtime_ns == entry[MTIME] and not entry[RACY]:
            return entry
        # Touched, or recorded too soon after an edit to trust the mtime: the content decides.
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry[DIGEST]:
            return None
        entry[MTIME] = info.st_mtime_ns
        entry[RACY] = _racy(info.st_mtime_ns)
        self.dirty = True
        return entry

    def findings(self, entry: list, path: str) -> Optional[list[Finding]]:
        """The entry's own findings, reported on `path`; None when the entry is damaged."""
        return _findings(entry[FINDINGS], path)

    def exports(self, entry: list) -> Optional[dict]:
        """The entry's exports (None: the file exports nothing).  Their shape is trusted: the index's
        hash matched, or this run made them."""
        return entry[EXPORTS]

    def judged(self, entry: list, path: str, project_key: str) -> Optional[list[Finding]]:
        """Project mode's findings for the file when judged in this very project state; else None."""
        if entry[JUDGED_KEY] != project_key or entry[JUDGED] is None:
            return None
        return _findings(entry[JUDGED], path)

    # ------------------------------------------------------------------ recording

    def record(self, path: str, snapshot, findings: list[Finding], exports: Optional[dict]) -> list:
        """A file just analyzed, as it was read (`snapshot`); its entry."""
        entry = [snapshot.size, snapshot.mtime_ns, snapshot.digest, _racy(snapshot.mtime_ns),
                 [stored_finding(f) for f in findings], exports, None, None, interface_digest(exports), None]
        self.entries[self.relative(path)] = entry
        self.dirty = True
        return entry

    def record_judged(self, entry: list, findings: list[Finding], project_key: str) -> None:
        stored = [stored_finding(f) for f in findings]
        if entry[JUDGED_KEY] == project_key and entry[JUDGED] == stored:
            return
        entry[JUDGED] = stored
        entry[JUDGED_KEY] = project_key
        self.dirty = True

    def interface(self, entry: list) -> str:
        if entry[INTERFACE] is None:
            entry[INTERFACE] = interface_digest(entry[EXPORTS])
            self.dirty = True
        return entry[INTERFACE]

    def links(self, entry: list, interface_key: str) -> Optional[dict]:
        """The file's resolved names when resolved under this very project interface; else None."""
        links = entry[LINKS]
        return links[1] if isinstance(links, list) and len(links) == 2 and links[0] == interface_key else None

    def record_links(self, entry: list, interface_key: str, links: dict) -> None:
        entry[LINKS] = [interface_key, links]
        self.dirty = True

    def forget(self, path: str) -> None:
        if self.entries.pop(self.relative(path), None) is not None:
            self.dirty = True

    def save(self) -> None:
        """Write the index atomically, when it changed; never through a symlink, never an error."""
        if not self.dirty or self.path is None:
            return
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            if not real_folder(self.base):
                return  # a linked cache folder could point anywhere: no index this run
            ensure_gitignore(self.base)
            # json.dumps, not json.dump: dump streams through the pure-Python encoder, ten times slower
            body = json.dumps(self.entries, separators=(",", ":")).encode("utf-8", "surrogatepass")
            header = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint,
                      "sha256": hashlib.sha256(body).hexdigest()}
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(header).encode() + b"\n" + body)
            os.replace(temporary, self.path)
            self.dirty = False
        except (OSError, ValueError, TypeError):
            try:
                os.unlink(temporary)
            except OSError:
                pass


def project_key(digests: list) -> str:
    """The key of a project state: every file's path and content hash (`digests`: (path, digest) pairs)."""
    hasher = hashlib.sha256()
    for path, digest in sorted(digests):
        hasher.update(path.encode("utf-8", "surrogateescape"))
        hasher.update(b"\0")
        hasher.update(digest.encode())
        hasher.update(b"\n")
    return hasher.hexdigest()


def interface_digest(exports: Optional[dict]) -> str:
    """What a file offers to the resolution of other files' names: its classes, its imports and its
    factories (a factory's classes count as imported by the files that import it)."""
    if exports is None:
        return ""
    text = json.dumps([exports.get("classes"), exports.get("bindings"), exports.get("factories")], sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _racy(mtime_ns: int) -> bool:
    return time.time_ns() - mtime_ns < RACY_NS


def _findings(items: object, path: str) -> Optional[list[Finding]]:
    if not isinstance(items, list):
        return None
    findings = []
    for item in items:
        try:
            finding = restored_finding(item, path)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
            return None
        if finding is None:
            return None
        findings.append(finding)
    return findings


def _valid_entry(entry: object) -> bool:
    if isinstance(entry, list) and len(entry) == _FIELDS_BEFORE_LINKS:
        entry.extend((None, None))  # written before the links were kept: they are resolved again
    return (isinstance(entry, list) and len(entry) == _FIELDS
            and (entry[INTERFACE] is None or isinstance(entry[INTERFACE], str))
            and all(isinstance(entry[i], int) and not isinstance(entry[i], bool) for i in (SIZE, MTIME))
            and isinstance(entry[DIGEST], str) and isinstance(entry[RACY], bool)
            and isinstance(entry[FINDINGS], list) and (entry[JUDGED] is None or isinstance(entry[JUDGED], list))
            and (entry[JUDGED_KEY] is None or isinstance(entry[JUDGED_KEY], str)))


def _load(path: str, fingerprint: str) -> dict:
    """The entries of the index at `path`; empty when it is missing, damaged or of another format.

    The first line is a header holding the hash of the rest: an index that was truncated, damaged
    or edited by hand no longer matches it and is ignored as a whole.  Entries that match were
    written by init-lint itself, so their exports are not checked shape by shape again (on a large
    tree that check cost more than the whole warm run).
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != __version__ \
                or header.get("fingerprint") != fingerprint or header.get("sha256") != hashlib.sha256(body).hexdigest():
            return {}
        files = json.loads(body)
    except (OSError, ValueError, RecursionError, MemoryError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {key: entry for key, entry in files.items() if isinstance(key, str) and _valid_entry(entry)}

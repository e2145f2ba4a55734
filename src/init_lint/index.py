"""The persistent project index: one per project root, what project mode knows about every file.

Two files in `.init_lint_cache/` (the fingerprint covers the index format, the tool version and the
settings that change findings):

* `project-<fingerprint>.json`, the table: one line of JSON naming the format, the fingerprint, the
  hash of the rest and the data file; then, column by column, for each file of the project (keyed
  by its path relative to the root) what the file was: size, mtime, content hash, whether the mtime
  was too recent to trust (an edit in the same clock tick as the read would keep size and mtime:
  such an entry is confirmed by its hash on the next run, as git does with its racily clean
  entries), the key of what its exports offer to other files' names, and where its payload lies in
  the data file (offset, length, hash).  A warm run reads only this (1.4 MB for 6,800 files).
* `project-<fingerprint>-<token>.data`, the payloads: JSON objects, two per file, each loaded only
  when the run needs it.  Its verdicts: its findings as the file alone gives them, and as project
  mode judged them with the key of the project state they were judged in (the hash of every file's
  path and content hash: while that state holds, they are reused as they are): what `check` reads
  for every file it reports.  Its summary: its exports and its resolved names, which only a run that
  judges findings across files reads, for every file.  A summary is an open dict: another kind of
  summary of the file is one more key (`record(..., extra=)`).

A warm run stats every file; only a file whose size or mtime changed is read (and hashed: a touched,
unchanged file is not analyzed again).  Writing appends the payloads that changed to the data file
and then replaces the table atomically (a temporary file renamed over it): the rename is the
commit, bytes appended by a run that never got there are garbage no table points at.  When garbage
outweighs what is live, the data file is written afresh under a new name.  Nothing is written
through a symlink.  A table that cannot be read, is not JSON, has the wrong shape, format or hash,
or whose data file is missing, is ignored; a payload whose hash does not match (a damaged or
hand-edited data file) raises `DamagedIndex`, and the caller starts again without the index: it is
rebuilt, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import time
from typing import Optional

from init_lint import __version__
from init_lint.cache import CACHE_DIR, restored_finding, settings_key, stored_finding
from init_lint.cache import ensure_gitignore, real_folder
from init_lint.config import Settings
from init_lint.diagnostics import Finding

FORMAT = 2
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
#: an mtime closer than this to the moment the file was read may hide a later edit in the same tick
RACY_NS = 2_000_000_000
#: the data file is written afresh when its garbage is more than this many bytes and more than what is live
GARBAGE_SLACK = 1 << 20
#: a data file no table names, older than this, is left over from a run that never committed
STALE_DATA_S = 3600.0
_COLUMNS = ("path", "size", "mtime", "digest", "racy", "interface", "verdicts", "summary")
#: the payload parts: what a report needs (small, read for every file reported) and what a link needs
VERDICTS, SUMMARY = 0, 1
_PARTS = (VERDICTS, SUMMARY)


class DamagedIndex(ValueError):
    """A payload of the index is not what its table says it is: the index is ignored as a whole."""


class Entry:
    """One file of the index: what it was (always loaded) and its two payloads (each loaded when first needed)."""

    __slots__ = ("size", "mtime", "digest", "racy", "interface", "at", "parts", "changed")

    def __init__(self, size: int, mtime: int, digest: str, racy: bool, interface: Optional[str],
                 verdicts_at: Optional[list], summary_at: Optional[list], parts: Optional[list] = None) -> None:
        self.size = size
        self.mtime = mtime
        self.digest = digest
        self.racy = racy
        self.interface = interface
        self.at = [verdicts_at, summary_at]  # [offset, length, hash] in the data file; None: not written yet
        self.parts = parts if parts is not None else [None, None]
        self.changed = [parts is not None, parts is not None]


class ProjectStore:
    """The index of one project root (`root` None: kept in memory for this run only)."""

    def __init__(self, root: Optional[str], settings: Settings) -> None:
        self.root = os.path.abspath(root) if root is not None else None
        fingerprint = hashlib.sha256(repr((FORMAT, __version__, settings_key(settings))).encode()).hexdigest()[:16]
        self.fingerprint = fingerprint
        self.base = os.path.join(self.root, CACHE_DIR) if self.root is not None else None
        self.path = os.path.join(self.base, f"project-{fingerprint}.json") if self.base is not None else None
        self._prefix = os.path.join(self.root, "") if self.root is not None else ""
        self.entries: dict[str, Entry] = {}
        self.dirty = False
        self._cwd = os.getcwd()
        self._relative: dict[str, str] = {}
        self._data_name: Optional[str] = None  # the data file the table names
        self._data_fd: Optional[int] = None  # opened with the table: a payload is read from what it named
        self._data_size = 0
        self._fresh_data = False  # write every payload to a new data file on the next save
        #: bytes appended to the data file by this store's saves (what tests and benchmarks read)
        self.appended = 0
        if self.path is not None:
            self._load()
        #: whether entries came from disk (a failure on them means a damaged index, not a bug)
        self.loaded = bool(self.entries)

    def close(self) -> None:
        if self._data_fd is not None:
            os.close(self._data_fd)
            self._data_fd = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - at interpreter exit
            pass

    def reset(self) -> None:
        """Forget everything loaded (a damaged index): the next save writes a whole new one."""
        self.entries, self.loaded, self.dirty, self._fresh_data = {}, False, True, True

    # ------------------------------------------------------------------ paths and freshness

    def relative(self, path: str) -> str:
        """The path relative to the root (absolute when it lies elsewhere, or without a root); one
        answer per spelling of a path, kept for the run (a run asks it several times of every file)."""
        known = self._relative.get(path)
        if known is None:
            known = self._relative[path] = self._relative_of(path)
        return known

    def _relative_of(self, path: str) -> str:
        # os.path.abspath, without its getcwd call on every path (the working folder is the run's)
        absolute = os.path.normpath(path if os.path.isabs(path) else os.path.join(self._cwd, path))
        if self.root is None:
            return absolute
        if absolute.startswith(self._prefix):  # the common case, without os.path.relpath's cost
            return absolute[len(self._prefix):].replace(os.sep, "/")
        try:
            relative = os.path.relpath(absolute, self.root)
        except ValueError:  # pragma: no cover - another drive on Windows
            return absolute
        return absolute if relative.startswith(os.pardir) else relative.replace(os.sep, "/")

    def fresh(self, path: str) -> Optional[Entry]:
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
        if info.st_size != entry.size or not stat.S_ISREG(info.st_mode):
            return None
        if info.st_mtime_ns == entry.mtime and not entry.racy:
            return entry
        # Touched, or recorded too soon after an edit to trust the mtime: the content decides.
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry.digest:
            return None
        entry.mtime = info.st_mtime_ns
        entry.racy = _racy(info.st_mtime_ns)
        self.dirty = True
        return entry

    # ------------------------------------------------------------------ payloads

    def part(self, entry: Entry, part: int) -> dict:
        """One payload of the entry, read from the data file the first time (DamagedIndex when it does not match)."""
        found = entry.parts[part]
        if found is None:
            found = entry.parts[part] = self._read_payload(entry.at[part])
        return found

    def summary(self, entry: Entry) -> dict:
        """The entry's summary: exports, resolved names and any other summary recorded with it (`record`'s
        `extra`); whoever changes it in place calls `changed_summary`."""
        return self.part(entry, SUMMARY)

    def changed_summary(self, entry: Entry) -> None:
        self._changed(entry, SUMMARY)

    def _read_payload(self, at: object) -> dict:
        try:
            offset, length, digest = at
            blob = _pread(self._data_fd, length, offset)
        except (OSError, TypeError, ValueError, OverflowError) as error:
            raise DamagedIndex(f"cannot read a payload: {error}") from None
        if len(blob) != length or hashlib.sha256(blob).hexdigest()[:16] != digest:
            raise DamagedIndex("a payload does not match its hash")
        try:
            payload = json.loads(blob)
        except (ValueError, RecursionError) as error:
            raise DamagedIndex(f"a payload is not JSON: {error}") from None
        if not isinstance(payload, dict):
            raise DamagedIndex("a payload of the wrong shape")
        return payload

    def _changed(self, entry: Entry, part: int) -> None:
        entry.changed[part] = True
        self.dirty = True

    def findings(self, entry: Entry, path: str) -> Optional[list[Finding]]:
        """The entry's own findings, reported on `path`; None when the entry is damaged."""
        return _findings(self.part(entry, VERDICTS).get("findings"), path)

    def exports(self, entry: Entry) -> Optional[dict]:
        """The entry's exports (None: the file exports nothing).  Their shape is trusted: the payload's
        hash matched, or this run made them."""
        return self.summary(entry).get("exports")

    def judged(self, entry: Entry, path: str, project_key: str) -> Optional[list[Finding]]:
        """Project mode's findings for the file when judged in this very project state; else None."""
        verdicts = self.part(entry, VERDICTS)
        if verdicts.get("judged_key") != project_key or verdicts.get("judged") is None:
            return None
        return _findings(verdicts["judged"], path)

    # ------------------------------------------------------------------ recording

    def record(self, path: str, snapshot, findings: list[Finding], exports: Optional[dict],
               extra: Optional[dict] = None) -> Entry:
        """A file just analyzed, as it was read (`snapshot`); its entry.  `extra`: more of the file's
        summary (plain data, kept beside its exports)."""
        parts = [{"findings": [stored_finding(f) for f in findings]}, {**(extra or {}), "exports": exports}]
        entry = Entry(snapshot.size, snapshot.mtime_ns, snapshot.digest, _racy(snapshot.mtime_ns),
                      interface_digest(exports), None, None, parts)
        self.entries[self.relative(path)] = entry
        self.dirty = True
        return entry

    def record_judged(self, entry: Entry, findings: list[Finding], project_key: str) -> None:
        verdicts = self.part(entry, VERDICTS)
        stored = [stored_finding(f) for f in findings]
        if verdicts.get("judged_key") == project_key and verdicts.get("judged") == stored:
            return
        verdicts["judged"], verdicts["judged_key"] = stored, project_key
        self._changed(entry, VERDICTS)

    def interface(self, entry: Entry) -> str:
        if entry.interface is None:
            entry.interface = interface_digest(self.exports(entry))
            self.dirty = True
        return entry.interface

    def links(self, entry: Entry, interface_key: str) -> Optional[dict]:
        """The file's resolved names when resolved under this very project interface; else None."""
        links = self.summary(entry).get("links")
        return links[1] if isinstance(links, list) and len(links) == 2 and links[0] == interface_key else None

    def record_links(self, entry: Entry, interface_key: str, links: dict) -> None:
        self.summary(entry)["links"] = [interface_key, links]
        self._changed(entry, SUMMARY)

    def forget(self, path: str) -> None:
        if self.entries.pop(self.relative(path), None) is not None:
            self.dirty = True

    # ------------------------------------------------------------------ reading and writing

    def _load(self) -> None:
        """The table at `self.path` and its data file; nothing when missing, damaged or of another format.

        The first line holds the hash of the rest: a table that was truncated, damaged or edited by
        hand no longer matches it and is ignored as a whole.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
            with os.fdopen(fd, "rb") as handle:
                data = handle.read()
            head, _, body = data.partition(b"\n")
            header = json.loads(head)
            if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != __version__ \
                    or header.get("fingerprint") != self.fingerprint \
                    or header.get("sha256") != hashlib.sha256(body).hexdigest():
                return
            name = header.get("data")
            columns = json.loads(body)
        except (OSError, ValueError, RecursionError, MemoryError):
            return
        entries = _entries(columns)
        if entries is None or not isinstance(name, str) or name != os.path.basename(name) \
                or not name.startswith(f"project-{self.fingerprint}-") or not name.endswith(".data"):
            return
        try:
            data_fd = os.open(os.path.join(self.base, name), os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return
        info = os.fstat(data_fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(data_fd)
            return
        self.entries, self._data_name, self._data_fd, self._data_size = entries, name, data_fd, info.st_size

    def save(self) -> None:
        """Write what changed, when something did; never through a symlink, never an error."""
        if not self.dirty or self.path is None:
            return
        temporary = f"{self.path}.{os.getpid()}.tmp"
        written: Optional[str] = None  # a new data file, removed again if the table is not replaced
        try:
            if not real_folder(self.base):
                return  # a linked cache folder could point anywhere: no index this run
            ensure_gitignore(self.base)
            pending = [(e, p) for e in self.entries.values() for p in _PARTS if e.changed[p] or e.at[p] is None]
            name = self._data_name
            if name is None or self._fresh_data:
                written = name = self._rewrite({})
            else:
                blobs = {(e, p): _blob(self.part(e, p)) for e, p in pending}
                appended = sum(len(b) for b in blobs.values())
                live = appended + sum(e.at[p][1] for e in self.entries.values() for p in _PARTS
                                      if e.at[p] is not None and not e.changed[p])
                if self._data_size + appended - live > max(live, GARBAGE_SLACK) or not self._append(blobs):
                    written = name = self._rewrite(blobs)
            body = json.dumps(self._columns(), separators=(",", ":")).encode("utf-8", "surrogatepass")
            header = {"format": FORMAT, "version": __version__, "fingerprint": self.fingerprint,
                      "sha256": hashlib.sha256(body).hexdigest(), "data": name}
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC, 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(header).encode() + b"\n" + body)
            os.replace(temporary, self.path)
            written = None
            for entry, part in pending:
                entry.changed[part] = False
            self.dirty = False
            if name != self._data_name:
                self._switch_data(name)
        except (OSError, ValueError, TypeError):
            for leftover in (temporary, written and os.path.join(self.base, written)):
                try:
                    if leftover:
                        os.unlink(leftover)
                except OSError:
                    pass

    def _append(self, blobs: dict) -> bool:
        """Append the changed payloads (`blobs`: (entry, part) -> bytes) to the data file this store read;
        False when it cannot (then the data file is written afresh)."""
        if not blobs:
            return True
        try:
            fd = os.open(os.path.join(self.base, self._data_name), os.O_WRONLY | os.O_APPEND | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return False
        try:
            mine, there = os.fstat(self._data_fd), os.fstat(fd)
            if (mine.st_dev, mine.st_ino) != (there.st_dev, there.st_ino) or not stat.S_ISREG(there.st_mode):
                return False  # replaced since it was read (another run wrote it afresh)
            batch = b"".join(blobs.values())
            # One write with O_APPEND: another run's appends land before or after it, never inside.
            if os.write(fd, batch) != len(batch):
                return False  # the part that was written is garbage no table points at
            end = os.lseek(fd, 0, os.SEEK_CUR)
        finally:
            os.close(fd)
        offset = end - len(batch)
        for (entry, part), blob in blobs.items():
            entry.at[part] = [offset, len(blob), _hash(blob)]
            offset += len(blob)
        self._data_size = max(self._data_size, end)
        self.appended += len(batch)
        return True

    def _rewrite(self, blobs: dict) -> str:
        """Every payload into a new data file (exclusively created: never a link); its name.  `blobs`:
        the changed payloads already serialized."""
        name = f"project-{self.fingerprint}-{secrets.token_hex(6)}.data"
        chunks, offset = [], 0
        for entry in self.entries.values():
            for part in _PARTS:
                at = entry.at[part]
                if entry.changed[part] or at is None:
                    blob = blobs.get((entry, part)) or _blob(self.part(entry, part))
                    entry.at[part] = [offset, len(blob), _hash(blob)]
                else:  # as it is, even when loaded (read back, it is checked against the same hash)
                    blob = self._raw(at)
                    entry.at[part] = [offset, len(blob), at[2]]
                chunks.append(blob)
                offset += len(blob)
        fd = os.open(os.path.join(self.base, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join(chunks))
        self.appended += offset
        self._fresh_data = False
        return name

    def _raw(self, at: list) -> bytes:
        blob = _pread(self._data_fd, at[1], at[0]) if self._data_fd is not None else b""
        if len(blob) != at[1]:
            raise DamagedIndex("the data file is shorter than its table says")
        return blob

    def _switch_data(self, name: str) -> None:
        """The table now names `name`: read from it from now on, and remove the data file it replaced
        (a run still reading that one keeps its open descriptor) and leftovers of runs that never
        committed."""
        old = self._data_name
        self.close()
        self._data_fd = os.open(os.path.join(self.base, name), os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        self._data_size = os.fstat(self._data_fd).st_size
        self._data_name = name
        now = time.time()
        prefix = f"project-{self.fingerprint}-"
        for other in os.listdir(self.base):
            if other == name or not (other.startswith(prefix) and other.endswith(".data")):
                continue
            try:
                if other == old or now - os.lstat(os.path.join(self.base, other)).st_mtime > STALE_DATA_S:
                    os.unlink(os.path.join(self.base, other))
            except OSError:
                pass

    def _columns(self) -> dict:
        entries = self.entries.values()
        return {"path": list(self.entries), "size": [e.size for e in entries], "mtime": [e.mtime for e in entries],
                "digest": [e.digest for e in entries], "racy": [e.racy for e in entries],
                "interface": [e.interface for e in entries], "verdicts": [e.at[VERDICTS] for e in entries],
                "summary": [e.at[SUMMARY] for e in entries]}


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


def _pread(fd: int, length: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, length, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows (one store, one thread reads it)
    return os.read(fd, length)  # pragma: no cover


def _racy(mtime_ns: int) -> bool:
    return time.time_ns() - mtime_ns < RACY_NS


def _blob(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode("utf-8", "surrogatepass") + b"\n"


def _hash(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:16]


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


def _ints(values: object) -> bool:
    return all(type(v) is int for v in values)  # noqa: E721  (a bool is not a size)


def _entries(columns: object) -> Optional[dict]:
    """The table's entries by path; None when a column is missing or of the wrong shape."""
    if not isinstance(columns, dict) or not all(isinstance(columns.get(c), list) for c in _COLUMNS):
        return None
    paths, sizes, mtimes, digests, racy, interfaces, verdicts, summaries = (columns[c] for c in _COLUMNS)
    count = len(paths)
    if not all(len(columns[c]) == count for c in _COLUMNS) or len(set(paths)) != count:
        return None
    if not (all(type(p) is str for p in paths) and _ints(sizes) and _ints(mtimes)  # noqa: E721
            and all(type(d) is str for d in digests) and all(type(r) is bool for r in racy)  # noqa: E721
            and all(i is None or type(i) is str for i in interfaces)  # noqa: E721
            and _places(verdicts) and _places(summaries)):
        return None
    rows = zip(paths, sizes, mtimes, digests, racy, interfaces, verdicts, summaries)
    return {path: Entry(*row) for path, *row in rows}


def _places(column: list) -> bool:
    return all(type(a) is list and len(a) == 3 and type(a[0]) is int and type(a[1]) is int  # noqa: E721
               and a[0] >= 0 and a[1] > 0 and type(a[2]) is str for a in column)  # noqa: E721

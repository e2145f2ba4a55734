"""Project mode as one function, for every front end: `check DIR`, `check --project FILES`, stdin,
the API and the language server.

`check_project` checks the files (and the context files around them), judges INI001 across the
whole project (`project.ProjectIndex`), and fixes what survived when asked.  With an index root it
keeps the persistent project index (`index.py`): a warm run reads and analyzes only the files that
changed, and reuses each file's judged findings while the project is in the state it was judged in;
a file whose findings do not depend on other files (no INI001 with a way through a model) is never
judged at all.  `project_exports` gives the language server every file's exports from the same index.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Optional

from init_lint.config import Settings
from init_lint.engine import FileOutcome, Mode, run
from init_lint.index import ProjectStore, interface_digest, project_key


def check_project(files: list[str], settings: Settings, mode: Mode = Mode(), *, context: Iterable[str] = (),
                  jobs: int = 0, index_root: Optional[str] = None,
                  sources: Optional[dict] = None) -> list[FileOutcome]:
    """One outcome per file of `files` (in order), judged with `files` and `context` as the project.

    `context` files take part in the judgement and are never reported nor fixed.  `index_root`
    (the project's root, where `.init_lint_cache/` lives) keeps the persistent index; None: this
    run only.  `sources` maps a path of `files` to its live text (bytes: stdin, an editor's buffer),
    checked instead of the file on disk and never stored in the index.
    """
    store = ProjectStore(index_root, settings)
    context = list(context)
    try:
        return _trusting_the_index(store, lambda: _check_project(store, files, settings, mode, context, jobs,
                                                                 sources or {}))
    finally:
        store.close()


def _trusting_the_index(store: ProjectStore, work):
    """`work()`; run again without the index when what the index held broke it."""
    try:
        return work()
    except (TypeError, KeyError, ValueError, AttributeError, IndexError, RecursionError):
        if not store.loaded:
            raise  # a bug of this run's own making: not the index's
        # Payloads that do not match their hash (DamagedIndex), or entries whose exports are not what
        # init-lint writes (an index edited by hand, hashes and all): start again as if there were no index.
        store.reset()
        return work()


def project_index(path: str, settings: Settings, *, context: Iterable[str] = (), jobs: int = 0,
                  index_root: Optional[str] = None, sources: Optional[dict] = None):
    """The linked `project.ProjectIndex` that judges `path` with `context` around it, exactly as
    `check_project([path], ...)` judges it (what `init-lint explain` asks for its reasons), and the
    path's key in it (None when the file could not be read)."""
    store = ProjectStore(index_root, settings)
    try:
        def work() -> tuple:
            _, _, _, judge = _gather(store, [path], settings, list(context), jobs, sources or {})
            index = judge.index
            store.save()
            return index, index.paths.get(path)

        return _trusting_the_index(store, work)
    finally:
        store.close()


def _gather(store: ProjectStore, files: list[str], settings: Settings, context: Iterable[str], jobs: int,
            sources: dict) -> tuple:
    """(every file's index entry, the named files' outcomes, the project's key, the judge)."""
    relative = store.relative  # the one spelling of a path the run compares
    named = {relative(f) for f in files}
    everything = list(files) + [f for f in context if relative(f) not in named]
    entries, outcomes = _refresh(store, [p for p in everything if p not in sources], settings, jobs, named)
    digests = {p: entries[p].digest for p in entries}
    live_exports = {}
    for path, data in sources.items():
        outcomes[path], live_exports[path] = _check_live(path, data, settings)
        digests[path] = "live:" + hashlib.sha256(data).hexdigest()
    key = project_key([(relative(p), digests.get(p, "")) for p in everything])
    return entries, outcomes, key, _Judge(store, entries, live_exports, everything, settings)


def _check_project(store: ProjectStore, files: list[str], settings: Settings, mode: Mode, context: Iterable[str],
                   jobs: int, sources: dict) -> list[FileOutcome]:
    entries, outcomes, key, judge = _gather(store, files, settings, context, jobs, sources)
    checked = []
    for path in files:
        outcome = outcomes.get(path)
        if outcome is None:
            outcome = FileOutcome(path, store.findings(entries[path], path))
        outcome.exports = None
        entry = entries.get(path) if path not in sources else None
        if any(f.depends for f in outcome.findings):
            judged = store.judged(entry, path, key) if entry is not None else None
            if judged is None:
                judged = judge(path, outcome.findings)
                if entry is not None:
                    store.record_judged(entry, judged, key)
            outcome.findings = judged
        checked.append(outcome)
    store.save()
    if not (mode.fix or mode.diff):
        return checked
    to_fix = {o.path: frozenset((f.line, f.column, f.code) for f in o.findings) for o in checked
              if any(f.fix is not None for f in o.findings) and o.path not in sources}
    fixed = {o.path: o for o in run(list(to_fix), settings, mode, jobs, None, keep=to_fix)}
    return [fixed.get(o.path, o) for o in checked]


def project_exports(files: list[str], settings: Settings, *, jobs: int = 0, index_root: Optional[str] = None,
                    store: Optional[ProjectStore] = None) -> list[tuple[str, Optional[dict]]]:
    """(path, exports) for every file, from the project index (analyzing only what changed).

    `store`: an index the caller keeps open and saves when it sees fit (the language server writes
    what several saves changed at once); without one, the index of `index_root`, saved at once.
    """
    own = store is None
    if store is None:
        store = ProjectStore(index_root, settings)
    try:
        def work() -> list:
            entries, _ = _refresh(store, list(files), settings, jobs, set())
            found = [(path, store.exports(entries[path]) if path in entries else None) for path in files]
            if own:
                store.save()
            return found

        return _trusting_the_index(store, work)
    finally:
        if own:
            store.close()


def _refresh(store: ProjectStore, paths: list[str], settings: Settings, jobs: int,
             named: set) -> tuple[dict, dict]:
    """Every path's up-to-date index entry (stale ones analyzed again, in parallel when it pays), and
    the outcomes of the files of `named` (paths as `store.relative` gives them) that were analyzed or
    could not be read."""
    entries: dict = {}
    stale = []
    for path in paths:
        entry = store.fresh(path)
        if entry is None or (store.relative(path) in named and store.findings(entry, path) is None):
            stale.append(path)  # (a context file's findings are never read: not restored here)
        else:
            entries[path] = entry
    outcomes: dict[str, FileOutcome] = {}
    for outcome in run(stale, settings, Mode(exports=True), jobs, None):
        if outcome.error is None and outcome.snapshot is not None:
            entries[outcome.path] = store.record(outcome.path, outcome.snapshot, outcome.findings, outcome.exports)
        else:
            store.forget(outcome.path)
        if store.relative(outcome.path) in named:
            outcomes[outcome.path] = outcome
    return entries, outcomes


def _check_live(path: str, data: bytes, settings: Settings) -> tuple[FileOutcome, Optional[dict]]:
    from init_lint.engine import _plain
    from init_lint.checker import check_source_with_analysis
    from init_lint.project import file_exports, import_only_exports

    findings, analysis = check_source_with_analysis(data, path, settings)
    exports = file_exports(analysis) if analysis is not None else import_only_exports(data)
    return FileOutcome(path, [_plain(f) for f in findings]), exports


class _Judge:
    """INI001 across files: the project's index is linked once, on the first finding that needs it.

    Linking resolves every file's names across the project; while no file's name, classes or
    imports changed (the project's interface key), each file's resolution is taken from the index,
    and only the files analyzed again are resolved: a pre-commit run re-links one file, not 5,000.
    """

    def __init__(self, store: ProjectStore, entries: dict, live: dict, order: list, settings: Settings) -> None:
        self.store = store
        self.entries = entries
        self.live = live
        self.order = order
        self.settings = settings
        self._index = None

    @property
    def index(self):
        """The project's index, linked on first use."""
        if self._index is None:
            self._index = self._link()
        return self._index

    def __call__(self, path: str, findings: list) -> list:
        judged = (self.index.judge(f, path, self.settings.strict) for f in findings)
        return [f for f in judged if f is not None]

    def _link(self):
        from init_lint.project import ProjectIndex

        index = ProjectIndex()
        for other in self.order:  # in the run's order: the first spelling of a file is the one judged
            if other in self.live:
                index.add(other, self.live[other])
            elif other in self.entries:
                index.add(other, self.store.exports(self.entries[other]))
        relative = self.store.relative
        path_of: dict = {}
        for other in self.order:
            key = index.paths.get(other)
            if key is not None and key not in path_of:
                path_of[key] = other
        rel_of = {key: relative(other) for key, other in path_of.items()}
        key_of = {rel: key for key, rel in rel_of.items()}
        interface = hashlib.sha256()
        for key in sorted(path_of, key=rel_of.__getitem__):
            other = path_of[key]
            digest = interface_digest(self.live[other]) if other in self.live else \
                self.store.interface(self.entries[other])
            interface.update(repr((rel_of[key], index.dotted[key], relative(index.roots[key]), key in index.packages,
                                   digest)).encode("utf-8", "surrogateescape"))
        interface_key = interface.hexdigest()
        known = {}
        for key, other in path_of.items():
            if other in self.live:
                continue
            stored = self.store.links(self.entries[other], interface_key)
            decoded = _decode(stored, key_of) if stored is not None else None
            if decoded is not None:
                known[key] = decoded
        index.link(known)
        for key, resolution in index.resolved.items():
            other = path_of.get(key)
            if key not in known and other is not None and other not in self.live:
                self.store.record_links(self.entries[other], interface_key, _encode(resolution, rel_of))
        return index


def _encode(resolution: dict, rel_of: dict) -> dict:
    def found(item):
        return None if item is None else [rel_of[item[0]], item[1]]

    return {"builds": [found(f) for f in resolution["builds"]], "refs": [found(f) for f in resolution["refs"]],
            "imported": [found(f) for f in resolution["imported"]], "stars": [rel_of[m] for m in resolution["stars"]],
            "sources": [rel_of[m] for m in resolution["sources"]]}


def _decode(stored: object, key_of: dict) -> Optional[dict]:
    """A stored resolution with this run's module keys; None when it does not fit (then resolved again)."""
    try:
        def found(item):
            return None if item is None else (key_of[item[0]], item[1])

        return {"builds": [found(f) for f in stored["builds"]], "refs": [found(f) for f in stored["refs"]],
                "imported": [found(f) for f in stored["imported"]], "stars": [key_of[m] for m in stored["stars"]],
                "sources": [key_of[m] for m in stored["sources"]]}
    except (KeyError, TypeError, IndexError):
        return None

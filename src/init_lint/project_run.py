"""Project mode as one function, for every front end: `check DIR`, `check --project FILES`, the API.

`check_project` checks the files (and the context files around them), judges INI001 across the
whole project (`project.ProjectIndex`), and fixes what survived when asked.  With an index root it
keeps the persistent project index (`index.py`): a warm run reads and analyzes only the files that
changed, and reuses each file's judged findings while the project is in the state it was judged in;
a file whose findings do not depend on other files (no INI001 with a way through a model) is never
judged at all.
"""

from __future__ import annotations

import os
from typing import Iterable, Optional

from init_lint.config import Settings
from init_lint.engine import FileOutcome, Mode, run
from init_lint.index import DIGEST, ProjectStore, project_key


def check_project(files: list[str], settings: Settings, mode: Mode = Mode(), *, context: Iterable[str] = (),
                  jobs: int = 0, index_root: Optional[str] = None) -> list[FileOutcome]:
    """One outcome per file of `files` (in order), judged with `files` and `context` as the project.

    `context` files take part in the judgement and are never reported nor fixed.  `index_root`
    (the project's root, where `.init_lint_cache/` lives) keeps the persistent index; None: this
    run only.
    """
    store = ProjectStore(index_root, settings)
    named = {os.path.abspath(f) for f in files}
    everything = list(files) + [f for f in context if os.path.abspath(f) not in named]
    entries: dict[str, list] = {}
    stale = []
    for path in everything:
        entry = store.fresh(path)
        if entry is None or store.findings(entry, path) is None:
            stale.append(path)
        else:
            entries[path] = entry
    fresh_outcomes: dict[str, FileOutcome] = {}
    for outcome in run(stale, settings, Mode(exports=True), jobs, None):
        if outcome.error is None and outcome.snapshot is not None:
            entries[outcome.path] = store.record(outcome.path, outcome.snapshot, outcome.findings, outcome.exports)
        else:
            store.forget(outcome.path)
        if os.path.abspath(outcome.path) in named:
            fresh_outcomes[outcome.path] = outcome
    key = project_key([(store.relative(p), entries[p][DIGEST] if p in entries else "") for p in everything])
    judge = _Judge(store, entries, everything, settings)
    checked = []
    for path in files:
        outcome = fresh_outcomes.get(path)
        if outcome is None:
            outcome = FileOutcome(path, store.findings(entries[path], path))
        outcome.exports = None
        entry = entries.get(path)
        if entry is not None and any(f.code == "INI001" and f.depends for f in outcome.findings):
            judged = store.judged(entry, path, key)
            if judged is None:
                judged = judge(path, outcome.findings)
                store.record_judged(entry, judged, key)
            outcome.findings = judged
        checked.append(outcome)
    store.save()
    if not (mode.fix or mode.diff):
        return checked
    to_fix = {o.path: frozenset((f.line, f.column, f.code) for f in o.findings) for o in checked
              if any(f.fix is not None for f in o.findings)}
    fixed = {o.path: o for o in run(list(to_fix), settings, mode, jobs, None, keep=to_fix)}
    return [fixed.get(o.path, o) for o in checked]


class _Judge:
    """INI001 across files: the project's index is linked once, on the first finding that needs it."""

    def __init__(self, store: ProjectStore, entries: dict, order: list, settings: Settings) -> None:
        self.store = store
        self.entries = entries
        self.order = order
        self.settings = settings
        self._index = None

    def __call__(self, path: str, findings: list) -> list:
        if self._index is None:
            from init_lint.project import ProjectIndex

            self._index = ProjectIndex()
            for other in self.order:  # in the run's order: the first spelling of a file is the one judged
                if other in self.entries:
                    self._index.add(other, self.store.exports(self.entries[other]))
            self._index.link()
        judged = (self._index.judge(f, path, self.settings.strict) for f in findings)
        return [f for f in judged if f is not None]

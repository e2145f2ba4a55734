"""One checked version of one editor document, and what the language server derives from it.

Everything here runs in the server's worker threads, never on its event loop: the check itself,
the project judgement, and the fixes (computed on the first code action that needs them, then
kept for as long as the version is current).  No pygls in here.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from init_lint.config import ConfigError, Settings, find_pyproject, load_settings
from init_lint.diagnostics import Finding
from init_lint.frontends import lsp_fixes
from init_lint.frontends._source import encode_as_declared
from init_lint.frontends.lsp_incremental import IncrementalChecker

log = logging.getLogger(__name__)

#: how often each costly step ran, by (step, uri): the server answers `init-lint/stats` with it
#: (tests and the benchmark read it to tell a cached answer from a computed one)
RUNS: Counter = Counter()
_RUNS_LOCK = threading.Lock()


def count(step: str, uri: str) -> None:
    with _RUNS_LOCK:
        RUNS[step, uri] += 1


def settings_for(path: Optional[str]) -> Settings:
    """The `[tool.init-lint]` settings that apply to a file (defaults for unsaved, untitled documents)."""
    if path is None:
        return Settings()
    config = find_pyproject(Path(path))
    return load_settings(config) if config is not None else Settings()


@dataclass
class DocumentState:
    """The analysis of one document version; its fixes are computed once, on first request."""

    uri: str
    version: Optional[int]
    text: str
    path: str
    settings: Optional[Settings]
    #: the file's own findings (what `init-lint check FILE` reports)
    findings: list
    #: what the editor shows: the findings as project mode judges them
    judged: list
    #: what the file tells the project about itself (project mode), None when it has no project
    exports: Optional[dict] = None
    config_error: Optional[str] = None
    checker: Optional[IncrementalChecker] = field(default=None, repr=False)
    #: the project the document belongs to (lsp_project.ProjectContext), None when it has none
    context: Optional[object] = field(default=None, repr=False)
    #: the analysis whose exports are still to be computed (see `analyze`), else None
    pending_exports: Optional[object] = field(default=None, repr=False)
    #: whether the project context was loaded when the findings were judged
    judged_in_context: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _fix: Optional[tuple] = field(default=None, repr=False)
    _edits: dict = field(default_factory=dict, repr=False)
    _fix_all_edits: Optional[list] = field(default=None, repr=False)
    _own_fixes: Optional[dict] = field(default=None, repr=False)
    _own_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- what lsp_fixes reads -------------------------------------------------------------
    def fix_all(self) -> tuple:
        """(fixed text, applied findings) of the whole-file fix; the text unchanged when nothing could be fixed.

        Only the findings the editor shows are fixed (project mode may have judged others covered).
        """
        if self._fix is None:
            from init_lint.fixes.apply import FixError, fix_source

            count("fix", self.uri)
            data, encoding = encode_as_declared(self.text)
            shown = {id(f) for f in self.judged}
            keep = None
            if any(id(f) not in shown for f in self.findings):
                keep = frozenset((f.line, f.column, f.code) for f in self.judged)
            try:
                result = fix_source(data, self.path, self.settings, keep=keep)
                self._fix = (result.source.decode(encoding), list(result.fixed))
            except FixError as error:
                log.warning("%s", error)
                self._fix = (self.text, [])
        return self._fix

    def own_fixes(self) -> dict:
        """Each finding's own Fix (the fixer's edits of this text), keyed by `lsp_fixes.identity`;
        built once per version, ahead of the first quick fix (the server prepares them once the user
        pauses) or on it."""
        with self._own_lock:
            return self._build_own_fixes()

    def _build_own_fixes(self) -> dict:
        if self._own_fixes is None:
            from init_lint.fixes.apply import fixes_of

            count("own-fixes", self.uri)
            try:
                built = fixes_of(encode_as_declared(self.text)[0], self.path, self.settings)
            except Exception as error:  # a bug in the fixer must not take the server down
                log.warning("%s: %s", type(error).__name__, error)
                built = []
            self._own_fixes = {lsp_fixes.identity(f): f.fix_edits for f in built if f.fix_edits is not None}
        return self._own_fixes

    # --- what the server asks ----------------------------------------------------------------
    def has_edits(self, finding: Finding) -> bool:
        return id(finding) in self._edits

    def has_fix_all_edits(self) -> bool:
        return self._fix_all_edits is not None

    def prepare(self, findings: list, fix_all: bool) -> None:
        """Compute (in a worker) the quick fixes of `findings` and, if asked, the "fix all" edits."""
        with self._lock:
            for finding in findings:
                if id(finding) not in self._edits:
                    count("edits", self.uri)
                    self._edits[id(finding)] = lsp_fixes.edits_for(finding, self)
            if fix_all and self._fix_all_edits is None:
                self._fix_all_edits = lsp_fixes.fix_all_edits(self)

    def edits(self, finding: Finding) -> Optional[list]:
        """The cached quick fix of a finding (after `prepare`)."""
        return self._edits.get(id(finding))

    def fix_all_edits(self) -> list:
        return self._fix_all_edits or []

    def rejudged(self) -> "DocumentState":
        """This state judged again (its project context was loaded or refreshed, or its own exports
        computed); fixes computed anew."""
        exports = self.exports
        if self.pending_exports is not None:
            exports = _exports(self.pending_exports, self.text)
        loaded = self.context is not None and self.context.ready.is_set()  # before judging: never too late
        judged = self.context.judge(self.path, self.findings, exports) if self.context is not None else self.judged
        return DocumentState(self.uri, self.version, self.text, self.path, self.settings, self.findings, judged,
                             exports, self.config_error, self.checker, self.context,
                             judged_in_context=loaded)

    def needs_judging(self) -> bool:
        """Whether the judgement is to be done again: with this version's own exports, or because
        the project context was loaded after it."""
        return self.pending_exports is not None or (
            self.context is not None and not self.judged_in_context and self.context.ready.is_set())


def analyze(uri: str, version: Optional[int], text: str, on_disk: Optional[str], checker: IncrementalChecker,
            contexts, stale: Callable[[], bool], previous: Optional[DocumentState] = None) -> DocumentState:
    """Check one document version (in a worker).  Raises lsp_incremental.Cancelled when `stale()`.

    In a project, the document's own exports (what project mode knows of it) cost about as much
    as the check after an edit, and an edit rarely changes them: the findings are judged with the
    best exports known (the previous version's, else the file's on disk), and the state says
    (`pending_exports`) that they are to be computed; the server then judges again and publishes
    again only if the judgement changed.
    """
    path = on_disk or uri
    try:
        settings = settings_for(on_disk)
    except ConfigError as error:
        return DocumentState(uri, version, text, path, None, [], [], config_error=str(error), checker=checker)
    count("check", uri)
    findings, analysis = checker.check(text, path, settings, stale)
    context = contexts.for_document(on_disk, settings) if contexts is not None else None
    if context is None:
        return DocumentState(uri, version, text, path, settings, findings, findings, checker=checker)
    context.wait(stale)
    if previous is not None and previous.context is context and previous.exports is not None:
        exports = previous.exports
    else:
        exports = context.exports_on_disk(path)
    loaded = context.ready.is_set()
    return DocumentState(uri, version, text, path, settings, findings, context.judge(path, findings, exports),
                         exports, checker=checker, context=context,
                         pending_exports=analysis if analysis is not None else False, judged_in_context=loaded)


def _exports(analysis, text: str) -> Optional[dict]:
    from init_lint.project import file_exports, import_only_exports

    count("exports", "")
    return file_exports(analysis) if analysis else import_only_exports(encode_as_declared(text)[0])

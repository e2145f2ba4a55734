"""One checked version of one editor document, and what the language server derives from it.

Everything here runs in the server's worker threads, never on its event loop: the check itself,
the project judgement, and the fixes (built from the check's own analysis, ahead of time while the
user pauses or on the first code action that needs them, then kept for as long as the version is
current).  No pygls in here.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from init_lint.config import ConfigError, Settings, find_pyproject, load_settings
from init_lint.diagnostics import SAFE, Finding
from init_lint.frontends import lsp_fixes
from init_lint.fixes.edits import apply_edits
from init_lint.frontends._source import encode_as_declared
from init_lint.frontends.lsp_incremental import Cancelled, Checked, IncrementalChecker

log = logging.getLogger(__name__)

__all__ = ["Cancelled", "DocumentState", "VersionFixes", "analyze", "count", "explain_line", "settings_for"]

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
    """The analysis of one document version; its fixes (`fixes`) are built once, ahead or on first request."""

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
    #: the fixes of this version (shared by its judgements: the text and the analysis are the same)
    fixes: Optional["VersionFixes"] = field(default=None, repr=False)

    def rejudged(self) -> "DocumentState":
        """This state judged again (its project context was loaded or refreshed, or its own exports
        computed); the fixes are the same version's (built once for both)."""
        exports = self.exports
        if self.pending_exports is not None:
            exports = _exports(self.pending_exports, self.text)
        loaded = self.context is not None and self.context.ready.is_set()  # before judging: never too late
        judged = self.context.judge(self.path, self.findings, exports) if self.context is not None else self.judged
        return DocumentState(self.uri, self.version, self.text, self.path, self.settings, self.findings, judged,
                             exports, self.config_error, self.checker, self.context,
                             judged_in_context=loaded, fixes=self.fixes)

    def shown_fixable(self) -> list:
        """The findings shown with a safe fix (what quick fixes and "fix all" are offered for)."""
        return [f for f in self.judged if f.fix == SAFE] if self.fixes is not None else []

    def needs_judging(self) -> bool:
        """Whether the judgement is to be done again: with this version's own exports, or because
        the project context was loaded after it."""
        return self.pending_exports is not None or (
            self.context is not None and not self.judged_in_context and self.context.ready.is_set())


class VersionFixes:
    """The fixes of one checked version, from its check's analysis; each built once; thread-safe.

    A quick fix costs a millisecond or so once the version is checked: nothing waits for a second
    check.  "Fix all" is the first round of `init-lint check --fix` assembled from the same fixes,
    its result parsed (`lsp_fixes.parses`); only where fixes overlap does it run `fix_source`
    itself, for the rounds after the first.
    """

    def __init__(self, uri: str, text: str, path: str, settings: Settings, checked: Checked,
                 checker: Optional[IncrementalChecker]) -> None:
        self.uri, self.text, self.path, self.settings, self.checker = uri, text, path, settings, checker
        self.analysis, self.locate = checked.analysis, checked.locate
        #: the text the analysis read (a BOM is not part of it)
        self.analyzed = text[1:] if text.startswith(lsp_fixes.BOM) else text
        self._lock = threading.RLock()
        self._all_lock = threading.Lock()
        self._context = None
        self._own: dict = {}
        self._quick: dict = {}
        self._all: dict = {}
        self._places: Optional[dict] = None

    def own(self, finding: Finding):
        """The finding's own Fix (None: it has none)."""
        key = lsp_fixes.identity(finding)
        with self._lock:
            if key not in self._own:
                self._own[key] = self._build(finding)
            return self._own[key]

    def _build(self, finding: Finding):
        if self.analysis is None or finding.plan is None or finding.fix != SAFE:
            return None
        count("own-fix", self.uri)
        try:
            return lsp_fixes.own_fix(finding, self._fix_context())
        except Exception as error:  # a bug in the fixer must not take the server down
            log.warning("%s: %s", type(error).__name__, error)
            return None

    def _fix_context(self):
        if self._context is None:
            self._context = lsp_fixes.fix_context(self.analysis, self.analyzed, self.settings.fix_style == "skip-init",
                                                  self.locate)
        return self._context

    def prepare(self, findings: list, stale: Callable[[], bool]) -> None:
        """Build the findings' own fixes ahead of the quick fixes an editor asks for; stops once `stale()`."""
        for finding in findings:
            if stale():
                return
            self.own(finding)

    def places(self) -> dict:
        """Where every node `init-lint explain` mentions stands (by id), placed once per version (hover)."""
        with self._lock:
            if self._places is None:
                from init_lint.explain import explained_nodes
                from init_lint.positions import locate

                self._places = (self.locate or locate)(self.analysis.module, self.analyzed,
                                                       explained_nodes(self.analysis))
            return self._places

    def has_quick_fix(self, finding: Finding) -> bool:
        return lsp_fixes.identity(finding) in self._quick

    def quick_fix(self, finding: Finding) -> Optional[list]:
        """The Hunks of the finding's own fix applied alone, or None."""
        key = lsp_fixes.identity(finding)
        with self._lock:
            if key not in self._quick:
                fix = self.own(finding)
                hunks = None
                if fix is not None:
                    count("edits", self.uri)
                    fixed = apply_edits(self.analyzed, list(fix.edits))
                    hunks = lsp_fixes.with_bom(self.text, self.analyzed, fixed, list(fix.edits))
                self._quick[key] = hunks
            return self._quick[key]

    def has_fix_all(self, judged: list) -> bool:
        return _shown(judged) in self._all

    def fix_all(self, findings: list, judged: list, stale: Callable[[], bool]) -> list:
        """The Hunks that make the text what `init-lint check --fix` writes, fixing the findings shown
        (`judged`; project mode may have judged others covered); [] when nothing is fixed.
        Raises lsp_incremental.Cancelled once `stale()`."""
        keep = _shown(judged)
        with self._all_lock:
            if keep not in self._all:
                self._all[keep] = self._fix_all(findings, keep, stale)
            return self._all[keep]

    def _fix_all(self, findings: list, keep: frozenset, stale: Callable[[], bool]) -> list:
        wanted = [f for f in findings if f.fix == SAFE and (f.line, f.column, f.code) in keep]
        if not wanted or self.analysis is None or self.checker is None:
            return []
        count("fix-all", self.uri)
        try:
            with self._lock:
                first = lsp_fixes.fix_all(self.analyzed, wanted, self.own, self._fix_context())
        except Exception as error:  # a bug in the fixer must not take the server down
            log.warning("%s: %s", type(error).__name__, error)
            return []
        if first is None:
            return []
        fixed, applied, final = first
        if not final:  # overlapping fixes: the rounds after the first re-check the text, as the command line does
            return self._whole_file_fix(findings, keep)
        if stale():
            raise Cancelled
        if not lsp_fixes.parses(fixed):  # pragma: no cover - a bug in the fixer
            log.warning("%s: the fixed code does not parse; no fix offered", self.path)
            return []
        return lsp_fixes.with_bom(self.text, self.analyzed, fixed, [e for fix in applied for e in fix.edits])

    def _whole_file_fix(self, findings: list, keep: frozenset) -> list:
        from init_lint.fixes.apply import FixError, fix_source

        count("fix", self.uri)
        data, encoding = encode_as_declared(self.text)
        everything = all((f.line, f.column, f.code) in keep for f in findings)
        try:
            result = fix_source(data, self.path, self.settings, keep=None if everything else keep)
        except FixError as error:
            log.warning("%s", error)
            return []
        return lsp_fixes.line_hunks(self.text, result.source.decode(encoding)) if result.fixed else []


def explain_line(state: DocumentState, line: int) -> Optional[tuple]:
    """(Markdown, (line, column, end line, end column) of the first layer) of `init-lint explain` for
    the layers built on `line` (1-based), from the version's own analysis; None when none is built there.

    In a project, each parameter also gets the project's verdict (`in the project: ...`), judged on the
    same linked index as the document's findings, as `init-lint explain` judges the file on disk."""
    from init_lint.explain import explain_analysis, explained_sites, render_text

    fixes = state.fixes
    if fixes is None or fixes.analysis is None:
        return None
    places = fixes.places()
    # evidence is always in this file: its name is enough (and reads as `init-lint explain NAME:LINE` run beside it)
    name = os.path.basename(state.path)

    def position_of(node):
        return places.get(id(node))

    records = explain_analysis(fixes.analysis, name, line, position_of)
    if not records:
        return None
    sites = explained_sites(fixes.analysis, line, position_of)
    if state.context is not None and state.context.ready.is_set():
        from init_lint.explain_project import add_project_verdicts

        path = os.path.abspath(state.path)
        index = state.context.linked(path, state.exports)
        add_project_verdicts(records, sites, fixes.analysis, index, index.paths.get(path), state.context.root)
    where = places[id(sites[0].call)]
    shift = 1 if fixes.analyzed is not state.text and where.start.line == 1 else 0  # the BOM
    text = "```text\n" + render_text(records) + "```\n"
    return text, (where.start.line, where.start.column + shift, where.end.line,
                  where.end.column + (shift if where.end.line == 1 else 0))


def _shown(judged: list) -> frozenset:
    return frozenset((f.line, f.column, f.code) for f in judged)


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
    checked = checker.checked(text, path, settings, stale)
    findings, analysis = checked.findings, checked.analysis
    fixes = VersionFixes(uri, text, path, settings, checked, checker)
    context = contexts.for_document(on_disk, settings) if contexts is not None else None
    if context is None:
        return DocumentState(uri, version, text, path, settings, findings, findings, checker=checker, fixes=fixes)
    context.wait(stale)
    if previous is not None and previous.context is context and previous.exports is not None:
        exports = previous.exports
    else:
        exports = context.exports_on_disk(path)
    loaded = context.ready.is_set()
    return DocumentState(uri, version, text, path, settings, findings, context.judge(path, findings, exports),
                         exports, checker=checker, context=context,
                         pending_exports=analysis if analysis is not None else False, judged_in_context=loaded,
                         fixes=fixes)


def _exports(analysis, text: str) -> Optional[dict]:
    from init_lint.project import file_exports, import_only_exports

    count("exports", "")
    return file_exports(analysis) if analysis else import_only_exports(encode_as_declared(text)[0])

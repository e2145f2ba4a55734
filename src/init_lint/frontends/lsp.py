"""`init-lint lsp`: a language server on stdio (pygls 2) for editors.

- Diagnostics on open and save, and shortly after each change (debounced), with the rule code, a
  link to the rule's documentation, severity warning (error for INI900, a file init-lint cannot
  check).  In a project (the folder of the pyproject.toml, else the workspace folder) findings are
  judged as `init-lint check --project` judges them: see `lsp_project`.
- Code actions: a quick fix per finding whose safe fix can be applied alone, and the source
  action `source.fixAll.init-lint` whose edit turns the document into exactly what
  `init-lint check --fix` writes.  Unsafe fixes stay on the command line (`--unsafe-fixes`).
  Where the edits come from: `lsp_state.VersionFixes` (built with `lsp_fixes`).
- Hover: `init-lint explain` of the layers built on the line under the cursor.
- Settings: the `[tool.init-lint]` of the nearest pyproject.toml above the document, read at
  each check so that edits to it apply at once.

How it keeps up with typing (issue 14):

- The event loop only reads messages, schedules and answers.  Checks run in worker threads, one
  at a time per document and several documents side by side: a big file being checked never
  holds back another file's diagnostics.
- A check is for one version.  A newer version supersedes it: the running check stops at its
  next stage (`lsp_incremental.Cancelled`), its result is dropped, and diagnostics are only ever
  published for the newest version (never an older one after a newer one).
- Each check reuses the parse and the positions of the top-level statements the edit did not
  touch (`lsp_incremental`), so a check after an edit costs a fraction of a first check.
- Code actions are answered from the version's own analysis, never a second check: a finding's
  own fix is built from it (a millisecond), and "fix all" is the first round of `check --fix`
  assembled from those fixes.  Both are built in a worker once the user pauses (`PREPARE_AFTER`,
  `PREPARE_FIX_ALL_AFTER`), or on the first request that needs them, and kept while the version
  is current.  An answer is only ever for the version it was built for (an edit meanwhile: no
  answer, the editor asks again).

Only `init-lint lsp` imports this module, so pygls stays an optional dependency (`init-lint[lsp]`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from init_lint import __version__
from init_lint.frontends._source import split_lines
from init_lint.frontends.lsp_actions import (FIX_ALL_KIND, SOURCE, code_actions, diagnostic, hover,
                                             resolve_code_action)
from init_lint.frontends.lsp_incremental import Cancelled, IncrementalChecker
from init_lint.frontends.lsp_project import Contexts
from init_lint.frontends.lsp_state import RUNS, DocumentState, analyze, count, settings_for

__all__ = ["DEBOUNCE", "build_server", "diagnostic", "serve", "settings_for"]

#: seconds of quiet after a change before the document is checked again: a check of an edited
#: document costs about 0.1 s (a first check ~1 s per 2,000 lines), and a newer version cancels it
DEBOUNCE = 0.05
#: seconds of quiet after a version's diagnostics before its findings' own fixes are built, ahead of
#: the code action an editor asks for at the next cursor move (0.1 s of work on 2,000 lines)
PREPARE_AFTER = 0.3
#: ... and before "fix all" is (a deliberate action; its result is parsed again: about a second)
PREPARE_FIX_ALL_AFTER = 1.0
#: worker threads: documents checked side by side
WORKERS = 4
STATS = "init-lint/stats"

log = logging.getLogger(__name__)


@dataclass
class Document:
    """An open text document: its newest version, its latest analysis, and the check in flight."""

    checker: IncrementalChecker = field(default_factory=IncrementalChecker)
    latest: Optional[int] = None
    state: Optional[DocumentState] = None
    published: Optional[int] = None
    timer: Optional[asyncio.TimerHandle] = None
    running: bool = False
    rerun: bool = False
    closed: bool = False
    #: code actions waiting for the analysis of the newest version
    waiters: list = field(default_factory=list)


class InitLintServer(LanguageServer):
    def __init__(self) -> None:
        from init_lint.notebooks.lsp import sync_options

        super().__init__("init-lint", __version__, notebook_document_sync=sync_options())
        self.documents: dict[str, Document] = {}
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="init-lint-check")
        self.contexts = Contexts(self._context_changed)
        self.event_loop: Optional[asyncio.AbstractEventLoop] = None
        #: the client asked the server to shut down: nothing more is checked or published (see `shutdown`)
        self.stopping = False

    def report_server_error(self, error: Exception, source) -> None:
        """pygls tells the user of an error with a `window/showMessage`, except that of sending a message
        (`JsonRpcInternalError`): that message would fail as well, and pygls 2.1 reports each failure of
        it again, so one message written after `exit` closed stdout recursed without end, each level
        logging a longer traceback to a stderr no client need read (a server hung at exit).  pygls has
        already logged the error."""
        if source is JsonRpcInternalError:
            return
        super().report_server_error(error, source)

    # --- scheduling (event loop only) -----------------------------------------------------------
    def opened(self, uri: str, version: Optional[int]) -> None:
        self.event_loop = asyncio.get_running_loop()
        self.documents[uri] = Document(latest=version)
        self.start(uri)

    def changed(self, uri: str, version: Optional[int]) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        document.latest = version  # a check of an older version now stops at its next stage
        if document.timer is not None:
            document.timer.cancel()
        document.timer = asyncio.get_running_loop().call_later(DEBOUNCE, self.start, uri)

    def saved(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        if uri.startswith("file:"):
            path = to_fs_path(uri)
            state = document.state
            saved_text = self.workspace.get_text_document(uri).source
            known = state is not None and state.text == saved_text and state.pending_exports is None
            exports, settings = (state.exports, state.settings) if known else (None, None)
            future = asyncio.get_running_loop().run_in_executor(self.pool, self.contexts.saved, path, exports, settings)
            future.add_done_callback(lambda f: self._rejudge(f.result()) if not f.exception() else None)
        self.start(uri)  # the settings (a pyproject.toml saved beside it) may have changed

    def closed(self, uri: str) -> None:
        document = self.documents.pop(uri, None)
        if document is not None:
            document.closed = True
            if document.timer is not None:
                document.timer.cancel()
            for waiter in document.waiters:
                waiter.cancel()
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def start(self, uri: str) -> None:
        """Check the newest version in a worker (after the one in flight, when there is one)."""
        document = self.documents.get(uri)
        if document is None or self.stopping:
            return
        if document.timer is not None:
            document.timer.cancel()
            document.timer = None
        if document.running:
            document.rerun = True
            return
        text_document = self.workspace.get_text_document(uri)
        version, text = text_document.version, text_document.source
        on_disk = text_document.path if uri.startswith("file:") else None
        document.running = True

        def stale() -> bool:  # read from the worker: a newer version or a close ends the check
            return document.closed or document.latest != version

        future = asyncio.get_running_loop().run_in_executor(
            self.pool, _analyze_or_fail, uri, version, text, on_disk, document.checker, self.contexts, stale,
            document.state)
        future.add_done_callback(lambda f: self.finished(uri, document, f))

    def finished(self, uri: str, document: Document, future: asyncio.Future) -> None:
        document.running = False
        state = None if future.cancelled() else future.result()
        if document.closed or self.stopping:  # (after `exit`, this may run as asyncio.run closes the loop)
            return
        if state is not None and state.version == document.latest:
            document.state = state
            self.publish(uri, state)
            self._prepare_fixes_later(document, state)
            if state.needs_judging():  # judged with the previous version's exports, or before the context
                again = asyncio.get_running_loop().run_in_executor(self.pool, state.rejudged)
                again.add_done_callback(lambda f: self._rejudged(uri, document, f))
            waiters, document.waiters = document.waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(state)
        fresh = document.state is not None and document.state.version == document.latest
        if document.rerun or (not fresh and document.timer is None):
            document.rerun = False
            self.start(uri)

    def _prepare_fixes_later(self, document: Document, state: DocumentState) -> None:
        """Once the user pauses, build this version's fixes in a worker: each finding's own fix (a
        cursor move asks for code actions), and after a longer pause "fix all" (its result is parsed:
        a second on a large file).  A newer version stops the work."""
        if not state.shown_fixable():
            return
        loop = asyncio.get_running_loop()

        def prepare(fix_all: bool) -> None:
            current = document.state  # this version, or the same version judged again
            if self.stopping or document.closed or document.latest != state.version or current is None \
                    or current.version != state.version:
                return
            loop.run_in_executor(self.pool, _prepare, current, fix_all, self.staleness(document, current))

        loop.call_later(PREPARE_AFTER, prepare, False)
        loop.call_later(PREPARE_FIX_ALL_AFTER, prepare, True)

    @staticmethod
    def staleness(document: Document, state: DocumentState):
        """A test, for a worker, of whether `state` is no longer the document's newest version."""
        return lambda: document.closed or document.latest != state.version

    async def current(self, uri: str) -> Optional[DocumentState]:
        """The analysis of the newest version: the cached one, or the one about to be made."""
        document = self.documents.get(uri)
        if document is None:
            return None
        if document.state is not None and document.state.version == document.latest:
            return document.state
        waiter = asyncio.get_running_loop().create_future()
        document.waiters.append(waiter)
        if document.timer is not None or not document.running:
            self.start(uri)  # asked now: no reason to wait for the quiet time
        try:
            return await waiter
        except asyncio.CancelledError:
            return None

    def publish(self, uri: str, state: DocumentState) -> None:
        document = self.documents.get(uri)
        if document is None or self.stopping:
            return
        if document.published is not None and state.version is not None and state.version < document.published:
            return  # never an older version's diagnostics after a newer one's
        document.published = state.version
        text_document = self.workspace.get_text_document(uri)
        if state.config_error is not None:
            diagnostics = [types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"cannot check this file: {state.config_error}", severity=types.DiagnosticSeverity.Error,
                code="INI900", source=SOURCE)]
        else:
            lines = split_lines(state.text)
            diagnostics = [diagnostic(f, lines, text_document) for f in state.judged]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=state.version))

    # --- project context ---------------------------------------------------------------------------
    def _context_changed(self, context) -> None:
        """Called from the loader thread when a project context is ready."""
        if self.event_loop is not None:
            self.event_loop.call_soon_threadsafe(self._rejudge, [context])

    def _rejudge(self, contexts: list) -> None:
        """Judge the open documents of these contexts again, in a worker, and publish what changed."""
        if self.stopping:
            return
        for uri, document in list(self.documents.items()):
            state = document.state
            if state is None or state.context not in contexts:
                continue
            future = asyncio.get_running_loop().run_in_executor(self.pool, state.rejudged)
            future.add_done_callback(lambda f, uri=uri, document=document: self._rejudged(uri, document, f))

    def _rejudged(self, uri: str, document: Document, future: asyncio.Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        state = future.result()
        if document.closed or document.state is None or document.state.version != state.version:
            return  # a newer check is done or under way: it judged with the new context
        if state.judged != document.state.judged:
            document.state = state
            self.publish(uri, state)
        else:
            document.state.exports = state.exports  # what the next version's judgement starts from
            document.state.pending_exports = None
            document.state.judged_in_context = state.judged_in_context


def _analyze_or_fail(uri: str, version, text: str, on_disk, checker, contexts, stale,
                     previous) -> Optional[DocumentState]:
    """The worker's task: the document's state, None when superseded, an INI900 state on a bug."""
    try:
        return analyze(uri, version, text, on_disk, checker, contexts, stale, previous)
    except Cancelled:
        count("cancelled", uri)
        return None
    except Exception as error:  # a bug in init-lint: say so on the document, keep serving
        log.exception("checking %s failed", uri)
        return DocumentState(uri, version, text, on_disk or uri, None, [], [],
                             config_error=f"internal error ({type(error).__name__}: {error}); please report it")


def _prepare(state: DocumentState, fix_all: bool, stale) -> None:
    """The worker's task while the user pauses: the findings' own fixes, or "fix all"."""
    try:
        if fix_all:
            state.fixes.fix_all(state.findings, state.judged, stale)
        else:
            state.fixes.prepare(state.shown_fixable(), stale)
    except Cancelled:
        count("cancelled", state.uri)
    except Exception:  # a bug in init-lint: the code action will say nothing, the server goes on
        log.exception("preparing the fixes of %s failed", state.uri)


def build_server() -> InitLintServer:
    server = InitLintServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: InitLintServer, params: types.InitializedParams) -> None:
        folders = ls.workspace.folders.values() if ls.workspace.folders else ()
        ls.contexts.folders = [to_fs_path(f.uri) for f in folders if f.uri.startswith("file:")]
        if not ls.contexts.folders and ls.workspace.root_path:
            ls.contexts.folders = [ls.workspace.root_path]

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: InitLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.opened(params.text_document.uri, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: InitLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: InitLintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: InitLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.closed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True))
    async def code_action(ls: InitLintServer, params: types.CodeActionParams) -> list:
        return await code_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: InitLintServer, params: types.CodeAction) -> types.CodeAction:
        return await resolve_code_action(ls, params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: InitLintServer, params: types.HoverParams) -> Optional[types.Hover]:
        return await hover(ls, params)

    @server.feature(STATS)
    def stats(ls: InitLintServer, params) -> list:
        """How often each costly step ran, per document, as [uri, step, count] (for tests and benchmarks)."""
        return [[uri, step, n] for (step, uri), n in sorted(RUNS.items())]

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: InitLintServer, params) -> None:
        # Nothing is published from now on: a check that ends after `exit` has its result handed to
        # the event loop, which asyncio.run runs once more as it closes, after pygls closed stdout.
        ls.stopping = True
        ls.pool.shutdown(wait=False, cancel_futures=True)
        ls.contexts.flush()  # saved files' index entries still waiting to be written

    from init_lint.notebooks.lsp import register

    register(server)  # notebook documents: diagnostics per code cell
    return server


def deep_stacks() -> None:
    """Every thread of the server gets the analysis's large stack and high recursion limit, for good.

    The checker raises the (process-wide) recursion limit while an analysis runs and lowers it
    after; in a server where several threads check at once, a change of the limit while another
    thread is inside `ast.parse` makes CPython raise "SystemError: AST constructor recursion depth
    mismatch".  With the limit high from the start, the checker never changes it, and the threads
    created from now on (the server's own, the workers, the project loader) have stacks deep enough.
    """
    from init_lint.checker import ANALYSIS_RECURSION_LIMIT, ANALYSIS_STACK_BYTES

    try:
        threading.stack_size(ANALYSIS_STACK_BYTES)
    except (ValueError, RuntimeError):
        return  # no room for large stacks: keep the checker's own per-call handling
    sys.setrecursionlimit(max(sys.getrecursionlimit(), ANALYSIS_RECURSION_LIMIT))


def serve() -> None:
    deep_stacks()
    # The event loop runs in a thread created after deep_stacks (the main thread's stack is fixed).
    server = threading.Thread(target=build_server().start_io, name="init-lint-lsp", daemon=True)
    server.start()
    server.join()

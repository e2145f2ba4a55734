"""`init-lint lsp`: a language server on stdio (pygls 2) for editors.

- Diagnostics on open and save, and shortly after each change (debounced: a check costs tens of
  milliseconds per hundred lines, too much for every keystroke), with the rule code, a link to
  the rule's documentation, severity warning (error for INI900, a file init-lint cannot check).
- Code actions: a quick fix per finding whose safe fix can be applied alone, and the source
  action `source.fixAll.init-lint` whose edit turns the document into exactly what
  `init-lint check --fix` writes.  Unsafe fixes stay on the command line (`--unsafe-fixes`).
  A quick fix is the finding's own fix (its edits), see `lsp_fixes`.
- Settings: the `[tool.init-lint]` of the nearest pyproject.toml above the document, read at
  each check so that edits to it apply at once.

Only `init-lint lsp` imports this module, so pygls stays an optional dependency (`init-lint[lsp]`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from init_lint import __version__
from init_lint.config import ConfigError, Settings, find_pyproject, load_settings
from init_lint.diagnostics import SAFE, Finding
from init_lint.frontends._source import encode_as_declared, split_lines
from init_lint.frontends.lsp_fixes import fix_ranges, line_hunks
from init_lint.output import RULE_DOCS
from init_lint.rules import ALL_RULES

FIX_ALL_KIND = "source.fixAll.init-lint"
SOURCE = "init-lint"
#: seconds of quiet after a change before the document is checked again
DEBOUNCE = 0.3

log = logging.getLogger(__name__)


@dataclass
class Checked:
    """One version of one document, checked; the whole-file fix is computed on first request."""

    version: Optional[int]
    text: str
    path: str
    settings: Optional[Settings]
    findings: list
    config_error: Optional[str] = None
    _fix: Optional[tuple] = field(default=None, repr=False)
    #: finding -> its own Fix or None, built on first request; editors ask at every cursor move
    _single: Optional[dict] = field(default=None, repr=False)

    def fix_all(self) -> tuple:
        """(fixed text, applied findings); the text unchanged when nothing could be fixed."""
        if self._fix is None:
            from init_lint.api import FixError, fix_source

            data, encoding = encode_as_declared(self.text)
            try:
                result = fix_source(data, self.path, self.settings)
                self._fix = (result.source.decode(encoding), list(result.fixed))
            except FixError as error:
                log.warning("%s", error)
                self._fix = (self.text, [])
        return self._fix

    def single_fix(self, finding: Finding):
        """The finding's own Fix (edits of this text), or None when it has none."""
        if self._single is None:
            from init_lint.fixes.apply import fixes_of

            try:
                built = fixes_of(encode_as_declared(self.text)[0], self.path, self.settings)
            except Exception as error:  # a bug in the fixer must not take the server down
                log.warning("%s: %s", type(error).__name__, error)
                built = []
            self._single = {f: f.fix_edits for f in built if f.fix_edits is not None}
        return self._single.get(finding)


class InitLintServer(LanguageServer):
    def __init__(self) -> None:
        from init_lint.notebooks.lsp import sync_options

        super().__init__("init-lint", __version__, notebook_document_sync=sync_options())
        self.checked: dict = {}
        self.pending: dict = {}

    def check(self, document: TextDocument) -> Checked:
        cached = self.checked.get(document.uri)
        text = document.source
        if cached is not None and cached.version == document.version and cached.text == text:
            return cached
        on_disk = document.path if document.uri.startswith("file:") else None
        path = on_disk or document.uri
        try:
            settings = settings_for(on_disk)
        except ConfigError as error:
            checked = Checked(document.version, text, path, None, [], config_error=str(error))
        else:
            from init_lint.api import check_source

            checked = Checked(document.version, text, path, settings,
                              check_source(encode_as_declared(text)[0], path, settings))
        self.checked[document.uri] = checked
        return checked

    def publish(self, uri: str) -> None:
        self.pending.pop(uri, None)
        document = self.workspace.get_text_document(uri)
        checked = self.check(document)
        lines = split_lines(checked.text)
        if checked.config_error is not None:
            diagnostics = [types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"cannot check this file: {checked.config_error}", severity=types.DiagnosticSeverity.Error,
                code="INI900", source=SOURCE)]
        else:
            diagnostics = [diagnostic(f, lines, document) for f in checked.findings]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version))

    def publish_soon(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE, self.publish, uri)

    def forget(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.checked.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def settings_for(path: Optional[str]) -> Settings:
    """The `[tool.init-lint]` settings that apply to a file (defaults for unsaved, untitled documents)."""
    if path is None:
        return Settings()
    config = find_pyproject(Path(path))
    return load_settings(config) if config is not None else Settings()


def position(lines: list, line: int, column: int, document: TextDocument) -> types.Position:
    """A 0-based line and code-point column as an LSP position in the units negotiated with the client."""
    text = lines[line] if line < len(lines) else ""
    return types.Position(line, document.position_codec.client_num_units(text[:column]))


def diagnostic(finding: Finding, lines: list, document: TextDocument) -> types.Diagnostic:
    start = position(lines, finding.line - 1, finding.column, document)
    end = position(lines, finding.end_line - 1, finding.end_column, document)
    return types.Diagnostic(
        range=types.Range(start, end),
        message=finding.message,
        severity=types.DiagnosticSeverity.Error if finding.code == "INI900" else types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=types.CodeDescription(href=RULE_DOCS.format(code=finding.code.lower())),
        source=SOURCE,
        data={"fix": finding.fix},
    )


def text_edits(hunks: list, lines: list, document: TextDocument) -> list:
    """Whole-line edits; only a range that ends at the end of a last line without a line end needs a column."""
    edits = []
    for hunk in hunks:
        if hunk.stop == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            end = position(lines, len(lines) - 1, len(lines[-1]), document)
        else:
            end = types.Position(hunk.stop, 0)
        edits.append(types.TextEdit(range=types.Range(types.Position(hunk.start, 0), end), new_text=hunk.text))
    return edits


def fix_edits(fix, lines: list, document: TextDocument) -> list:
    """A finding's own edits, in the units negotiated with the client."""
    return [types.TextEdit(range=types.Range(position(lines, line, column, document),
                                             position(lines, end_line, end_column, document)), new_text=content)
            for line, column, end_line, end_column, content in fix_ranges(fix)]


def workspace_edit(server: InitLintServer, document: TextDocument, edits: list) -> types.WorkspaceEdit:
    capabilities = server.client_capabilities.workspace
    versioned = bool(capabilities and capabilities.workspace_edit and capabilities.workspace_edit.document_changes)
    if versioned:
        # The client refuses the edit if the document changed since: no edit lands on the wrong lines.
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])
    return types.WorkspaceEdit(changes={document.uri: edits})


def wanted(kind: str, only: Optional[list]) -> bool:
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def code_actions(server: InitLintServer, params: types.CodeActionParams) -> list:
    if server.workspace.get_notebook_document(cell_uri=params.text_document.uri) is not None:
        return []  # a notebook cell is not a file of its own: notebooks are fixed by `check --fix`
    document = server.workspace.get_text_document(params.text_document.uri)
    checked = server.check(document)
    fixable = [f for f in checked.findings if f.fix == SAFE]
    if not fixable:
        return []
    only = params.context.only
    lines = split_lines(checked.text)
    actions = []
    if wanted(types.CodeActionKind.QuickFix, only):
        for finding in fixable:
            if not _overlaps(finding, params.range, lines, document):
                continue
            fix = checked.single_fix(finding)
            if fix is None:
                continue
            actions.append(types.CodeAction(
                title=f"Fix {finding.code} ({ALL_RULES[finding.code].name})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic(finding, lines, document)],
                edit=workspace_edit(server, document, fix_edits(fix, lines, document)),
                is_preferred=True,
            ))
    if wanted(FIX_ALL_KIND, only):
        fixed_all, applied = checked.fix_all()
        if applied:
            actions.append(types.CodeAction(
                title="Fix all init-lint findings",
                kind=FIX_ALL_KIND,
                edit=workspace_edit(server, document, text_edits(line_hunks(checked.text, fixed_all), lines, document)),
            ))
    return actions


def _overlaps(finding: Finding, selection: types.Range, lines: list, document: TextDocument) -> bool:
    start = position(lines, finding.line - 1, finding.column, document)
    end = position(lines, finding.end_line - 1, finding.end_column, document)
    return (start.line, start.character) <= (selection.end.line, selection.end.character) and \
        (selection.start.line, selection.start.character) <= (end.line, end.character)


def build_server() -> InitLintServer:
    server = InitLintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: InitLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: InitLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish_soon(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: InitLintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: InitLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False))
    def code_action(ls: InitLintServer, params: types.CodeActionParams) -> list:
        return code_actions(ls, params)

    from init_lint.notebooks.lsp import register

    register(server)  # notebook documents: diagnostics per code cell
    return server


def serve() -> None:
    build_server().start_io()

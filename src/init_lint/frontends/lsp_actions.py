"""The language server's answers about one document: diagnostics as LSP values, code actions
(quick fixes and "fix all") and hover, from the analysis of the document's newest version.

Every answer is for the version it was built from: the fixes are labelled with that version (a
client that knows versions refuses them once the document moved on), and an answer whose version
was superseded while it was built is not given at all (the editor asks again).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Optional

from lsprotocol import types
from pygls.workspace import TextDocument

from init_lint.diagnostics import Finding
from init_lint.frontends._source import split_lines
from init_lint.frontends.lsp_incremental import Cancelled
from init_lint.frontends.lsp_state import DocumentState, explain_line
from init_lint.output import RULE_DOCS
from init_lint.rules import ALL_RULES

if TYPE_CHECKING:
    from init_lint.frontends.lsp import InitLintServer

FIX_ALL_KIND = "source.fixAll.init-lint"
FIX_ALL_TITLE = "Fix all init-lint findings"
SOURCE = "init-lint"


def _actions_of(state: DocumentState, quick: list, fix_all: bool, stale) -> None:
    """The worker's task for a code action: the fixes it needs that were not prepared yet."""
    for finding in quick:
        state.fixes.quick_fix(finding)
    if fix_all:
        state.fixes.fix_all(state.findings, state.judged, stale)


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


def workspace_edit(server: "InitLintServer", document: TextDocument, version: Optional[int], hunks: list,
                   lines: list) -> types.WorkspaceEdit:
    """The hunks of the text of `version` as an edit of the document (`version` is what they were made
    for: a client that knows versions refuses them once the document moved on)."""
    edits = text_edits(hunks, lines, document)
    capabilities = server.client_capabilities.workspace
    versioned = bool(capabilities and capabilities.workspace_edit and capabilities.workspace_edit.document_changes)
    if versioned:
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])
    return types.WorkspaceEdit(changes={document.uri: edits})


def wanted(kind: str, only: Optional[list]) -> bool:
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _overlaps(finding: Finding, selection: types.Range, lines: list, document: TextDocument) -> bool:
    start = position(lines, finding.line - 1, finding.column, document)
    end = position(lines, finding.end_line - 1, finding.end_column, document)
    return (start.line, start.character) <= (selection.end.line, selection.end.character) and \
        (selection.start.line, selection.start.character) <= (end.line, end.character)


async def code_actions(server: "InitLintServer", params: types.CodeActionParams) -> list:
    """Quick fixes and "fix all" for the newest version, from its own fixes (never an older version's:
    a version edited while the fixes were built gets no action; the editor asks again)."""
    uri = params.text_document.uri
    if server.workspace.get_notebook_document(cell_uri=uri) is not None:
        return []  # a notebook cell is not a file of its own: notebooks are fixed by `check --fix`
    state = await server.current(uri)
    if state is None or state.config_error is not None:
        return []
    document = server.workspace.get_text_document(uri)
    if document.version != state.version:
        return []  # edited while we waited: the editor asks again
    fixable = state.shown_fixable()
    if not fixable:
        return []
    only = params.context.only
    lines = split_lines(state.text)
    quick = [f for f in fixable if _overlaps(f, params.range, lines, document)] \
        if wanted(types.CodeActionKind.QuickFix, only) else []
    fix_all = wanted(FIX_ALL_KIND, only)
    fixes = state.fixes
    lazy = False
    if fix_all and not only and not fixes.has_fix_all(state.judged):
        # Asked for every kind (a cursor move: the light bulb), before "fix all" is prepared: the quick
        # fixes are not held back for it.  A client that resolves actions gets it now, its edit later.
        fix_all = lazy = _resolves_edits(server)
    missing = [f for f in quick if not fixes.has_quick_fix(f)]
    if missing or (fix_all and not lazy and not fixes.has_fix_all(state.judged)):
        stale = server.staleness(server.documents[uri], state) if uri in server.documents else (lambda: True)
        try:
            await asyncio.get_running_loop().run_in_executor(server.pool, _actions_of, state, missing, fix_all, stale)
        except Cancelled:
            return []
        if server.workspace.get_text_document(uri).version != state.version:
            return []  # edited while the fixes were built: they are the older text's
    actions = []
    for finding in quick:
        hunks = fixes.quick_fix(finding)
        if hunks is None:
            continue
        actions.append(types.CodeAction(
            title=f"Fix {finding.code} ({ALL_RULES[finding.code].name})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic(finding, lines, document)],
            edit=workspace_edit(server, document, state.version, hunks, lines),
            is_preferred=True,
        ))
    if lazy:
        actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND,
                                        data={"uri": uri, "version": state.version}))
    elif fix_all:
        hunks = fixes.fix_all(state.findings, state.judged, lambda: False)  # built above: from the cache
        if hunks:
            actions.append(types.CodeAction(
                title=FIX_ALL_TITLE,
                kind=FIX_ALL_KIND,
                edit=workspace_edit(server, document, state.version, hunks, lines),
            ))
    return actions


def _resolves_edits(server: "InitLintServer") -> bool:
    """Whether the client asks `codeAction/resolve` for an action's edit."""
    capabilities = server.client_capabilities.text_document
    support = capabilities.code_action.resolve_support if capabilities and capabilities.code_action else None
    return bool(support and "edit" in support.properties)


async def resolve_code_action(server: "InitLintServer", action: types.CodeAction) -> types.CodeAction:
    """The edit of a "fix all" offered before it was built: for the version it was offered on only
    (an edited document gets the action without an edit: nothing is applied, the editor asks again)."""
    data = action.data if isinstance(action.data, dict) else {}
    uri, version = data.get("uri"), data.get("version")
    if action.kind != FIX_ALL_KIND or uri is None:
        return action
    state = await server.current(uri)
    document = server.documents.get(uri)
    if state is None or state.fixes is None or document is None or state.version != version:
        return action
    try:
        hunks = await asyncio.get_running_loop().run_in_executor(
            server.pool, state.fixes.fix_all, state.findings, state.judged, server.staleness(document, state))
    except Cancelled:
        return action
    text_document = server.workspace.get_text_document(uri)
    if text_document.version == version and hunks:
        action.edit = workspace_edit(server, text_document, version, hunks, split_lines(state.text))
    return action


async def hover(server: "InitLintServer", params: types.HoverParams) -> Optional[types.Hover]:
    """`init-lint explain` of the layers built on the line under the cursor, from the version's analysis."""
    uri = params.text_document.uri
    if server.workspace.get_notebook_document(cell_uri=uri) is not None:
        return None
    state = await server.current(uri)
    if state is None or state.fixes is None or state.fixes.analysis is None:
        return None
    explained = await asyncio.get_running_loop().run_in_executor(
        server.pool, explain_line, state, params.position.line + 1)
    document = server.workspace.get_text_document(uri)
    if explained is None or document.version != state.version:
        return None
    text, (line, column, end_line, end_column) = explained
    lines = split_lines(state.text)
    where = types.Range(position(lines, line - 1, column, document),
                        position(lines, end_line - 1, end_column, document))
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=where)

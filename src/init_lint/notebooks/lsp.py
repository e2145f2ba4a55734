"""Notebook documents in the language server: diagnostics on each code cell.

A client that supports LSP notebooks (VS Code, for one) opens a notebook with
`notebookDocument/didOpen`, each cell a text document of its own.  The code cells are checked
together, as `init-lint check` checks an `.ipynb` file (one module, magics masked), and every code
cell gets its own `publishDiagnostics` (an empty one clears a cell that no longer has findings).
Changes are checked after the same quiet time as text documents.  Code actions stay on plain
text documents: a notebook is fixed with `init-lint check --fix`.

Only `init_lint.frontends.lsp` imports this module (pygls is optional).
"""

from __future__ import annotations

import asyncio
from lsprotocol import types
from pygls.uris import to_fs_path

from init_lint.config import ConfigError
from init_lint.notebooks.document import Cell, Notebook
from init_lint.notebooks.engine import in_cells
from init_lint.notebooks.module import build_module


def sync_options() -> types.NotebookDocumentSyncOptions:
    """What the server asks to be sent: every notebook's Python cells."""
    return types.NotebookDocumentSyncOptions(
        notebook_selector=[types.NotebookDocumentFilterWithCells(
            notebook="*", cells=[types.NotebookCellLanguage(language="python")])],
        save=True,
    )


def register(server) -> None:
    """Add the notebook handlers to the server built by `init_lint.frontends.lsp.build_server`."""
    server.notebook_pending = {}
    server.notebook_cells = {}

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenNotebookDocumentParams) -> None:
        publish(ls, params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeNotebookDocumentParams) -> None:
        publish_soon(ls, params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveNotebookDocumentParams) -> None:
        publish(ls, params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        pending = ls.notebook_pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        for cell_uri in ls.notebook_cells.pop(uri, ()):
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell_uri, diagnostics=[]))


def publish_soon(server, uri: str) -> None:
    previous = server.notebook_pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    from init_lint.frontends.lsp import DEBOUNCE

    server.notebook_pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE, publish, server, uri)


def publish(server, uri: str) -> None:
    """Check the notebook's code cells as one module and publish each code cell's diagnostics."""
    from init_lint.api import check_source
    from init_lint.frontends._source import split_lines
    from init_lint.frontends.lsp import diagnostic, settings_for

    server.notebook_pending.pop(uri, None)
    notebook_document = server.workspace.get_notebook_document(notebook_uri=uri)
    if notebook_document is None:
        return
    documents = {}
    cells = []
    for index, lsp_cell in enumerate(notebook_document.cells):
        code = lsp_cell.kind == types.NotebookCellKind.Code
        document = server.workspace.get_text_document(lsp_cell.document) if code else None
        if code and getattr(document, "language_id", "python") not in (None, "python"):
            code = False  # a cell in another language (an SQL or R cell): not Python
        # Markdown and other languages' cells count in the numbering only, as in an .ipynb file.
        cells.append(Cell(index, "code" if code else "other", document.source if code else ""))
        if code:
            documents[index] = document
    path = to_fs_path(uri) if uri.startswith("file:") else None
    per_cell: dict = {index: [] for index in documents}
    try:
        settings = settings_for(path)
    except ConfigError as error:
        first = min(documents, default=None)
        if first is not None:
            per_cell[first].append(types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"cannot check this notebook: {error}", severity=types.DiagnosticSeverity.Error,
                code="INI900", source="init-lint"))
    else:
        module = build_module(Notebook("", cells))
        for finding in check_source(module.source.encode("utf-8"), path or uri, settings):
            placed = in_cells(finding, module)
            index = (placed.cell or 1) - 1
            document = documents.get(index)
            if document is None:
                continue
            per_cell[index].append(diagnostic(placed, split_lines(document.source), document))
    server.notebook_cells[uri] = [documents[index].uri for index in sorted(documents)]
    for index, diagnostics in per_cell.items():
        document = documents[index]
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=document.uri, diagnostics=diagnostics, version=document.version))

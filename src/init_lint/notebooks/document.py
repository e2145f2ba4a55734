"""A notebook file (nbformat 4 JSON) as init-lint reads and writes it, without nbformat.

Reading keeps, for every cell, where its `source` value sits in the file's text, so that a fix
replaces exactly those characters: outputs (images included), execution counts, metadata, cell
ids, the indentation, key order and escaping of the JSON, and the trailing newline stay byte for
byte.  A changed source keeps its form: a list of lines stays a list laid out like the original
one (unchanged lines keep their original JSON text), a single string stays a string.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_BOM = "\ufeff"


class NotebookError(ValueError):
    """The file is not a notebook init-lint can read: the message says why."""


@dataclass
class Cell:
    #: 0-based position among all the notebook's cells
    index: int
    cell_type: str
    source: str
    #: (start, end) of the source value in the file's text; None when the cell has no source key
    span: Optional[tuple] = None
    #: the raw JSON text of each line of a list-form source; None for a string-form source
    raw_lines: Optional[list] = None


@dataclass
class Notebook:
    text: str
    cells: list = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    nbformat: int = 4
    bom: bool = False

    @property
    def language(self) -> str:
        """The kernel's language ('python' when the notebook does not say)."""
        info = self.metadata.get("language_info") or {}
        kernel = self.metadata.get("kernelspec") or {}
        name = info.get("name") if isinstance(info, dict) else None
        name = name or (kernel.get("language") if isinstance(kernel, dict) else None)
        return str(name or "python").lower()

    @property
    def is_python(self) -> bool:
        return self.language in ("python", "python3", "ipython", "ipython3")

    def code_cells(self) -> list:
        return [cell for cell in self.cells if cell.cell_type == "code"]

    def with_sources(self, sources: dict) -> bytes:
        """The file's bytes with the cells of `sources` (cell index -> new source) replaced, nothing else."""
        pieces, position = [], 0
        ascii_only = self._ascii()
        for cell in self.cells:
            if cell.index not in sources or sources[cell.index] == cell.source:
                continue
            if cell.span is None:
                raise NotebookError(f"cell {cell.index + 1} has no source to replace")
            start, end = cell.span
            pieces.append(self.text[position:start])
            pieces.append(_encode_source(self.text[start:end], cell, sources[cell.index], ascii_only))
            position = end
        pieces.append(self.text[position:])
        text = "".join(pieces)
        return ((_BOM if self.bom else "") + text).encode("utf-8")

    def _ascii(self) -> bool:
        """Whether the file escapes non-ASCII characters (`\\u00e9`) rather than writing them."""
        return self.text.isascii() and "\\u" in self.text


def read_notebook(data: bytes) -> Notebook:
    """The notebook in `data`, or NotebookError saying why it cannot be read as nbformat 4."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not UTF-8 ({error.reason} at byte {error.start})") from None
    bom = text.startswith(_BOM)
    if bom:
        text = text[1:]
    try:
        notebook = _scan(text)
    except (ValueError, RecursionError) as error:  # json.JSONDecodeError is a ValueError
        raise NotebookError(f"not valid notebook JSON ({error})") from None
    notebook.bom = bom
    return notebook


def _scan(text: str) -> Notebook:
    """Walk the top object and the cells by hand (to learn where each source is); each value decodes once, in C."""
    notebook = Notebook(text)
    found = []

    def member(key: str, start: int) -> int:
        if key == "cells":
            found.append(key)
            notebook.cells, end = _scan_cells(text, start)
            return end
        value, end = _DECODER.raw_decode(text, start)
        if key == "metadata" and isinstance(value, dict):
            notebook.metadata = value
        elif key == "nbformat":
            notebook.nbformat = value
        return end

    position = _skip(text, 0)
    if text[position:position + 1] != "{":
        raise ValueError("the file is not a JSON object")
    if _skip(text, _object(text, position, member)) != len(text):
        raise ValueError("extra data after the notebook's object")
    if not found:
        raise ValueError("no 'cells' list")
    if notebook.nbformat != 4:
        raise ValueError(f"nbformat {notebook.nbformat!r}; init-lint reads nbformat 4")
    return notebook


def _object(text: str, position: int, member) -> int:
    """Walk the JSON object at `position`: `member(key, start of value)` returns where the value ends.

    Returns where the object ends.
    """
    position = _skip(text, position + 1)
    if text[position:position + 1] == "}":
        return position + 1
    while True:
        if text[position:position + 1] != '"':
            raise ValueError(f"expected a key at character {position}")
        key, position = json.decoder.scanstring(text, position + 1)
        position = _skip(text, position)
        if text[position:position + 1] != ":":
            raise ValueError(f"expected ':' at character {position}")
        position = _skip(text, member(key, _skip(text, position + 1)))
        if text[position:position + 1] == ",":
            position = _skip(text, position + 1)
            continue
        if text[position:position + 1] == "}":
            return position + 1
        raise ValueError(f"expected ',' or '}}' at character {position}")


def _scan_cells(text: str, position: int) -> tuple:
    """(the cells, where the list ends) of the 'cells' list at `position`."""
    if text[position:position + 1] != "[":
        raise ValueError("'cells' is not a list")
    cells: list = []
    position = _skip(text, position + 1)
    if text[position:position + 1] == "]":
        return cells, position + 1
    while True:
        if text[position:position + 1] != "{":
            raise ValueError(f"cell {len(cells) + 1} is not an object")
        cell = Cell(len(cells), "", "")

        def member(key: str, start: int, cell: Cell = cell) -> int:
            value, end = _DECODER.raw_decode(text, start)
            if key == "cell_type":
                cell.cell_type = value if isinstance(value, str) else ""
            elif key == "source":
                cell.source, cell.raw_lines = _source_value(text, start, value, cell.index)
                cell.span = (start, end)
            return end

        position = _skip(text, _object(text, position, member))
        cells.append(cell)
        if text[position:position + 1] == ",":
            position = _skip(text, position + 1)
            continue
        if text[position:position + 1] == "]":
            return cells, position + 1
        raise ValueError(f"expected ',' or ']' after cell {len(cells)}")


def _source_value(text: str, start: int, value: object, index: int) -> tuple:
    if isinstance(value, str):
        return value, None
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        raise ValueError(f"cell {index + 1}: 'source' is neither a string nor a list of strings")
    raw = []
    position = _skip(text, start + 1)
    for _ in value:
        _, after = json.decoder.scanstring(text, position + 1)
        raw.append(text[position:after])
        position = _skip(text, after)
        if text[position:position + 1] == ",":
            position = _skip(text, position + 1)
    return "".join(value), raw


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()


def _encode_source(original: str, cell: Cell, source: str, ascii_only: bool) -> str:
    """The JSON text of `source` in the form (and layout) the cell's source had."""
    if cell.raw_lines is None:
        return json.dumps(source, ensure_ascii=ascii_only)
    known = {json.loads(raw): raw for raw in cell.raw_lines}
    lines = source.splitlines(keepends=True)
    tokens = [known.get(line) or json.dumps(line, ensure_ascii=ascii_only) for line in lines]
    if not tokens:
        return "[]"
    lead, separator, tail = _list_layout(original)
    return "[" + lead + ("," + separator).join(tokens) + tail + "]"


def _list_layout(original: str) -> tuple:
    """(space after '[', space after each ',', space before ']') of a JSON list of strings as written."""
    inner = original[1:-1]
    lead = inner[:len(inner) - len(inner.lstrip(" \t\r\n"))]
    tail = inner[len(inner.rstrip(" \t\r\n")):]
    if not inner.strip():
        return "\n" + " " * 4, "\n" + " " * 4, "\n" + " " * 3
    position, separator = len(lead), None
    while position < len(inner):
        _, position = json.decoder.scanstring(inner, position + 1)
        comma = _skip(inner, position)
        if inner[comma:comma + 1] != ",":
            break
        after = _skip(inner, comma + 1)
        separator = inner[comma + 1:after]
        break
    if separator is None:  # a one-line list: continue as the first line started
        separator = lead if "\n" in lead else " "
    return lead, separator, tail

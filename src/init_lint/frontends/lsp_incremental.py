"""Check one editor document again after an edit without paying for the parts that did not change.

On a 2,000-line model file a full check costs about a second, most of it in two places: libcst's
parse of the whole file and the code generation that places the findings (see `positions`).  An
edit usually touches one top-level statement (one class), so:

- the text is cut into chunks, one per top-level statement (a line at column 0 that starts a
  statement; the comments and blank lines after a statement stay in its chunk), and each chunk is
  parsed alone, its tree and its positions cached by its text;
- the module the analysis sees is put together from the chunks' statements: the same tree libcst
  builds from the whole file (the trailing lines of a chunk become the leading lines of the next
  statement, as libcst attaches them; the one difference: a block records its indentation only
  where it differs from its chunk's first block, not the file's, which changes how new code would
  be printed, never what the analysis reads), so the analysis and the rules run unchanged, on the
  whole module: findings that depend on other classes of the file stay right;
- a finding's position is its position in its chunk, moved down by the lines above the chunk.

A cut that falls inside a bracket, a string or a continued line leaves a piece that does not
parse alone: it is joined with the next pieces until the whole parses (a piece that parses alone
ends outside every bracket and string, so the cut after it is one the whole file has too).  For
every input the fast path does not cover (syntax errors, files over the size limit, undecodable
or absurdly nested text, files that never mention torch), the document is checked exactly as
`init-lint check` checks it.  tests/test_lsp_incremental.py compares the two on tricky cuts.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Callable, Optional

from init_lint.checker import (NESTING_CHECKED, bracket_depth, check_source_with_analysis, mentions_torch,
                               run_rules, with_deep_stack)
from init_lint.checker import _filter as filter_findings
from init_lint.config import Settings
from init_lint.frontends._source import encode_as_declared, split_lines

#: A top-level statement starts at column 0 with neither a comment nor a closing bracket nor a
#: clause that continues the statement above (else, elif, except, finally).
_CONTINUES = re.compile(r"[\s#)\]}]|(?:else|elif|except|finally)\b")


class Cancelled(Exception):
    """A newer version of the document arrived: this check's result would never be shown."""


@dataclass
class Checked:
    """What a check of one text gives: its findings, its analysis (None where the file was not
    analyzed: no torch, a syntax error) and where the analysis's nodes stand in the text."""

    findings: list
    analysis: Optional[object]
    #: positions.locate's signature, for the analysis's nodes; None: positions.locate itself (a whole parse)
    locate: Optional[Callable] = None


@dataclass
class Chunk:
    """One top-level statement's text, parsed alone, with the positions of its nodes (computed once)."""

    text: str
    module: object  # libcst.Module of the chunk alone
    _positions: Optional[dict] = None

    def positions(self) -> dict:
        if self._positions is None:
            from init_lint.positions import _positions

            self._positions = _positions(self.module)
        return self._positions


def cut(text: str) -> list[tuple[int, str]]:
    """(first line, 0-based; text) of each chunk; "".join of the texts gives the text back."""
    lines = split_lines(text)
    starts = [0]
    seen = False  # the first chunk holds the file's first statement, with the comments above it (the header)
    decorated = False
    for number, line in enumerate(lines):
        if not line or _CONTINUES.match(line):
            continue
        if decorated or not seen:  # a def or class stays in the chunk of the decorators above it
            seen = True
            decorated = line.startswith("@")
            continue
        starts.append(number)
        decorated = line.startswith("@")
    starts.append(len(lines))
    return [(start, "".join(lines[start:stop])) for start, stop in zip(starts, starts[1:]) if stop > start]


class IncrementalChecker:
    """Checks successive versions of one document; thread-safe (one check at a time)."""

    def __init__(self) -> None:
        self._chunks: dict[str, Chunk] = {}
        self._failed: set = set()
        self._lock = threading.Lock()
        #: how many checks ran, and how many of them took the fast path (for tests and benchmarks)
        self.runs = 0
        self.fast_runs = 0

    def check(self, text: str, path: str, settings: Settings,
              stale: Callable[[], bool] = lambda: False, remember: bool = True) -> tuple[list, object]:
        """(findings, analysis or None): what `check_source_with_analysis` gives for the text.

        `stale()` is asked between stages; when it says yes, Cancelled is raised.  `remember`: keep
        this text's chunks for the next check (not for a trial text, such as a quick fix's result).
        """
        checked = self.checked(text, path, settings, stale, remember)
        return checked.findings, checked.analysis

    def checked(self, text: str, path: str, settings: Settings,
                stale: Callable[[], bool] = lambda: False, remember: bool = True) -> Checked:
        """`check`, with where the analysis's nodes stand (the fixes of its findings need it)."""
        with self._lock:
            self.runs += 1
            data, _ = encode_as_declared(text)
            if (not mentions_torch(data, settings) or len(data) > settings.max_file_size or text.startswith("\ufeff")
                    or bracket_depth(text) > NESTING_CHECKED):
                return Checked(*check_source_with_analysis(data, path, settings))
            chunks = self._parse(text, stale, remember)
            if chunks is None:
                return Checked(*check_source_with_analysis(data, path, settings))
            if stale():
                raise Cancelled
            self.fast_runs += 1
            module, origin = _assemble(chunks)
            locate = _placer(chunks, origin)
            try:
                analysis, findings = with_deep_stack(_analyze_and_check, module, text, path, settings, locate)
            except RecursionError:
                return Checked(*check_source_with_analysis(data, path, settings))
            return Checked(filter_findings(findings, text, path, settings), analysis, locate)

    def _parse(self, text: str, stale: Callable[[], bool], remember: bool) -> Optional[list]:
        """[(first line, Chunk)], or None when the text cannot be cut into chunks that parse alone.

        A piece that does not parse alone (a module docstring with lines at column 0, a call whose
        closing bracket stands at column 0) is joined with the pieces after it until the whole
        parses: then the cut after it is outside every bracket and string, as in the whole file.
        """
        import libcst as cst

        pieces = cut(text)
        parsed = []
        kept: dict[str, Chunk] = {}
        failed: set = set()
        index = 0
        while index < len(pieces):
            start, joined = pieces[index]
            for attempt in range(_MAX_JOINED):
                chunk = kept.get(joined) or self._chunks.get(joined)
                if chunk is None and joined not in self._failed:
                    if stale():
                        raise Cancelled
                    try:
                        chunk = Chunk(joined, cst.parse_module(joined))
                    except Exception:  # a cut inside a bracket or a string, or a real syntax error
                        chunk = None
                if chunk is not None:
                    break
                failed.add(joined)
                if index + attempt + 1 >= len(pieces):
                    return None  # a syntax error: the full check reports it where Python does
                joined += pieces[index + attempt + 1][1]
            else:
                return None
            kept[joined] = chunk
            parsed.append((start, chunk))
            index += attempt + 1
        if remember:
            self._chunks = kept  # only the chunks of the latest version: memory stays one document's worth
            self._failed = failed
        return parsed


#: pieces joined at most into one chunk before the whole file is parsed instead
_MAX_JOINED = 64


def _assemble(chunks: list) -> tuple:
    """The whole module from the chunks' statements, and for each top-level statement (by id) the
    (chunk, first line) it came from and the chunk's own statement node."""
    import libcst as cst

    body = []
    origin: dict[int, tuple] = {}
    carried: list = []  # a chunk's trailing lines: libcst gives them to the next statement
    first = chunks[0][1].module
    for index, (start, chunk) in enumerate(chunks):
        module = chunk.module
        if index > 0 and not module.body:
            carried = [*carried, *module.header, *module.footer]
            continue
        for position, statement in enumerate(module.body):
            own = statement
            leading = [*carried, *module.header] if position == 0 and index > 0 else []
            if leading:
                statement = statement.with_changes(leading_lines=(*leading, *statement.leading_lines))
            carried = []
            body.append(statement)
            origin[id(statement)] = (chunk, start, own)
        carried = list(module.footer)
    last = chunks[-1][1].module
    header = tuple(first.header)
    footer = tuple(carried)
    assembled = cst.Module(body=body, header=header, footer=footer, encoding=first.encoding,
                           default_indent=_indent(chunks), default_newline=first.default_newline,
                           has_trailing_newline=last.has_trailing_newline)
    return assembled, origin


def _indent(chunks: list) -> str:
    """The file's indentation as libcst detects it: that of the first indented block."""
    import libcst as cst

    for _, chunk in chunks:
        if any(isinstance(getattr(statement, "body", None), cst.IndentedBlock) for statement in chunk.module.body):
            return chunk.module.default_indent
    return chunks[0][1].module.default_indent


def _placer(chunks: list, origin: dict) -> Callable:
    """A `locate` for run_rules: positions from each node's chunk, moved down by the chunk's first line."""
    from libcst.metadata import CodePosition, CodeRange

    def locate(module, text: str, nodes) -> dict:
        found = {}
        own_node = {id(statement): origin[id(statement)][2] for statement in module.body}
        for node in nodes:
            # a statement given its chunk's trailing lines is placed as its chunk's own node
            own = own_node.get(id(node), node)
            for start, chunk in chunks:
                where = chunk.positions().get(own)
                if where is not None:
                    found[id(node)] = CodeRange(CodePosition(where.start.line + start, where.start.column),
                                                CodePosition(where.end.line + start, where.end.column))
                    break
        return found

    return locate


def _analyze_and_check(module, text: str, path: str, settings: Settings, locate: Callable) -> tuple:
    from init_lint.analysis import analyze

    analysis = analyze(module, settings.extra_layer_map(), text)
    return analysis, run_rules(analysis, path, settings, text, locate)

"""Check one file's source: parse, analyze, run the rules, place and filter the findings.

Never imports torch and never runs the code it reads.  Any failure to read or parse becomes an
INI900 finding, so one bad file never stops a run.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import sys
import threading
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from init_lint.config import Settings
from init_lint.diagnostics import Finding

if TYPE_CHECKING:
    import libcst as cst

    from init_lint.analysis import FileAnalysis

# libcst, the analysis and the rules are imported where they are first needed: a run over files that
# never mention torch (and `--version`, `rule`) never pays for them.

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class ParsedFile:
    module: Optional[cst.Module]
    text: str
    error: Optional[Finding] = None


def decode(data: bytes, path: str) -> tuple[Optional[str], Optional[Finding]]:
    """The file's text in its declared encoding (PEP 263 cookie or BOM), or an INI900 finding."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        return None, unparsable(path, f"cannot determine the encoding: {error.msg if hasattr(error, 'msg') else error}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        from init_lint.rules.unparsable_file import decode_error_reason

        return None, unparsable(path, decode_error_reason(data, encoding, error))
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def unparsable(path: str, reason: str, line: int = 1, column: int = 0) -> Finding:
    return Finding("INI900", f"cannot check this file: {reason}", path, line, column, line, column)


def mentions_torch(data: bytes, settings: Settings) -> bool:
    if b"torch" in data:
        return True
    return any(name.rsplit(".", 1)[-1].encode() in data for name, _ in settings.extra_layers)


def parse(data: bytes, path: str, settings: Settings, lean: bool = False,
          tree: Optional[ast.Module] = None) -> ParsedFile:
    """`lean`: a tree built from Python's parser when it can be (`lean_tree`): for a check only,
    which generates no code from it; a file it cannot build, or with a syntax error, goes to libcst.
    `tree`: Python's tree of `data`, when the caller has one."""
    text, error = decode(data, path)
    if error is not None:
        return ParsedFile(None, "", error)
    if len(data) > settings.max_file_size:
        return ParsedFile(None, text, unparsable(
            path, f"{len(data)} bytes is over max-file-size ({settings.max_file_size}); raise it in [tool.init-lint]"))
    nesting = bracket_depth(text)
    if nesting > NESTING_CHECKED:
        # libcst's native parser can crash the process on absurd nesting, which Python itself rejects
        # (it allows at most 200 levels): let Python's parser judge such files first.
        error = syntax_check_only(data, text, path)
        if error is not None:
            return ParsedFile(None, text, error)
    if lean:
        module = _lean_or_none(text, tree)
        if module is not None:
            return ParsedFile(module, text)
    import libcst as cst

    try:
        module = parse_unvalidated(data)
    except cst.ParserSyntaxError as error:
        from init_lint.rules.unparsable_file import python_syntax_error

        message, line, column = python_syntax_error(text, path) or (error.message, error.raw_line,
                                                                    max(error.raw_column, 0))
        return ParsedFile(None, text, unparsable(path, f"syntax error: {message}", line, column))
    except (RecursionError, MemoryError) as error:
        return ParsedFile(None, text, unparsable(path, f"too deeply nested to parse ({type(error).__name__})"))
    except Exception as error:  # libcst raises a few other types on odd input; never crash a run
        return ParsedFile(None, text, unparsable(path, f"{type(error).__name__}: {error}"))
    return ParsedFile(module, text)


def _lean_or_none(text: str, tree: Optional[ast.Module] = None):
    from init_lint.lean_tree import NotLean, lean_module

    try:
        return lean_module(text, tree)
    except (NotLean, SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # libcst parses it, and reports its errors as every run does


#: the threads parsing right now (`parse_unvalidated`): libcst skips its checks of each new node there
_PARSING = threading.local()
_SWITCH_LOCK = threading.Lock()


def parse_unvalidated(data: bytes) -> cst.Module:
    """`libcst.parse_module`, without the validation every node runs when it is built.

    Each libcst node checks its own fields in `__post_init__` (about an eighth of a parse); the
    nodes libcst's own parser builds hold by construction (libcst's code says so: "avoid
    validating the tree when parsing a file").  The check is switched off in this thread only,
    for the parse only: nodes built anywhere else (the fixer's, another thread's) are still checked.
    """
    import libcst as cst

    _install_validation_switch()
    _PARSING.active = True
    try:
        return cst.parse_module(data)
    finally:
        _PARSING.active = False


def _install_validation_switch() -> None:
    from libcst._nodes.base import CSTNode

    with _SWITCH_LOCK:
        validate = CSTNode.__dict__.get("__post_init__")
        if validate is None or getattr(validate, "switched", False):
            return

        def __post_init__(self) -> None:
            if not getattr(_PARSING, "active", False):
                validate(self)

        __post_init__.switched = True
        CSTNode.__post_init__ = __post_init__


NESTING_CHECKED = 90
_BRACKET_DELTA = {ord(c): d for c, d in zip("([{)]}", (1, 1, 1, -1, -1, -1))}


def bracket_depth(text: str) -> int:
    """The deepest bracket nesting of the text (strings and comments included: an upper bound)."""
    brackets = re.sub(r"[^()\[\]{}]+", "", text)
    if not brackets:
        return 0
    return max(itertools.accumulate(_BRACKET_DELTA[ord(c)] for c in brackets))


def syntax_check_only(data: bytes, text: str, path: str) -> Optional[Finding]:
    """For files that never mention torch: no analysis, but a syntax error is still reported (cheaply)."""
    return python_tree(text, path)[1]


def python_tree(text: str, path: str) -> tuple[Optional[ast.Module], Optional[Finding]]:
    """Python's own tree of the text, or the INI900 finding of why there is none."""
    try:
        return ast.parse(text, filename=path), None
    except SyntaxError as error:
        return None, unparsable(path, f"syntax error: {error.msg}", error.lineno or 1, max((error.offset or 1) - 1, 0))
    except (RecursionError, MemoryError, ValueError) as error:
        return None, unparsable(path, f"{type(error).__name__}: {error}")


def check_source(data: bytes | str, path: str = "<stdin>", settings: Optional[Settings] = None) -> list[Finding]:
    """Every enabled finding of one file, sorted by position."""
    findings, _ = check_source_with_analysis(data, path, settings)
    return findings


def check_source_with_analysis(data: bytes | str, path: str = "<stdin>", settings: Optional[Settings] = None,
                               *, lean: bool = False, tree: Optional[ast.Module] = None
                               ) -> tuple[list[Finding], Optional[FileAnalysis]]:
    """`lean`: analyze the tree `lean_tree` builds from Python's parser (a check that generates no
    code from the analysis: the findings are the same, their fix plans are not for applying).  Should
    that analysis fail, the file is analyzed again from libcst's tree, which decides.  `tree`:
    Python's tree of `data`, when the caller has one (the lean tree is built from it)."""
    settings = settings or Settings()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not mentions_torch(data, settings):
        return check_without_torch(data, path, settings)[0], None
    parsed = parse(data, path, settings, lean=lean, tree=tree)
    if parsed.error is not None:
        return _filter([parsed.error], parsed.text, path, settings), None
    if lean and parsed.module is not None and _is_lean(parsed.module):
        try:
            analysis, findings = with_deep_stack(_analyze_and_check, parsed, path, settings)
            return _filter(findings, parsed.text, path, settings), analysis
        except Exception:  # the lean tree lacks something this file needs: libcst's tree decides
            LEAN_FALLBACKS.append(path)
            del LEAN_FALLBACKS[:-100]
        parsed = parse(data, path, settings)
        if parsed.error is not None:
            return _filter([parsed.error], parsed.text, path, settings), None
    try:
        analysis, findings = with_deep_stack(_analyze_and_check, parsed, path, settings)
    except RecursionError:
        return _filter([unparsable(path, "too deeply nested to analyze")], parsed.text, path, settings), None
    return _filter(findings, parsed.text, path, settings), analysis


#: the last paths whose lean analysis failed and were analyzed from libcst's tree (tests read it)
LEAN_FALLBACKS: list = []


def _is_lean(module) -> bool:
    from init_lint.lean_tree import LeanModule

    return isinstance(module, LeanModule)


def check_without_torch(data: bytes, path: str, settings: Settings) -> tuple[list[Finding], Optional[ast.Module]]:
    """A file that never mentions torch: no analysis, but a syntax error is still reported; with
    Python's tree of it (None: it has none), from which project mode reads its imports."""
    if len(data) > settings.max_file_size:
        error = unparsable(path, f"{len(data)} bytes is over max-file-size ({settings.max_file_size}); "
                                 f"raise it in [tool.init-lint]")
        return _filter([error], "", path, settings), None
    text, error = decode(data, path)
    tree = None
    if error is None:
        tree, error = python_tree(text, path)
    return _filter([error] if error else [], text or "", path, settings), tree


def _analyze_and_check(parsed: ParsedFile, path: str, settings: Settings) -> tuple[FileAnalysis, list[Finding]]:
    """Analyze a parsed file and run the enabled rules on it (in the deep-stack thread)."""
    from init_lint.analysis import analyze

    analysis = analyze(parsed.module, settings.extra_layer_map(), parsed.text)
    return analysis, run_rules(analysis, path, settings, parsed.text)


#: Valid Python nests deeper than the default recursion limit (1,000 frames) lets a tree walk go:
#: a 600-term sum or a 500-branch elif is a chain of nested nodes, and libcst's code generation
#: (positions) recurses a few frames per level.  The analysis of one file runs in a thread with a
#: large stack (address space, not memory, until used) under a higher limit.
ANALYSIS_STACK_BYTES = 512 * 1024 * 1024
ANALYSIS_RECURSION_LIMIT = 50_000
_LIMIT_LOCK = threading.Lock()
_deep_calls = [0, 0]  # [calls running, the limit before the first of them]


def with_deep_stack(function, *args):
    """`function(*args)` in a thread with a large stack and a high recursion limit; its result or its exception."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed back to the caller's thread as it is
            outcome["error"] = error

    with _LIMIT_LOCK:
        if _deep_calls[0] == 0:
            _deep_calls[1] = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_deep_calls[1], ANALYSIS_RECURSION_LIMIT))
        _deep_calls[0] += 1
        thread = threading.Thread(target=target, name="init-lint-analysis", daemon=True)
        try:
            previous_stack = threading.stack_size(ANALYSIS_STACK_BYTES)
            try:
                thread.start()
            finally:
                threading.stack_size(previous_stack)
        except (RuntimeError, ValueError, MemoryError):
            thread = None  # no room for a large stack (a tight ulimit): run here, under the default limit
    try:
        if thread is None:
            sys.setrecursionlimit(_deep_calls[1])
            target()
        else:
            thread.join()
    finally:
        with _LIMIT_LOCK:
            _deep_calls[0] -= 1
            if _deep_calls[0] == 0:
                sys.setrecursionlimit(_deep_calls[1])
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def run_rules(analysis: FileAnalysis, path: str, settings: Settings, text: str, locate=None) -> list[Finding]:
    """`locate` (positions.locate's signature) places the reported nodes: the language server's own
    places them from its per-statement cache."""
    if locate is None:
        from init_lint.positions import locate
    from init_lint.rules import ALL_RULES
    from init_lint.rules.base import CheckContext

    context = CheckContext(analysis, strict=settings.strict)
    raw = []
    for code, rule in ALL_RULES.items():
        if not settings.is_enabled(code, path):
            continue
        for finding in rule.check(context):
            raw.append((code, finding))
    if not raw:
        return []
    positions = locate(analysis.module, text, [item.node for _, item in raw])
    findings = []
    for code, item in raw:
        where = positions.get(id(item.node))
        if where is None:
            continue
        findings.append(Finding(code, item.message, path, where.start.line, where.start.column, where.end.line,
                                where.end.column, item.fix, item.strict, item.plan, item.depends, item.help))
    return findings


def _filter(findings: list[Finding], text: str, path: str, settings: Settings) -> list[Finding]:
    lines = text.splitlines()
    kept = []
    for finding in findings:
        if finding.code != "INI900" and not settings.is_enabled(finding.code, path):
            continue
        if finding.code != "INI900" and (_noqa(lines, finding.line, finding.code) or
                                         _noqa(lines, finding.end_line, finding.code)):
            continue
        kept.append(finding)
    kept.sort(key=Finding.sort_key)
    return kept


def _noqa(lines: list[str], line: int, code: str) -> bool:
    if not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    if "noqa" not in text.lower():
        return False
    for match in _NOQA.finditer(text):
        codes = match.group("codes")
        if codes is None:
            return True
        if any(code.startswith(c.upper()) for c in re.split(r"[,\s]+", codes) if c):
            return True
    return False


# ---------------------------------------------------------------- check, fix, check again


@dataclass
class FixedSource:
    """One file's bytes checked, fixed and checked again (`fix_and_recheck`); nothing is written."""

    #: the fixed bytes: the input itself when nothing was fixed or the fix failed
    source: bytes
    #: what the fixed source still reports (the input's findings when the fix failed)
    remaining: list
    #: the findings the fix removed
    fixed: list
    #: (finding, why) for the findings whose fix could not be applied
    refused: list
    #: why there is no fix at all (the result would not be valid): `source` is then the input
    error: Optional[str] = None
    #: with `diff=True` and something fixed: the unified diff (per cell for a notebook)
    diff: str = ""


def fix_and_recheck(data: bytes, path: str, settings: Settings, *, unsafe: bool = False, style: Optional[str] = None,
                    keep: Optional[frozenset] = None, diff: bool = False) -> FixedSource:
    """check -> fix -> re-check one file's bytes (a notebook's code cells for `.ipynb`).

    The one fix path of the front ends: the engine writes `source` to the file, stdin mode prints it.
    `keep` (project mode): the (line, column, code) of the findings the fix may touch.
    """
    from init_lint.fixes.apply import FixError, fix_source

    if path.endswith(".ipynb"):
        from init_lint.notebooks.engine import cell_diff, fix_notebook

        try:
            notebook = fix_notebook(data, path, settings, unsafe=unsafe, style=style, keep=keep)
        except FixError as error:
            return FixedSource(data, check_file_source(data, path, settings), [], [], error=str(error))
        shown = cell_diff(path, notebook.changed) if diff and notebook.fixed else ""
        return FixedSource(notebook.data, notebook.remaining, notebook.fixed, notebook.refused, diff=shown)
    try:
        result = fix_source(data, path, settings, unsafe=unsafe, style=style, keep=keep)
    except FixError as error:
        return FixedSource(data, check_source(data, path, settings), [], [], error=str(error))
    shown = unified_diff(path, data, result.source) if diff and result.fixed else ""
    return FixedSource(result.source, result.remaining, result.fixed, result.refused, diff=shown)


def check_file_source(data: bytes, path: str, settings: Settings) -> list[Finding]:
    """`check_source`, or for a notebook (`.ipynb`) the findings of its code cells."""
    if path.endswith(".ipynb"):
        from init_lint.notebooks.engine import check_notebook

        return check_notebook(data, path, settings)[0]
    return check_source(data, path, settings)


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """The change as a unified diff, the path on both sides (what `--diff` prints)."""
    import difflib

    old = before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    new = after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, fromfile=path, tofile=path))

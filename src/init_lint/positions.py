"""Line and column of the few nodes a check reports, without position metadata for the whole file.

libcst's PositionProvider generates code for every node of a module, which costs more than
parsing it.  Findings are few, so each reported node is placed from the innermost statement that
holds it: libcst generates the code of that statement alone, with the indentation of the blocks
around it, which places the node inside the statement; the statement's first line is where that
code stands in the file's text when it stands there once (the text holds every statement's code
verbatim), else Python's own parser numbers it (`ast` numbers every statement, and its statements
line up with libcst's one for one).  A layer built in `__init__` costs the code generation of its
own line, not of its whole class, and usually no second parse.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable, Optional, Sequence

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from init_lint.analysis.walk import ByClass, children
from init_lint.lean_tree import LeanModule, NotLean

#: libcst's compound statements and the `ast` statements each one parses to
_COMPOUND_AST = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.Match: (ast.Match,),
}
_TryStar = getattr(cst, "TryStar", cst.Try)
if hasattr(cst, "TryStar") and hasattr(ast, "TryStar"):
    _COMPOUND_AST[cst.TryStar] = (ast.TryStar,)
_AST_COMPOUND = tuple({t for types in _COMPOUND_AST.values() for t in types})
_NEWLINE = re.compile(r"\r\n?|\n")
_STATEMENT = ByClass(lambda cls: issubclass(cls, cst.BaseStatement))


def locate(module: cst.Module, text: str, nodes: Iterable[cst.CSTNode]) -> dict[int, CodeRange]:
    """CodeRange (1-based lines, 0-based columns, as PositionProvider gives them) by node id."""
    wanted = {id(node): node for node in nodes}
    if not wanted:
        return {}
    if isinstance(module, LeanModule):
        return _lean_positions(module, wanted)
    paths = _statement_paths(module, wanted)
    by_anchor: dict[int, tuple] = {}
    for key, path in paths.items():
        statement, _, indents = _anchor(module, None, path)
        by_anchor.setdefault(id(statement), (statement, indents, path, []))[3].append(wanted[key])
    found: dict[int, CodeRange] = {}
    for statement, indents, path, inside in by_anchor.values():
        generated = _statement_positions(module, statement, indents)
        if generated is None:
            return _whole_file(module, wanted)
        positions, code = generated
        line = _line_in_text(text, code, positions[statement].start.line)
        if line is None:
            tree = _ast_module(text)
            anchor = _anchor(module, tree, path) if tree is not None else None
            if anchor is None or anchor[0] is not statement:
                return _whole_file(module, wanted)
            line = anchor[1]
        shift = line - positions[statement].start.line
        for node in inside:
            where = positions.get(node)
            if where is None:
                continue
            found[id(node)] = CodeRange(CodePosition(where.start.line + shift, where.start.column),
                                        CodePosition(where.end.line + shift, where.end.column))
    return found


def _lean_positions(module: LeanModule, wanted: dict) -> dict[int, CodeRange]:
    """The positions of a tree built from `ast`: `ast`'s own (a node it has none for cannot be placed
    without libcst's tree: NotLean, and the caller analyzes the file with libcst)."""
    found = {}
    for key, node in wanted.items():
        where = module.position(node)
        if where is None:
            raise NotLean(f"no position for a {node.__class__.__name__}")
        found[key] = where
    return found


def _line_in_text(text: str, code: str, first: int) -> Optional[int]:
    """The line on which the statement generated as `code` starts (its own first line: `first` of `code`),
    when `code` occurs exactly once in the text, at a line's start: the file's text holds every
    statement's code verbatim, so a single occurrence is the statement itself.  None otherwise."""
    start = text.find(code)
    if start < 0 or text.find(code, start + 1) >= 0 or (start and text[start - 1] not in "\r\n"):
        return None
    if "\r" in text:
        return len(_NEWLINE.findall(text, 0, start)) + first
    return text.count("\n", 0, start) + first


def _whole_file(module: cst.Module, wanted: dict) -> dict[int, CodeRange]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {key: positions[node] for key, node in wanted.items() if node in positions}


def _statement_paths(module: cst.Module, wanted: dict) -> dict[int, tuple]:
    """id(node) -> the statements that hold it, outermost first (the node itself last when it is one).

    Only the nodes `walk.children` reaches are found (punctuation and whitespace are never reported)."""
    paths: dict[int, tuple] = {}
    left = len(wanted)
    for top in module.body:
        stack = [(top, (top,))]
        while stack:
            node, path = stack.pop()
            if id(node) in wanted and wanted[id(node)] is node:
                paths[id(node)] = path
                left -= 1
                if not left:
                    return paths
            for child in children(node):
                stack.append((child, path + (child,) if _STATEMENT[child.__class__] else path))
    return paths


def _anchor(module: cst.Module, tree: Optional[ast.Module], path: tuple) -> Optional[tuple]:
    """(statement, its first line, the indentation of the blocks around it) for the innermost statement
    of `path` whose code can be generated alone.  Without `tree` (Python's parse of the text) the line
    is None; with it, the statements are matched to Python's, and None means they differ."""
    blocks: list = [((), True, module.body, _TOP)]
    ast_owner: object = tree
    indents: tuple = ()
    anchor = None
    for statement in path:
        for more, alone, cst_body, ast_body in blocks:
            if any(s is statement for s in cst_body):
                break
        else:
            return anchor
        indents += more
        counterpart = None
        if tree is not None:
            counterpart = _counterpart(statement, cst_body, ast_body(ast_owner))
            if counterpart is None:
                return anchor
            ast_owner = counterpart
        if alone:  # an `elif` is generated as part of its `if`, never alone
            anchor = (statement, counterpart.lineno if counterpart is not None else None, indents)
        blocks = _blocks(module, statement)
    return anchor


def _counterpart(statement: cst.BaseStatement, cst_body: Sequence, ast_body: Optional[list]) -> Optional[ast.stmt]:
    """The `ast` statement that parses the same code as `statement` (its first, for a line of several)."""
    if ast_body is None:
        return None
    index = 0
    for sibling in cst_body:
        if sibling is statement:
            break
        index += len(sibling.body) if isinstance(sibling, cst.SimpleStatementLine) else 1
    if index >= len(ast_body):
        return None
    counterpart = ast_body[index]
    expected = _COMPOUND_AST.get(type(statement))
    if expected is None:
        return counterpart if isinstance(statement, cst.SimpleStatementLine) and \
            not isinstance(counterpart, _AST_COMPOUND) else None
    return counterpart if isinstance(counterpart, expected) else None


def _TOP(tree: ast.Module) -> list:
    return tree.body


def _field(name: str, index: Optional[int] = None, count: Optional[int] = None):
    """Reads a block of Python's statement: `body`, or `handlers[index].body` when it has `count` handlers."""
    def read(owner: object) -> Optional[list]:
        value = getattr(owner, name, None)
        if index is None:
            return value
        if not isinstance(value, list) or len(value) != count:
            return None
        return getattr(value[index], "body", None)
    return read


def _blocks(module: cst.Module, statement: cst.BaseStatement) -> list:
    """(the indentation it adds, whether its statements generate alone, its statements, how to read the
    same block of Python's statement) for each block of a compound statement.  An `elif` stands in
    its `if`'s `orelse`, indented as the `if`; a `case` body is indented twice (the `match`'s, then its own)."""
    found: list = []

    def indent(node: object) -> str:
        return module.default_indent if node.indent is None else node.indent

    def block(suite: object, read, outer: tuple = ()) -> None:
        if isinstance(suite, cst.IndentedBlock):
            found.append((outer + (indent(suite),), True, suite.body, read))

    if isinstance(statement, (cst.FunctionDef, cst.ClassDef, cst.With, cst.If, cst.For, cst.While, cst.Try,
                              _TryStar)):
        block(statement.body, _field("body"))
    if isinstance(statement, cst.If) and isinstance(statement.orelse, cst.If):
        found.append(((), False, (statement.orelse,), _field("orelse")))
    elif isinstance(statement, (cst.If, cst.For, cst.While, cst.Try, _TryStar)) and statement.orelse is not None:
        block(statement.orelse.body, _field("orelse"))
    if isinstance(statement, (cst.Try, _TryStar)):
        for i, handler in enumerate(statement.handlers):
            block(handler.body, _field("handlers", i, len(statement.handlers)))
        if statement.finalbody is not None:
            block(statement.finalbody.body, _field("finalbody"))
    elif isinstance(statement, cst.Match):
        for i, case in enumerate(statement.cases):
            block(case.body, _field("cases", i, len(statement.cases)), (indent(statement),))
    return found


def _statement_positions(module: cst.Module, statement: cst.BaseStatement, indents: tuple) -> Optional[tuple]:
    """PositionProvider's code generation of one statement, as it stands in the module but for its line:
    (positions, the code); None with a libcst whose internals differ."""
    try:
        from libcst.metadata.position_provider import PositionProvidingCodegenState

        provider = PositionProvider()
        state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                              default_newline=module.default_newline, provider=provider,
                                              indent_tokens=list(indents))
        statement._codegen(state)
        return provider._computed, "".join(state.tokens)
    except (AttributeError, ImportError, TypeError):
        return None


def _positions(module: cst.Module) -> dict:
    """PositionProvider's code generation alone: MetadataWrapper would also walk the whole tree
    with a visitor first, which costs as much again and gives nothing here."""
    provider = PositionProvider()
    try:
        provider._gen_impl(module)
        return provider._computed
    except AttributeError:  # a libcst without these internals: the public way
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


#: the last text parsed with `ast` and its tree: the analysis (call sites' lines) and the rules place
#: nodes of the same file one after the other
_last_tree: tuple = (None, None)


def _ast_module(text: str) -> Optional[ast.Module]:
    global _last_tree
    last_text, tree = _last_tree
    if last_text is text:
        return tree
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    _last_tree = (text, tree)
    return tree

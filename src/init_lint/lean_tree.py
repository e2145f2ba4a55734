"""A libcst-shaped tree of a file's code built from Python's own parser: the check's fast parse.

The analysis reads libcst's node classes and fields.  libcst's parser also builds every space,
comma and parenthesis of the file as nodes, which costs about seven times Python's `ast.parse`
(9.5 CPU s against 1.3 on timm), more than the analysis itself.  A check only reads the code: this
module builds the same classes, with the same code-bearing fields, from the `ast` tree, and leaves
the trivia out (a node is made with `object.__new__`; its whitespace fields are never set).

Only a check reads such a tree.  Fixes, `explain` and the language server parse with libcst,
because they generate code.  What a check needs from the trivia comes from the text instead:
`LeanModule.code_for_node` slices the node's code out of the source (its own parentheses
included, as libcst's code generation gives them), the positions of reported nodes are `ast`'s
own, and the comments on a statement's lines are read from its lines.

Syntax this module does not build (`match`, type parameters, anything newer) raises `NotLean`:
the caller parses that file with libcst.  `tests/test_lean_tree.py` proves, on every file of the
tests and the corpus it is given, that the tree equals libcst's in every field the analysis reads.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Optional

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

_new = object.__new__
_set = object.__setattr__


class NotLean(Exception):
    """The file holds syntax this module does not build: parse it with libcst."""


class LeanModule(cst.Module):
    """A `cst.Module` built from `ast`: it slices code out of its text instead of generating it."""

    __slots__ = ("text", "_lines", "_utf8_lines", "_origin")

    def code_for_node(self, node: cst.CSTNode) -> str:
        origin = self._origin.get(id(node))
        if origin is None:  # a node libcst built (an f-string's parts) has all its fields
            try:
                return cst.Module([]).code_for_node(node)
            except AttributeError:
                raise NotLean(f"no code for a {node.__class__.__name__}") from None
        start, end = _parenthesized(self._lines, *self.span(origin))
        return _slice(self._lines, start, end)

    def span(self, origin: ast.AST) -> tuple:
        """((line, column), (line, column)) of an `ast` node, columns in characters (`ast` counts bytes)."""
        if origin.__class__ is tuple:  # the name of an attribute or of a keyword argument
            node, part = origin
            if part == "attr":
                origin = _Span.ending(node, len(node.attr.encode("utf-8")))
            else:
                origin = _Span.starting(node, len(node.arg.encode("utf-8")))
        return ((origin.lineno, self._column(origin.lineno, origin.col_offset)),
                (origin.end_lineno, self._column(origin.end_lineno, origin.end_col_offset)))

    def _column(self, line: int, offset: int) -> int:
        raw = self._utf8_lines[line - 1]
        if raw is None:  # the line is ASCII: bytes are characters
            return offset
        return len(raw[:offset].decode("utf-8", "replace"))

    def position(self, node: cst.CSTNode) -> Optional[CodeRange]:
        """Where libcst's PositionProvider places the node (its code, parentheses excluded)."""
        origin = self._origin.get(id(node))
        if origin is None or (origin.__class__ is not tuple and not hasattr(origin, "lineno")):
            return None
        span = self.span(origin)
        if isinstance(node, cst.Arg) and isinstance(origin, ast.expr) and not isinstance(origin, ast.Starred):
            span = _parenthesized(self._lines, *span)  # a positional argument's code holds its parentheses
        (line, column), (end_line, end_column) = span
        return CodeRange(CodePosition(line, column), CodePosition(end_line, end_column))

    def leading_comments(self, first: int, column: int, after: object) -> tuple:
        """What libcst keeps in the `leading_lines` of a simple statement starting on line `first`:
        the comment lines right above it (the lines between two statements hold no code, so a line
        whose text starts with `#` is a comment).

        `column`: the statement's indentation; `after`: "start" for the module's first statement
        (libcst gives the comments above it to the module's header), "line" after a simple statement,
        else the compound statement before it: when its last block is indented, that block's footer
        takes every comment line up to the last one indented deeper than the statement."""
        if after == "start":
            return ()
        lines = self._lines
        line = first - 1
        if line < 1:
            return ()
        above_text = lines[line - 1].lstrip()
        if above_text and above_text[0] not in "#\r\n":
            return ()  # code right above: the common case, decided without looking further
        if not isinstance(after, str):
            after = "block" if _ends_in_indented_block(after) else "line"
        above: list = []
        while line >= 1:
            text = lines[line - 1]
            stripped = text.strip()
            if stripped and not stripped.startswith("#"):
                break
            if stripped:
                if after == "block" and len(text) - len(text.lstrip()) > column:
                    break
                above.append(_EmptyLineWithComment(text.lstrip(" \t").rstrip("\r\n")))
            line -= 1
        above.reverse()
        return tuple(above)

    def trailing_comment(self, line: int, offset: int) -> object:
        """libcst's `trailing_whitespace` of a simple statement line whose code ends at byte `offset`
        of `line`: the comment after it, if any."""
        raw = self._utf8_lines[line - 1]
        rest = raw[offset:].decode("utf-8", "replace") if raw is not None else self._lines[line - 1][offset:]
        rest = rest.lstrip(" \t")
        if rest.startswith(";"):
            rest = rest[1:].lstrip(" \t")
        if rest.startswith("#"):
            return _TrailingComment(rest.rstrip("\r\n"))
        return _NO_COMMENT


class _Comment:
    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value


class _EmptyLineWithComment:
    __slots__ = ("comment",)

    def __init__(self, text: str) -> None:
        self.comment = _Comment(text)


class _TrailingComment:
    __slots__ = ("comment",)

    def __init__(self, text: Optional[str]) -> None:
        self.comment = _Comment(text) if text is not None else None


_NO_COMMENT = _TrailingComment(None)


def lean_module(text: str, tree: Optional[ast.Module] = None) -> LeanModule:
    """The file's tree (raises SyntaxError as `ast.parse` does, `NotLean` for syntax not built here).
    `tree`: Python's own tree of the text, when the caller has parsed it already."""
    if tree is None:
        tree = ast.parse(text)
    if _OTHER_BREAKS.search(text):
        raise NotLean("a character str.splitlines breaks lines at and Python does not")
    lines = text.splitlines(keepends=True) or [""]
    module = _new(LeanModule)
    _set(module, "text", text)
    _set(module, "_lines", lines)
    _set(module, "_utf8_lines", [None if line.isascii() else line.encode("utf-8") for line in lines])
    _set(module, "_origin", {})
    builder = _Builder(module)
    _set(module, "body", builder.block_body(tree.body, at_start=True))
    return module


def changed(node: cst.CSTNode, **fields) -> cst.CSTNode:
    """`node.with_changes(**fields)`, for a node of either tree: one built here lacks the trivia
    `with_changes` copies, and gets a copy of the fields it has."""
    try:
        return node.with_changes(**fields)
    except AttributeError:
        copy = _new(node.__class__)
        for cls in node.__class__.__mro__:
            for name in getattr(cls, "__slots__", ()):
                if hasattr(node, name) and name != "__weakref__":
                    _set(copy, name, getattr(node, name))
        for name, value in fields.items():
            _set(copy, name, value)
        return copy


# ---------------------------------------------------------------- the text


_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}('''|\"\"\"|'|\")")


def _slice(lines: list, start: tuple, end: tuple) -> str:
    (line, column), (end_line, end_column) = start, end
    if line == end_line:
        return lines[line - 1][column:end_column]
    return lines[line - 1][column:] + "".join(lines[line:end_line - 1]) + lines[end_line - 1][:end_column]


def _char_before(lines: list, line: int, column: int) -> tuple:
    """(the first non-blank character before the position, its position), skipping line ends and
    backslash continuations; ("", position) at the file's start."""
    while True:
        before = lines[line - 1][:column].rstrip()
        if before.endswith("\\"):
            before = before[:-1].rstrip()
        if before:
            return before[-1], (line, len(before) - 1)
        if line == 1:
            return "", (1, 0)
        line -= 1
        column = len(lines[line - 1].rstrip("\r\n"))
        if "#" in lines[line - 1]:
            return "#", (line, column)  # a comment between: never a parenthesis libcst moves


def _char_after(lines: list, line: int, column: int) -> tuple:
    while True:
        text = lines[line - 1]
        rest = text[column:]
        stripped = rest.lstrip(" \t\x0c")
        if stripped[:1] == "\\" and stripped[1:].strip() == "":
            stripped = ""
        if stripped and stripped[0] not in "\r\n":
            return stripped[0], (line, column + len(rest) - len(stripped))
        if line == len(lines):
            return "", (line, len(text))
        line, column = line + 1, 0


def _parenthesized(lines: list, start: tuple, end: tuple) -> tuple:
    """The span grown over the parentheses libcst gives the node itself (`lpar`/`rpar`): a `(`
    right before it and a `)` right after it, unless that `(` opens a call, a `def` or a class
    (it follows a name that is not a keyword, a `)` or a `]`)."""
    while True:
        opening, open_at = _char_before(lines, *start)
        closing, close_at = _char_after(lines, *end)
        if opening != "(" or closing != ")":
            return start, end
        owner, owner_at = _char_before(lines, *open_at)
        if owner in ")]" or (owner.isidentifier() or owner.isdigit()) and not _keyword_ends_at(lines, owner_at):
            return start, end
        start, end = open_at, (close_at[0], close_at[1] + 1)


def _keyword_ends_at(lines: list, at: tuple) -> bool:
    text = lines[at[0] - 1][:at[1] + 1]
    match = re.search(r"[A-Za-z_0-9]+$", text)
    return bool(match) and keyword.iskeyword(match.group())


# ---------------------------------------------------------------- the tree


def _singleton(cls: type) -> cst.CSTNode:
    return cls()


_BINARY = {ast.Add: cst.Add, ast.Sub: cst.Subtract, ast.Mult: cst.Multiply, ast.Div: cst.Divide,
           ast.FloorDiv: cst.FloorDivide, ast.Mod: cst.Modulo, ast.Pow: cst.Power, ast.LShift: cst.LeftShift,
           ast.RShift: cst.RightShift, ast.BitOr: cst.BitOr, ast.BitXor: cst.BitXor, ast.BitAnd: cst.BitAnd,
           ast.MatMult: cst.MatrixMultiply}
_AUGMENTED = {ast.Add: cst.AddAssign, ast.Sub: cst.SubtractAssign, ast.Mult: cst.MultiplyAssign,
              ast.Div: cst.DivideAssign, ast.FloorDiv: cst.FloorDivideAssign, ast.Mod: cst.ModuloAssign,
              ast.Pow: cst.PowerAssign, ast.LShift: cst.LeftShiftAssign, ast.RShift: cst.RightShiftAssign,
              ast.BitOr: cst.BitOrAssign, ast.BitXor: cst.BitXorAssign, ast.BitAnd: cst.BitAndAssign,
              ast.MatMult: cst.MatrixMultiplyAssign}
_UNARY = {ast.UAdd: cst.Plus, ast.USub: cst.Minus, ast.Not: cst.Not, ast.Invert: cst.BitInvert}
_COMPARE = {ast.Eq: cst.Equal, ast.NotEq: cst.NotEqual, ast.Lt: cst.LessThan, ast.LtE: cst.LessThanEqual,
            ast.Gt: cst.GreaterThan, ast.GtE: cst.GreaterThanEqual, ast.Is: cst.Is, ast.IsNot: cst.IsNot,
            ast.In: cst.In, ast.NotIn: cst.NotIn}
_BOOLEAN = {ast.And: cst.And, ast.Or: cst.Or}
_BINARY_OPERATORS = {kind: _singleton(made) for kind, made in _BINARY.items()}
_UNARY_OPERATORS = {kind: _singleton(made) for kind, made in _UNARY.items()}
_COMPARE_OPERATORS = {kind: _singleton(made) for kind, made in _COMPARE.items()}
_BOOLEAN_OPERATORS = {kind: _singleton(made) for kind, made in _BOOLEAN.items()}
_AUGMENTED_OPERATORS = {kind: _singleton(made) for kind, made in _AUGMENTED.items()}
_ASYNC = cst.Asynchronous()
_NAME, _ATTRIBUTE, _CALL, _ARG = cst.Name, cst.Attribute, cst.Call, cst.Arg
_DEFAULT = cst.MaybeSentinel.DEFAULT


def _one(cls: type, name: str, value: object) -> cst.CSTNode:
    """A node of one field (`_node` without its keyword dictionary, for the commonest ones)."""
    node = _new(cls)
    _set(node, name, value)
    return node


def _node(cls: type, **fields) -> cst.CSTNode:
    node = _new(cls)
    for name, value in fields.items():
        _set(node, name, value)
    return node


class _Builder:
    def __init__(self, module: LeanModule) -> None:
        self.module = module
        self.lines = module._lines
        self.origin = module._origin

    def made(self, node: cst.CSTNode, origin: ast.AST) -> cst.CSTNode:
        self.origin[id(node)] = origin
        return node

    # ------------------------------------------------------------ statements

    def block_body(self, statements: list, at_start: bool = False) -> list:
        """Statements as libcst holds them: the simple ones of a line in one `SimpleStatementLine`,
        with the comments above it and after it."""
        body: list = []
        line_of: Optional[cst.SimpleStatementLine] = None
        last: Optional[ast.stmt] = None
        after: object = "start" if at_start else "line"
        for statement in statements:
            made = self.statement(statement)
            if isinstance(made, cst.BaseSmallStatement):
                if line_of is not None and self._after_semicolon(last, statement):
                    line_of.body.append(made)
                else:
                    if line_of is not None:
                        self._end_line(line_of, last)
                    line_of = _new(cst.SimpleStatementLine)
                    _set(line_of, "body", [made])
                    _set(line_of, "leading_lines", self.module.leading_comments(
                        statement.lineno, len(self._text_before(statement)), after))
                    self.made(line_of, statement)
                    body.append(line_of)
                last = statement
                after = "line"
            else:
                if line_of is not None:
                    self._end_line(line_of, last)
                line_of = None
                body.append(made)
                after = made  # a compound statement: whether its last block has a footer is asked when needed
        if line_of is not None:
            self._end_line(line_of, last)
        return body

    def _end_line(self, line_of: cst.SimpleStatementLine, last: ast.stmt) -> None:
        _set(line_of, "trailing_whitespace", self.module.trailing_comment(last.end_lineno, last.end_col_offset))

    def _after_semicolon(self, last: ast.stmt, statement: ast.stmt) -> bool:
        if statement.lineno != last.end_lineno:
            return False
        raw = self.module._utf8_lines[statement.lineno - 1]
        between = raw[last.end_col_offset:statement.col_offset] if raw is not None else \
            self.lines[statement.lineno - 1][last.end_col_offset:statement.col_offset]
        return (b";" if raw is not None else ";") in between

    def suite(self, statements: list) -> cst.BaseSuite:
        first = statements[0]
        before = self._text_before(first)
        if before.strip():
            suite = _node(cst.SimpleStatementSuite, body=[self.small_of(s) for s in statements],
                          leading_whitespace=None)
            return suite
        return _one(cst.IndentedBlock, "body", self.block_body(statements))

    def small_of(self, statement: ast.stmt) -> cst.BaseSmallStatement:
        made = self.statement(statement)
        if not isinstance(made, cst.BaseSmallStatement):
            raise NotLean("a compound statement in a one-line suite")
        return made

    def _text_before(self, node: ast.AST) -> str:
        raw = self.module._utf8_lines[node.lineno - 1]
        if raw is None:
            return self.lines[node.lineno - 1][:node.col_offset]
        return raw[:node.col_offset].decode("utf-8", "replace")

    def orelse(self, statements: list) -> Optional[cst.CSTNode]:
        if not statements:
            return None
        return _node(cst.Else, body=self.suite(statements))

    def statement(self, node: ast.stmt) -> cst.CSTNode:
        try:
            method = self._STATEMENTS[node.__class__]
        except KeyError:
            raise NotLean(f"statement {node.__class__.__name__}") from None
        made = method(self, node)
        self.origin[id(made)] = node
        return made

    def s_Expr(self, node):
        return _one(cst.Expr, "value", self.expr(node.value))

    def s_Assign(self, node):
        targets = [_one(cst.AssignTarget, "target", self.expr(t)) for t in node.targets]
        for target, origin in zip(targets, node.targets):
            self.made(target, origin)
        return _node(cst.Assign, targets=targets, value=self.expr(node.value))

    def s_AnnAssign(self, node):
        return _node(cst.AnnAssign, target=self.expr(node.target), annotation=self.annotation(node.annotation),
                     value=self.expr(node.value) if node.value is not None else None)

    def s_AugAssign(self, node):
        return _node(cst.AugAssign, target=self.expr(node.target), operator=_AUGMENTED_OPERATORS[node.op.__class__],
                     value=self.expr(node.value))

    def s_Return(self, node):
        return _one(cst.Return, "value", self.expr(node.value) if node.value is not None else None)

    def s_Raise(self, node):
        cause = None
        if node.cause is not None:
            cause = _node(cst.From, item=self.expr(node.cause))
        return _node(cst.Raise, exc=self.expr(node.exc) if node.exc is not None else None, cause=cause)

    def s_Assert(self, node):
        return _node(cst.Assert, test=self.expr(node.test), msg=self.expr(node.msg) if node.msg is not None else None)

    def s_Pass(self, node):
        return _node(cst.Pass)

    def s_Break(self, node):
        return _node(cst.Break)

    def s_Continue(self, node):
        return _node(cst.Continue)

    def s_Delete(self, node):
        if len(node.targets) == 1:
            target = self.expr(node.targets[0])
        else:
            target = _node(cst.Tuple, elements=[self.element(t) for t in node.targets])
        return _node(cst.Del, target=target)

    def s_Global(self, node):
        return _node(cst.Global, names=[_node(cst.NameItem, name=_node(cst.Name, value=n)) for n in node.names])

    def s_Nonlocal(self, node):
        return _node(cst.Nonlocal, names=[_node(cst.NameItem, name=_node(cst.Name, value=n)) for n in node.names])

    def s_Import(self, node):
        return _node(cst.Import, names=[self.alias(a) for a in node.names])

    def s_ImportFrom(self, node):
        if len(node.names) == 1 and node.names[0].name == "*":
            names = cst.ImportStar()
        else:
            names = [self.alias(a) for a in node.names]
        module = self.dotted(node.module) if node.module else None
        return _node(cst.ImportFrom, module=module, names=names, relative=[cst.Dot()] * (node.level or 0))

    def alias(self, node: ast.alias):
        asname = _node(cst.AsName, name=_node(cst.Name, value=node.asname)) if node.asname else None
        return self.made(_node(cst.ImportAlias, name=self.dotted(node.name), asname=asname), node)

    def dotted(self, name: str):
        parts = name.split(".")
        made = _node(cst.Name, value=parts[0])
        for part in parts[1:]:
            made = _node(cst.Attribute, value=made, attr=_node(cst.Name, value=part))
        return made

    def s_If(self, node):
        orelse = None
        if node.orelse:
            first = node.orelse[0]
            if len(node.orelse) == 1 and isinstance(first, ast.If) and self._is_elif(first):
                orelse = self.statement(first)
            else:
                orelse = self.orelse(node.orelse)
        return _node(cst.If, test=self.expr(node.test), body=self.suite(node.body), orelse=orelse)

    def _is_elif(self, node: ast.If) -> bool:
        raw = self.module._utf8_lines[node.lineno - 1]
        text = raw.decode("utf-8", "replace") if raw is not None else self.lines[node.lineno - 1]
        prefix = raw[:node.col_offset].decode("utf-8", "replace") if raw is not None else text[:node.col_offset]
        return text[len(prefix):].startswith("elif")

    def s_For(self, node, asynchronous=None):
        return _node(cst.For, target=self.expr(node.target), iter=self.expr(node.iter), body=self.suite(node.body),
                     orelse=self.orelse(node.orelse), asynchronous=asynchronous)

    def s_AsyncFor(self, node):
        return self.s_For(node, _ASYNC)

    def s_While(self, node):
        return _node(cst.While, test=self.expr(node.test), body=self.suite(node.body),
                     orelse=self.orelse(node.orelse))

    def s_Try(self, node, kind=cst.Try, handler_kind=cst.ExceptHandler):
        handlers = []
        for handler in node.handlers:
            name = _node(cst.AsName, name=_node(cst.Name, value=handler.name)) if handler.name else None
            handlers.append(self.made(_node(handler_kind, body=self.suite(handler.body),
                                            type=self.expr(handler.type) if handler.type is not None else None,
                                            name=name), handler))
        finalbody = _node(cst.Finally, body=self.suite(node.finalbody)) if node.finalbody else None
        return _node(kind, body=self.suite(node.body), handlers=handlers, orelse=self.orelse(node.orelse),
                     finalbody=finalbody)

    def s_TryStar(self, node):
        return self.s_Try(node, cst.TryStar, cst.ExceptStarHandler)

    def s_With(self, node, asynchronous=None):
        items = []
        for item in node.items:
            asname = None
            if item.optional_vars is not None:
                asname = _node(cst.AsName, name=self.expr(item.optional_vars))
            items.append(_node(cst.WithItem, item=self.expr(item.context_expr), asname=asname))
        return _node(cst.With, items=items, body=self.suite(node.body), asynchronous=asynchronous)

    def s_AsyncWith(self, node):
        return self.s_With(node, _ASYNC)

    def s_FunctionDef(self, node, asynchronous=None):
        if getattr(node, "type_params", None):
            raise NotLean("type parameters")
        decorators = [_node(cst.Decorator, decorator=self.expr(d)) for d in node.decorator_list]
        returns = self.annotation(node.returns) if node.returns is not None else None
        return _node(cst.FunctionDef, name=self.name_at(node.name, node), params=self.parameters(node.args),
                     body=self.suite(node.body), decorators=decorators, returns=returns,
                     asynchronous=asynchronous, type_parameters=None)

    def s_AsyncFunctionDef(self, node):
        return self.s_FunctionDef(node, _ASYNC)

    def s_ClassDef(self, node):
        if getattr(node, "type_params", None):
            raise NotLean("type parameters")
        decorators = [_node(cst.Decorator, decorator=self.expr(d)) for d in node.decorator_list]
        bases = [self.arg(b) for b in node.bases]
        keywords = [self.keyword(k) for k in node.keywords]
        return _node(cst.ClassDef, name=self.name_at(node.name, node), body=self.suite(node.body), bases=bases,
                     keywords=keywords, decorators=decorators, type_parameters=None)

    def name_at(self, name: str, owner: ast.AST) -> cst.Name:
        return _node(cst.Name, value=name)

    def annotation(self, node: ast.expr) -> cst.Annotation:
        return _one(cst.Annotation, "annotation", self.expr(node))

    def parameters(self, args: ast.arguments) -> cst.Parameters:
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        made = [self.param(a, d) for a, d in zip(positional, defaults)]
        posonly = made[:len(args.posonlyargs)]
        params = made[len(args.posonlyargs):]
        if args.vararg is not None:
            star_arg = self.param(args.vararg, None, "*")
        elif args.kwonlyargs:
            star_arg = _node(cst.ParamStar)
        else:
            star_arg = _DEFAULT
        kwonly = [self.param(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        star_kwarg = self.param(args.kwarg, None, "**") if args.kwarg is not None else None
        posonly_ind = _node(cst.ParamSlash) if posonly else _DEFAULT
        return _node(cst.Parameters, params=params, star_arg=star_arg, kwonly_params=kwonly, star_kwarg=star_kwarg,
                     posonly_params=posonly, posonly_ind=posonly_ind)

    def param(self, arg: ast.arg, default: Optional[ast.expr], star: str = "") -> cst.Param:
        annotation = self.annotation(arg.annotation) if arg.annotation is not None else None
        return self.made(_node(cst.Param, name=_node(cst.Name, value=arg.arg), annotation=annotation,
                               default=self.expr(default) if default is not None else None, star=star), arg)

    # ------------------------------------------------------------ expressions

    def expr(self, node: ast.expr) -> cst.BaseExpression:
        try:
            method = self._EXPRESSIONS[node.__class__]
        except KeyError:
            raise NotLean(f"expression {node.__class__.__name__}") from None
        made = method(self, node)
        self.origin[id(made)] = node
        return made

    # The three commonest nodes are built without `_node`'s keyword dictionary.

    def e_Name(self, node):
        made = _new(_NAME)
        _set(made, "value", node.id)
        return made

    def e_Attribute(self, node):
        attr = _new(_NAME)
        _set(attr, "value", node.attr)
        self.origin[id(attr)] = (node, "attr")  # its span is worked out if it is ever asked for
        made = _new(_ATTRIBUTE)
        _set(made, "value", self.expr(node.value))
        _set(made, "attr", attr)
        return made

    def e_Call(self, node):
        args = [self.arg(a) for a in node.args] + [self.keyword(k) for k in node.keywords]
        if node.args and node.keywords:
            args.sort(key=lambda a: self._start(self.origin[id(a)]))
        made = _new(_CALL)
        _set(made, "func", self.expr(node.func))
        _set(made, "args", args)
        return made

    def _start(self, node: ast.AST) -> tuple:
        return node.lineno, node.col_offset

    def arg(self, node: ast.expr) -> cst.Arg:
        made = _new(_ARG)
        if node.__class__ is ast.Starred:
            _set(made, "value", self.expr(node.value))
            _set(made, "star", "*")
        else:
            _set(made, "value", self.expr(node))
            _set(made, "star", "")
        _set(made, "keyword", None)
        self.origin[id(made)] = node
        return made

    def keyword(self, node: ast.keyword) -> cst.Arg:
        if node.arg is None:
            made = _node(cst.Arg, value=self.expr(node.value), keyword=None, star="**")
        else:
            name = _node(cst.Name, value=node.arg)
            self.origin[id(name)] = (node, "keyword")
            made = _node(cst.Arg, value=self.expr(node.value), keyword=name, star="")
        return self.made(made, node)

    def e_BinOp(self, node):
        return _node(cst.BinaryOperation, left=self.expr(node.left), operator=_BINARY_OPERATORS[node.op.__class__],
                     right=self.expr(node.right))

    def e_UnaryOp(self, node):
        return _node(cst.UnaryOperation, operator=_UNARY_OPERATORS[node.op.__class__],
                     expression=self.expr(node.operand))

    def e_BoolOp(self, node):
        operator = _BOOLEAN_OPERATORS[node.op.__class__]
        made = self.expr(node.values[0])
        for value in node.values[1:]:
            made = _node(cst.BooleanOperation, left=made, operator=operator, right=self.expr(value))
            if value is not node.values[-1]:
                self.origin[id(made)] = _Span(node.values[0], value)
        return made

    def e_Compare(self, node):
        comparisons = [_node(cst.ComparisonTarget, operator=_COMPARE_OPERATORS[op.__class__], comparator=self.expr(c))
                       for op, c in zip(node.ops, node.comparators)]
        return _node(cst.Comparison, left=self.expr(node.left), comparisons=comparisons)

    def e_Constant(self, node):
        value = node.value
        if value is None or value is True or value is False:
            return _node(cst.Name, value=repr(value))
        if value is Ellipsis:
            return _node(cst.Ellipsis)
        code = self._code(node)
        if isinstance(value, (str, bytes)):
            return self.string(code, node)
        if isinstance(value, bool):
            raise NotLean("boolean constant")
        if isinstance(value, int):
            return _one(cst.Integer, "value", code)
        if isinstance(value, float):
            return _one(cst.Float, "value", code)
        if isinstance(value, complex):
            return _node(cst.Imaginary, value=code)
        raise NotLean(f"constant {type(value).__name__}")

    def _code(self, node: ast.AST) -> str:
        return _slice(self.lines, *self.module.span(node))

    def string(self, code: str, node: ast.AST) -> cst.BaseExpression:
        pieces = _string_pieces(code)
        if len(pieces) == 1:
            return _one(cst.SimpleString, "value", pieces[0])
        made = _node(cst.SimpleString, value=pieces[-1])
        for piece in reversed(pieces[:-1]):
            left = _node(cst.SimpleString, value=piece)
            made = _node(cst.ConcatenatedString, left=left, right=made)
        return made

    def e_JoinedStr(self, node):
        """An f-string (with the plain strings written beside it): its text parts sliced from the
        code, its expressions from `ast`.  Expressions inside get no position (`ast` may misplace
        them in Python 3.11): asking for one sends the file to libcst.  Shapes the scan below does
        not take apart (`{x=}`, braces in a format spec) are parsed by libcst."""
        code = self._code(node)
        saved = self.origin
        self.origin = {}
        try:
            values = iter([v for v in node.values if v.__class__ is ast.FormattedValue])
            pieces = [self._fstring(piece, values) if _is_fstring(piece) else _one(cst.SimpleString, "value", piece)
                      for piece in _string_pieces(code)]
            if next(values, None) is not None:
                raise _NotScanned
        except _NotScanned:
            try:
                return cst.parse_expression("(" + code + ")")
            except Exception as error:
                raise NotLean(f"f-string: {error}") from None
        finally:
            self.origin = saved
        made = pieces[-1]
        for piece in reversed(pieces[:-1]):
            made = _node(cst.ConcatenatedString, left=piece, right=made)
        return made

    def _fstring(self, piece: str, values) -> cst.FormattedString:
        match = _STRING_START.match(piece)
        start = match.group(0)
        quote = match.group(1)
        body = piece[len(start):len(piece) - len(quote)]
        parts, at = self._fstring_parts(body, 0, values, in_spec=False)
        if at != len(body):
            raise _NotScanned
        return _node(cst.FormattedString, parts=parts, start=start, end=quote)

    def _fstring_parts(self, body: str, at: int, values, in_spec: bool) -> tuple:
        """The parts of an f-string's body from `at` to its end (or, in a format spec, to the `}`
        closing it), and where they end."""
        parts: list = []
        text_from = at
        size = len(body)
        while at < size:
            char = body[at]
            if char == "{":
                if body.startswith("{{", at):
                    if in_spec:
                        raise _NotScanned
                    at += 2
                    continue
                if at > text_from:
                    parts.append(_one(cst.FormattedStringText, "value", body[text_from:at]))
                field, at = self._field(body, at + 1, values)
                parts.append(field)
                text_from = at
            elif char == "}":
                if in_spec:
                    break
                if not body.startswith("}}", at):
                    raise _NotScanned
                at += 2
            else:
                at += 1
        if at > text_from:
            parts.append(_one(cst.FormattedStringText, "value", body[text_from:at]))
        return parts, at

    def _field(self, body: str, at: int, values) -> tuple:
        """`{expression!c:spec}` from just after its `{`: the part and where it ends (after its `}`)."""
        end = _expression_end(body, at)
        value = next(values, None)
        if value is None:
            raise _NotScanned
        conversion = None
        format_spec = None
        if body.startswith("!", end):
            conversion = body[end + 1:end + 2]
            if conversion not in ("r", "s", "a") or chr(value.conversion) != conversion:
                raise _NotScanned
            end += 2
        elif value.conversion != -1:
            raise _NotScanned  # `{x=}` (Python converts it with repr)
        if body.startswith(":", end):
            spec = value.format_spec
            inner = iter([v for v in spec.values if v.__class__ is ast.FormattedValue] if spec is not None else ())
            format_spec, end = self._fstring_parts(body, end + 1, inner, in_spec=True)
            if next(inner, None) is not None:
                raise _NotScanned
        if not body.startswith("}", end):
            raise _NotScanned
        made = _node(cst.FormattedStringExpression, expression=self.expr(value.value), conversion=conversion,
                     format_spec=format_spec, equal=None)
        return made, end + 1

    def e_Tuple(self, node):
        return _one(cst.Tuple, "elements", [self.element(e) for e in node.elts])

    def e_List(self, node):
        return _one(cst.List, "elements", [self.element(e) for e in node.elts])

    def e_Set(self, node):
        return _node(cst.Set, elements=[self.element(e) for e in node.elts])

    def element(self, node: ast.expr) -> cst.BaseElement:
        if isinstance(node, ast.Starred):
            return self.made(_node(cst.StarredElement, value=self.expr(node.value)), node)
        return _one(cst.Element, "value", self.expr(node))

    def e_Starred(self, node):
        return _node(cst.StarredElement, value=self.expr(node.value))

    def e_Dict(self, node):
        elements = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                elements.append(_node(cst.StarredDictElement, value=self.expr(value)))
            else:
                elements.append(_node(cst.DictElement, key=self.expr(key), value=self.expr(value)))
        return _node(cst.Dict, elements=elements)

    def comprehension(self, generators: list) -> cst.CompFor:
        made = None
        for generator in reversed(generators):
            ifs = [_node(cst.CompIf, test=self.expr(t)) for t in generator.ifs]
            made = _node(cst.CompFor, target=self.expr(generator.target), iter=self.expr(generator.iter), ifs=ifs,
                         inner_for_in=made, asynchronous=_ASYNC if generator.is_async else None)
        return made

    def e_ListComp(self, node):
        return _node(cst.ListComp, elt=self.expr(node.elt), for_in=self.comprehension(node.generators))

    def e_SetComp(self, node):
        return _node(cst.SetComp, elt=self.expr(node.elt), for_in=self.comprehension(node.generators))

    def e_GeneratorExp(self, node):
        return _node(cst.GeneratorExp, elt=self.expr(node.elt), for_in=self.comprehension(node.generators))

    def e_DictComp(self, node):
        return _node(cst.DictComp, key=self.expr(node.key), value=self.expr(node.value),
                     for_in=self.comprehension(node.generators))

    def e_Subscript(self, node):
        index = node.slice
        if isinstance(index, ast.Tuple) and not self._parenthesized_tuple(index):
            elements = [self.subscript_element(e) for e in index.elts]
        else:
            elements = [self.subscript_element(index)]
        return _node(cst.Subscript, value=self.expr(node.value), slice=elements)

    def _parenthesized_tuple(self, node: ast.Tuple) -> bool:
        if not node.elts:
            return True
        last = node.elts[-1]
        return (node.end_lineno, node.end_col_offset) != (last.end_lineno, last.end_col_offset) and \
            self._code(node).rstrip().endswith(")") and self._code(node).startswith("(")

    def subscript_element(self, node: ast.expr) -> cst.SubscriptElement:
        if isinstance(node, ast.Slice):
            inner = _node(cst.Slice, lower=self.expr(node.lower) if node.lower is not None else None,
                          upper=self.expr(node.upper) if node.upper is not None else None,
                          step=self.expr(node.step) if node.step is not None else None,
                          first_colon=None, second_colon=_DEFAULT)
            self.made(inner, node)
        elif isinstance(node, ast.Starred):
            inner = _node(cst.Index, value=self.expr(node.value), star="*")
        else:
            inner = _node(cst.Index, value=self.expr(node), star=None)
        return _one(cst.SubscriptElement, "slice", inner)

    def e_Lambda(self, node):
        return _node(cst.Lambda, params=self.parameters(node.args), body=self.expr(node.body))

    def e_IfExp(self, node):
        return _node(cst.IfExp, test=self.expr(node.test), body=self.expr(node.body), orelse=self.expr(node.orelse))

    def e_NamedExpr(self, node):
        return _node(cst.NamedExpr, target=self.expr(node.target), value=self.expr(node.value))

    def e_Await(self, node):
        return _node(cst.Await, expression=self.expr(node.value))

    def e_Yield(self, node):
        return _node(cst.Yield, value=self.expr(node.value) if node.value is not None else None)

    def e_YieldFrom(self, node):
        return _node(cst.Yield, value=_node(cst.From, item=self.expr(node.value)))

    _EXPRESSIONS: dict = {}
    _STATEMENTS: dict = {}


for _name, _method in list(vars(_Builder).items()):
    if _name.startswith(("e_", "s_")) and hasattr(ast, _name[2:]):
        table = _Builder._EXPRESSIONS if _name.startswith("e_") else _Builder._STATEMENTS
        table[getattr(ast, _name[2:])] = _method


def _ends_in_indented_block(statement: cst.CSTNode) -> bool:
    """Whether the compound statement's last block is indented (it then has a footer)."""
    last = None
    for name in ("finalbody", "orelse", "handlers", "cases", "body"):
        part = getattr(statement, name, None)
        if isinstance(part, (list, tuple)):
            part = part[-1] if part else None
        if part is not None and isinstance(part, cst.CSTNode):
            last = part
            break
    while last is not None and not isinstance(last, cst.BaseSuite):
        if isinstance(last, cst.If) and last.orelse is not None:
            last = last.orelse
        else:
            last = getattr(last, "body", None)
    return isinstance(last, cst.IndentedBlock)


class _NotScanned(Exception):
    """An f-string the scan does not take apart: libcst parses it."""


def _is_fstring(piece: str) -> bool:
    prefix = _STRING_START.match(piece).group(0)
    return "f" in prefix or "F" in prefix


def _expression_end(body: str, at: int) -> int:
    """Where the expression of a replacement field starting at `at` ends: at a `}`, `:` or `!` (not
    `!=`) outside brackets and strings.  A `=` that ends it (`{x=}`) or a backslash: _NotScanned."""
    depth = 0
    size = len(body)
    while at < size:
        char = body[at]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return at
            depth -= 1
        elif char in "'\"":
            close = body.find(char, at + 1)
            if close < 0:
                raise _NotScanned
            at = close
        elif char == "\\":
            raise _NotScanned
        elif depth == 0:
            if char == ":":
                return at
            if char == "!" and not body.startswith("!=", at):
                return at
            if char == "=" and body[at + 1:at + 2] != "=" and body[at - 1:at] not in ("=", "!", "<", ">"):
                raise _NotScanned  # `{x=}` (a debugging field), or a keyword argument inside brackets
        at += 1
    raise _NotScanned


class _Span:
    """The `ast` span of a libcst node `ast` has no node for (`a and b` inside `a and b and c`)."""

    def __init__(self, first: ast.AST, last: ast.AST) -> None:
        self.lineno, self.col_offset = first.lineno, first.col_offset
        self.end_lineno, self.end_col_offset = last.end_lineno, last.end_col_offset

    @classmethod
    def ending(cls, node: ast.AST, length: int) -> "_Span":
        """The last `length` bytes of the node (an attribute's name: `a.b` ends with it)."""
        span = cls(node, node)
        span.lineno, span.col_offset = node.end_lineno, node.end_col_offset - length
        return span

    @classmethod
    def starting(cls, node: ast.AST, length: int) -> "_Span":
        """The first `length` bytes of the node (a keyword argument's name)."""
        span = cls(node, node)
        span.end_lineno, span.end_col_offset = node.lineno, node.col_offset + length
        return span


def _string_pieces(code: str) -> list:
    """The string literals one `ast` constant was written as (`"a" "b"` is two)."""
    match = _STRING_START.match(code)
    if match is not None:
        quote = match.group(1)
        if code.endswith(quote) and len(code) >= match.end() + len(quote) and \
                quote not in code[match.end():len(code) - len(quote)] and "\\" not in code:
            return [code]
    import io
    import tokenize

    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.STRING]
    except (tokenize.TokenError, SyntaxError) as error:
        raise NotLean(f"string: {error}") from None

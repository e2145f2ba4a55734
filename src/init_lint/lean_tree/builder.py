"""Building the lean tree: one libcst node for each `ast` node, with the code-bearing fields only."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

import libcst as cst

from init_lint.lean_tree.fstrings import FStrings
from init_lint.lean_tree.nodes import make, make_one
from init_lint.lean_tree.source import NotLean, Span, slice_text, string_pieces

if TYPE_CHECKING:
    from init_lint.lean_tree import LeanModule

_new = object.__new__
_set = object.__setattr__


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
_BINARY_OPERATORS = {kind: made() for kind, made in _BINARY.items()}
_UNARY_OPERATORS = {kind: made() for kind, made in _UNARY.items()}
_COMPARE_OPERATORS = {kind: made() for kind, made in _COMPARE.items()}
_BOOLEAN_OPERATORS = {kind: made() for kind, made in _BOOLEAN.items()}
_AUGMENTED_OPERATORS = {kind: made() for kind, made in _AUGMENTED.items()}
_ASYNC = cst.Asynchronous()
_NAME, _ATTRIBUTE, _CALL, _ARG = cst.Name, cst.Attribute, cst.Call, cst.Arg
_DEFAULT = cst.MaybeSentinel.DEFAULT


class Builder(FStrings):
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
            suite = make(cst.SimpleStatementSuite, body=[self.small_of(s) for s in statements],
                         leading_whitespace=None)
            return suite
        return make_one(cst.IndentedBlock, "body", self.block_body(statements))

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
        return make(cst.Else, body=self.suite(statements))

    def statement(self, node: ast.stmt) -> cst.CSTNode:
        try:
            method = self._STATEMENTS[node.__class__]
        except KeyError:
            raise NotLean(f"statement {node.__class__.__name__}") from None
        made = method(self, node)
        self.origin[id(made)] = node
        return made

    def s_Expr(self, node):
        return make_one(cst.Expr, "value", self.expr(node.value))

    def s_Assign(self, node):
        targets = [make_one(cst.AssignTarget, "target", self.expr(t)) for t in node.targets]
        for target, origin in zip(targets, node.targets):
            self.made(target, origin)
        return make(cst.Assign, targets=targets, value=self.expr(node.value))

    def s_AnnAssign(self, node):
        return make(cst.AnnAssign, target=self.expr(node.target), annotation=self.annotation(node.annotation),
                    value=self.expr(node.value) if node.value is not None else None)

    def s_AugAssign(self, node):
        return make(cst.AugAssign, target=self.expr(node.target), operator=_AUGMENTED_OPERATORS[node.op.__class__],
                    value=self.expr(node.value))

    def s_Return(self, node):
        return make_one(cst.Return, "value", self.expr(node.value) if node.value is not None else None)

    def s_Raise(self, node):
        cause = None
        if node.cause is not None:
            cause = make(cst.From, item=self.expr(node.cause))
        return make(cst.Raise, exc=self.expr(node.exc) if node.exc is not None else None, cause=cause)

    def s_Assert(self, node):
        return make(cst.Assert, test=self.expr(node.test), msg=self.expr(node.msg) if node.msg is not None else None)

    def s_Pass(self, node):
        return make(cst.Pass)

    def s_Break(self, node):
        return make(cst.Break)

    def s_Continue(self, node):
        return make(cst.Continue)

    def s_Delete(self, node):
        if len(node.targets) == 1:
            target = self.expr(node.targets[0])
        else:
            target = make(cst.Tuple, elements=[self.element(t) for t in node.targets])
        return make(cst.Del, target=target)

    def s_Global(self, node):
        return make(cst.Global, names=[make(cst.NameItem, name=make(cst.Name, value=n)) for n in node.names])

    def s_Nonlocal(self, node):
        return make(cst.Nonlocal, names=[make(cst.NameItem, name=make(cst.Name, value=n)) for n in node.names])

    def s_Import(self, node):
        return make(cst.Import, names=[self.alias(a) for a in node.names])

    def s_ImportFrom(self, node):
        if len(node.names) == 1 and node.names[0].name == "*":
            names = cst.ImportStar()
        else:
            names = [self.alias(a) for a in node.names]
        module = self.dotted(node.module) if node.module else None
        return make(cst.ImportFrom, module=module, names=names, relative=[cst.Dot()] * (node.level or 0))

    def alias(self, node: ast.alias):
        asname = make(cst.AsName, name=make(cst.Name, value=node.asname)) if node.asname else None
        return self.made(make(cst.ImportAlias, name=self.dotted(node.name), asname=asname), node)

    def dotted(self, name: str):
        parts = name.split(".")
        made = make(cst.Name, value=parts[0])
        for part in parts[1:]:
            made = make(cst.Attribute, value=made, attr=make(cst.Name, value=part))
        return made

    def s_If(self, node):
        orelse = None
        if node.orelse:
            first = node.orelse[0]
            if len(node.orelse) == 1 and isinstance(first, ast.If) and self._is_elif(first):
                orelse = self.statement(first)
            else:
                orelse = self.orelse(node.orelse)
        return make(cst.If, test=self.expr(node.test), body=self.suite(node.body), orelse=orelse)

    def _is_elif(self, node: ast.If) -> bool:
        raw = self.module._utf8_lines[node.lineno - 1]
        text = raw.decode("utf-8", "replace") if raw is not None else self.lines[node.lineno - 1]
        prefix = raw[:node.col_offset].decode("utf-8", "replace") if raw is not None else text[:node.col_offset]
        return text[len(prefix):].startswith("elif")

    def s_For(self, node, asynchronous=None):
        return make(cst.For, target=self.expr(node.target), iter=self.expr(node.iter), body=self.suite(node.body),
                    orelse=self.orelse(node.orelse), asynchronous=asynchronous)

    def s_AsyncFor(self, node):
        return self.s_For(node, _ASYNC)

    def s_While(self, node):
        return make(cst.While, test=self.expr(node.test), body=self.suite(node.body),
                    orelse=self.orelse(node.orelse))

    def s_Try(self, node, kind=cst.Try, handler_kind=cst.ExceptHandler):
        handlers = []
        for handler in node.handlers:
            name = make(cst.AsName, name=make(cst.Name, value=handler.name)) if handler.name else None
            handlers.append(self.made(make(handler_kind, body=self.suite(handler.body),
                                           type=self.expr(handler.type) if handler.type is not None else None,
                                           name=name), handler))
        finalbody = make(cst.Finally, body=self.suite(node.finalbody)) if node.finalbody else None
        return make(kind, body=self.suite(node.body), handlers=handlers, orelse=self.orelse(node.orelse),
                    finalbody=finalbody)

    def s_TryStar(self, node):
        return self.s_Try(node, cst.TryStar, cst.ExceptStarHandler)

    def s_With(self, node, asynchronous=None):
        items = []
        for item in node.items:
            asname = None
            if item.optional_vars is not None:
                asname = make(cst.AsName, name=self.expr(item.optional_vars))
            items.append(make(cst.WithItem, item=self.expr(item.context_expr), asname=asname))
        return make(cst.With, items=items, body=self.suite(node.body), asynchronous=asynchronous)

    def s_AsyncWith(self, node):
        return self.s_With(node, _ASYNC)

    def s_FunctionDef(self, node, asynchronous=None):
        if getattr(node, "type_params", None):
            raise NotLean("type parameters")
        decorators = [make(cst.Decorator, decorator=self.expr(d)) for d in node.decorator_list]
        returns = self.annotation(node.returns) if node.returns is not None else None
        return make(cst.FunctionDef, name=self.name_at(node.name, node), params=self.parameters(node.args),
                    body=self.suite(node.body), decorators=decorators, returns=returns,
                    asynchronous=asynchronous, type_parameters=None)

    def s_AsyncFunctionDef(self, node):
        return self.s_FunctionDef(node, _ASYNC)

    def s_ClassDef(self, node):
        if getattr(node, "type_params", None):
            raise NotLean("type parameters")
        decorators = [make(cst.Decorator, decorator=self.expr(d)) for d in node.decorator_list]
        bases = [self.arg(b) for b in node.bases]
        keywords = [self.keyword(k) for k in node.keywords]
        return make(cst.ClassDef, name=self.name_at(node.name, node), body=self.suite(node.body), bases=bases,
                    keywords=keywords, decorators=decorators, type_parameters=None)

    def name_at(self, name: str, owner: ast.AST) -> cst.Name:
        return make(cst.Name, value=name)

    def annotation(self, node: ast.expr) -> cst.Annotation:
        return make_one(cst.Annotation, "annotation", self.expr(node))

    def parameters(self, args: ast.arguments) -> cst.Parameters:
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        made = [self.param(a, d) for a, d in zip(positional, defaults)]
        posonly = made[:len(args.posonlyargs)]
        params = made[len(args.posonlyargs):]
        if args.vararg is not None:
            star_arg = self.param(args.vararg, None, "*")
        elif args.kwonlyargs:
            star_arg = make(cst.ParamStar)
        else:
            star_arg = _DEFAULT
        kwonly = [self.param(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        star_kwarg = self.param(args.kwarg, None, "**") if args.kwarg is not None else None
        posonly_ind = make(cst.ParamSlash) if posonly else _DEFAULT
        return make(cst.Parameters, params=params, star_arg=star_arg, kwonly_params=kwonly, star_kwarg=star_kwarg,
                    posonly_params=posonly, posonly_ind=posonly_ind)

    def param(self, arg: ast.arg, default: Optional[ast.expr], star: str = "") -> cst.Param:
        annotation = self.annotation(arg.annotation) if arg.annotation is not None else None
        return self.made(make(cst.Param, name=make(cst.Name, value=arg.arg), annotation=annotation,
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

    # The three commonest nodes are built without `make`'s keyword dictionary.

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
            made = make(cst.Arg, value=self.expr(node.value), keyword=None, star="**")
        else:
            name = make(cst.Name, value=node.arg)
            self.origin[id(name)] = (node, "keyword")
            made = make(cst.Arg, value=self.expr(node.value), keyword=name, star="")
        return self.made(made, node)

    def e_BinOp(self, node):
        return make(cst.BinaryOperation, left=self.expr(node.left), operator=_BINARY_OPERATORS[node.op.__class__],
                    right=self.expr(node.right))

    def e_UnaryOp(self, node):
        return make(cst.UnaryOperation, operator=_UNARY_OPERATORS[node.op.__class__],
                    expression=self.expr(node.operand))

    def e_BoolOp(self, node):
        operator = _BOOLEAN_OPERATORS[node.op.__class__]
        made = self.expr(node.values[0])
        for value in node.values[1:]:
            made = make(cst.BooleanOperation, left=made, operator=operator, right=self.expr(value))
            if value is not node.values[-1]:
                self.origin[id(made)] = Span(node.values[0], value)
        return made

    def e_Compare(self, node):
        comparisons = [make(cst.ComparisonTarget, operator=_COMPARE_OPERATORS[op.__class__], comparator=self.expr(c))
                       for op, c in zip(node.ops, node.comparators)]
        return make(cst.Comparison, left=self.expr(node.left), comparisons=comparisons)

    def e_Constant(self, node):
        value = node.value
        if value is None or value is True or value is False:
            return make(cst.Name, value=repr(value))
        if value is Ellipsis:
            return make(cst.Ellipsis)
        code = self._code(node)
        if isinstance(value, (str, bytes)):
            return self.string(code, node)
        if isinstance(value, bool):
            raise NotLean("boolean constant")
        if isinstance(value, int):
            return make_one(cst.Integer, "value", code)
        if isinstance(value, float):
            return make_one(cst.Float, "value", code)
        if isinstance(value, complex):
            return make(cst.Imaginary, value=code)
        raise NotLean(f"constant {type(value).__name__}")

    def _code(self, node: ast.AST) -> str:
        return slice_text(self.lines, *self.module.span(node))

    def string(self, code: str, node: ast.AST) -> cst.BaseExpression:
        pieces = string_pieces(code)
        if len(pieces) == 1:
            return make_one(cst.SimpleString, "value", pieces[0])
        made = make(cst.SimpleString, value=pieces[-1])
        for piece in reversed(pieces[:-1]):
            left = make(cst.SimpleString, value=piece)
            made = make(cst.ConcatenatedString, left=left, right=made)
        return made

    def e_Tuple(self, node):
        return make_one(cst.Tuple, "elements", [self.element(e) for e in node.elts])

    def e_List(self, node):
        return make_one(cst.List, "elements", [self.element(e) for e in node.elts])

    def e_Set(self, node):
        return make(cst.Set, elements=[self.element(e) for e in node.elts])

    def element(self, node: ast.expr) -> cst.BaseElement:
        if isinstance(node, ast.Starred):
            return self.made(make(cst.StarredElement, value=self.expr(node.value)), node)
        return make_one(cst.Element, "value", self.expr(node))

    def e_Starred(self, node):
        return make(cst.StarredElement, value=self.expr(node.value))

    def e_Dict(self, node):
        elements = []
        for key, value in zip(node.keys, node.values):
            if key is None:
                elements.append(make(cst.StarredDictElement, value=self.expr(value)))
            else:
                elements.append(make(cst.DictElement, key=self.expr(key), value=self.expr(value)))
        return make(cst.Dict, elements=elements)

    def comprehension(self, generators: list) -> cst.CompFor:
        made = None
        for generator in reversed(generators):
            ifs = [make(cst.CompIf, test=self.expr(t)) for t in generator.ifs]
            made = make(cst.CompFor, target=self.expr(generator.target), iter=self.expr(generator.iter), ifs=ifs,
                        inner_for_in=made, asynchronous=_ASYNC if generator.is_async else None)
        return made

    def e_ListComp(self, node):
        return make(cst.ListComp, elt=self.expr(node.elt), for_in=self.comprehension(node.generators))

    def e_SetComp(self, node):
        return make(cst.SetComp, elt=self.expr(node.elt), for_in=self.comprehension(node.generators))

    def e_GeneratorExp(self, node):
        return make(cst.GeneratorExp, elt=self.expr(node.elt), for_in=self.comprehension(node.generators))

    def e_DictComp(self, node):
        return make(cst.DictComp, key=self.expr(node.key), value=self.expr(node.value),
                    for_in=self.comprehension(node.generators))

    def e_Subscript(self, node):
        index = node.slice
        if isinstance(index, ast.Tuple) and not self._parenthesized_tuple(index):
            elements = [self.subscript_element(e) for e in index.elts]
        else:
            elements = [self.subscript_element(index)]
        return make(cst.Subscript, value=self.expr(node.value), slice=elements)

    def _parenthesized_tuple(self, node: ast.Tuple) -> bool:
        if not node.elts:
            return True
        last = node.elts[-1]
        return (node.end_lineno, node.end_col_offset) != (last.end_lineno, last.end_col_offset) and \
            self._code(node).rstrip().endswith(")") and self._code(node).startswith("(")

    def subscript_element(self, node: ast.expr) -> cst.SubscriptElement:
        if isinstance(node, ast.Slice):
            inner = make(cst.Slice, lower=self.expr(node.lower) if node.lower is not None else None,
                         upper=self.expr(node.upper) if node.upper is not None else None,
                         step=self.expr(node.step) if node.step is not None else None,
                         first_colon=None, second_colon=_DEFAULT)
            self.made(inner, node)
        elif isinstance(node, ast.Starred):
            inner = make(cst.Index, value=self.expr(node.value), star="*")
        else:
            inner = make(cst.Index, value=self.expr(node), star=None)
        return make_one(cst.SubscriptElement, "slice", inner)

    def e_Lambda(self, node):
        return make(cst.Lambda, params=self.parameters(node.args), body=self.expr(node.body))

    def e_IfExp(self, node):
        return make(cst.IfExp, test=self.expr(node.test), body=self.expr(node.body), orelse=self.expr(node.orelse))

    def e_NamedExpr(self, node):
        return make(cst.NamedExpr, target=self.expr(node.target), value=self.expr(node.value))

    def e_Await(self, node):
        return make(cst.Await, expression=self.expr(node.value))

    def e_Yield(self, node):
        return make(cst.Yield, value=self.expr(node.value) if node.value is not None else None)

    def e_YieldFrom(self, node):
        return make(cst.Yield, value=make(cst.From, item=self.expr(node.value)))

    _EXPRESSIONS: dict = {}
    _STATEMENTS: dict = {}


for _name in dir(Builder):
    if _name.startswith(("e_", "s_")) and hasattr(ast, _name[2:]):
        table = Builder._EXPRESSIONS if _name.startswith("e_") else Builder._STATEMENTS
        table[getattr(ast, _name[2:])] = getattr(Builder, _name)


def ends_in_indented_block(statement: cst.CSTNode) -> bool:
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

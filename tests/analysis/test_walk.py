"""walk.py: fast traversal that reads dataclass fields instead of libcst's visitor-based `children`."""

import textwrap
from collections import Counter

import libcst as cst

from init_lint.analysis.walk import children, walk

SOURCE = textwrap.dedent("""\
    @decorate(a, key=b)
    class Net(Base, metaclass=Meta):
        def __init__(self, c: int = d, *e, f=g, **h) -> i:
            j = [k for k in l if m]
            n[o:p] = {q: r for q in s}
            t += u or v and not w < x
            print(f"{y!r:>{z}}", *aa)
            try:
                pass
            except bb as cc:
                dd = ee if ff else gg
            return lambda hh=ii: jj
""")

#: what `children` leaves out on purpose: punctuation, whitespace and operators hold no names
_NOT_CODE = (
    cst.BaseParenthesizableWhitespace, cst.Comma, cst.Dot, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket,
    cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Colon, cst.Semicolon, cst.AssignEqual,
    cst.Newline, cst.Comment, cst.EmptyLine, cst.TrailingWhitespace, cst.ImportStar, cst.Asynchronous,
    cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseUnaryOp, cst.BaseAugOp, cst.BaseCompOp,
)
#: the nodes whose field order is not source order (walk.children's docstring lists them)
_FIELD_ORDER = (cst.FunctionDef, cst.ClassDef, cst.ExceptHandler, cst.IfExp, cst.Arg)


def _libcst_children(node: cst.CSTNode) -> list:
    return [c for c in node.children if not isinstance(c, _NOT_CODE)]


def test_children_are_libcst_s_own_without_punctuation_in_source_order():
    seen = Counter()
    for node in walk(cst.parse_module(SOURCE)):
        mine, theirs = list(children(node)), _libcst_children(node)
        seen[type(node).__name__] += 1
        if isinstance(node, _FIELD_ORDER):
            assert sorted(map(id, mine)) == sorted(map(id, theirs)), type(node).__name__
        else:
            assert mine == theirs, type(node).__name__
    assert {"ClassDef", "FunctionDef", "Lambda", "ListComp", "DictComp", "FormattedString", "ExceptHandler",
            "IfExp", "AugAssign", "Comparison"} <= set(seen)


def test_walk_reaches_every_name_libcst_s_visitor_does():
    module = cst.parse_module(SOURCE)

    class Collect(cst.CSTVisitor):
        def __init__(self):
            self.names = Counter()

        def visit_Name(self, node):
            self.names[node.value] += 1

    collector = Collect()
    module.visit(collector)
    assert Counter(n.value for n in walk(module) if isinstance(n, cst.Name)) == collector.names


def test_walk_is_preorder_from_the_node_itself():
    statement = cst.parse_statement("x = f(y)\n")
    nodes = list(walk(statement))
    assert nodes[0] is statement
    call = next(n for n in nodes if isinstance(n, cst.Call))
    assert nodes.index(call) < nodes.index(call.func) < nodes.index(call.args[0].value)


def test_children_of_a_call_skip_commas_and_parentheses():
    call = cst.parse_expression("f(a, b=(c))")
    assert [type(c).__name__ for c in children(call)] == ["Name", "Arg", "Arg"]
    assert [n.value for n in children(call.args[1])] == ["c", "b"]  # a keyword argument: value, then keyword

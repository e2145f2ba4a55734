"""Scale facts: random tensors drawn at unit scale, and where a class multiplies by its parameters (INI009).

Two halves, both facts and no verdicts:
- the interpreter's values: `torch.randn(a, b)` / `torch.rand(a, b)` evaluate to a `RandomTensor`
  that remembers its shape, its distribution and the factor it was multiplied by, and
  `nn.Parameter(...)` keeps it (`random_factory`, `rescaled`, `as_parameter`, called from models.py
  and expressions.py);
- a syntactic pass over every method of a class (`scan_class`), like forward.py's: which
  `self.<attr>` are operands of a product that mixes the input with them (`@`, `matmul`, `mm`,
  `bmm`, `F.linear`, `einsum`, `F.conv*d`), which dimension the product contracts, and whether
  the product or the parameter is rescaled there; and which parameters some method rewrites in
  place (`self.w.data *= s`, `init.xavier_uniform_(self.w)`, a `parameters()` init loop).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from init_lint.analysis.operations import is_number
from init_lint.analysis.values import ContainerValue, NewTensor
from init_lint.analysis.walk import children

#: the factories drawing at unit scale, and the distribution each draws from
RANDOM_FACTORIES = {"randn": "normal", "rand": "uniform"}


@dataclass(eq=False)
class RandomTensor(NewTensor):
    """`torch.randn(a, b)` (N(0, 1)) or `torch.rand(a, b)` (U(0, 1)), times a known `factor`."""

    call: Optional[cst.Call] = field(default=None, repr=False)
    #: the statement that holds the draw (where a fix's names must resolve)
    statement: Optional[cst.CSTNode] = field(default=None, repr=False)
    #: "normal" or "uniform"
    family: str = "normal"
    #: the sizes as abstract values (ints where known) and the argument nodes that spell them
    sizes: tuple = ()
    dims: tuple = field(default=(), repr=False)
    factor: float = 1.0
    #: the `nn.Parameter(...)` call that wraps the draw directly (None: not a parameter, or not directly)
    parameter_call: Optional[cst.Call] = field(default=None, repr=False)
    #: wrapped in `nn.Parameter(...)`
    parameter: bool = False
    #: `nn.Parameter(..., requires_grad=False)`: a fixed projection, not a trained weight
    frozen: bool = False

    def std_ratio(self, fan_in: object) -> Optional[float]:
        """The std of `x @ w` relative to a zero-mean unit-variance `x`: sqrt(fan_in * E[w^2])."""
        if not isinstance(fan_in, int) or isinstance(fan_in, bool) or fan_in <= 0:
            return None
        second_moment = 1.0 if self.family == "normal" else 1.0 / 3.0
        return abs(self.factor) * (fan_in * second_moment) ** 0.5


def random_factory(tail: str, args: list, node: cst.Call, statement: Optional[cst.CSTNode] = None
                   ) -> Optional[RandomTensor]:
    """The value of `torch.randn(...)` / `torch.rand(...)` drawing at least a matrix, else None."""
    family = RANDOM_FACTORIES.get(tail)
    if family is None or not args:
        return None
    positional = [a for a in node.args if a.keyword is None]
    if any(a.star for a in node.args):
        return None
    spelled_as_tuple = positional and isinstance(positional[0].value, (cst.Tuple, cst.List))
    if len(args) == 1 and isinstance(args[0], tuple) and spelled_as_tuple:
        sizes, dims = args[0], tuple(e.value for e in positional[0].value.elements)
    else:
        sizes, dims = tuple(args), tuple(a.value for a in positional)
    if len(sizes) < 2 or len(sizes) != len(dims):
        return None
    return RandomTensor(call=node, statement=statement, family=family, sizes=tuple(sizes), dims=dims)


def as_parameter(value: RandomTensor, node: cst.Call, kwargs: dict) -> RandomTensor:
    """`nn.Parameter(draw)`: the same draw, now a parameter (directly wrapped when it is the argument)."""
    first = node.args[0].value if node.args else None
    direct = first is value.call
    frozen = kwargs.get("requires_grad") is False or (len(node.args) > 1 and _is_false(node.args[1].value))
    return RandomTensor(constant=None, call=value.call, statement=value.statement, family=value.family,
                        sizes=value.sizes, dims=value.dims,
                        factor=value.factor, parameter_call=node if direct else None, parameter=True,
                        frozen=frozen)


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def rescaled(op: cst.BaseBinaryOp, left: object, right: object) -> object:
    """`draw * c`, `draw / c`, `c * draw`, `torch.ones(...) * draw`: the draw with its new factor.

    None when the operation is not one of these (the caller then evaluates it as usual, which
    loses the draw: a factor the analysis cannot read counts as a deliberate scale)."""
    def ones(v: object) -> bool:
        return type(v) is NewTensor and v.constant == 1

    if isinstance(op, cst.Multiply):
        draw, other = (left, right) if isinstance(left, RandomTensor) else (right, left)
        if not isinstance(draw, RandomTensor):
            return None
        if is_number(other):
            return _with_factor(draw, draw.factor * other)
        if ones(other):
            return draw
        return None
    if isinstance(op, cst.Divide) and isinstance(left, RandomTensor) and is_number(right) and right != 0:
        return _with_factor(left, left.factor / right)
    return None


def _with_factor(draw: RandomTensor, factor: float) -> RandomTensor:
    return RandomTensor(constant=None, call=draw.call, statement=draw.statement, family=draw.family,
                        sizes=draw.sizes, dims=draw.dims,
                        factor=factor)


# ---------------------------------------------------------------- uses of parameters in products


@dataclass(eq=False)
class WeightUse:
    """`self.<attr>` as the weight operand of a product."""

    attr: str
    node: cst.CSTNode = field(repr=False)
    #: "matmul", "linear", "einsum", "conv"
    kind: str
    #: the dimension of the parameter the product sums over (negative: from the end); "conv" for
    #: all but the first (a conv kernel); None when the code does not say
    contracted: object
    #: the product (or the parameter in it) is multiplied or divided by something on the way
    scaled: bool


@dataclass
class ClassScale:
    """What the syntactic pass found in one class."""

    uses: dict = field(default_factory=dict)
    #: attributes some method rewrites in place or re-initializes after creating them
    rewritten: set = field(default_factory=set)
    #: a `parameters()` / `named_parameters()` loop re-initializes every parameter
    rewrites_all: bool = False
    #: attr -> the comments on the statements that assign it (for "random features" notes)
    comments: dict = field(default_factory=dict)


_PASS = frozenset({"data", "to", "type_as", "contiguous", "float", "half", "double", "detach", "clone", "cuda"})
_TRANSPOSE = frozenset({"t", "T", "mT"})
_MATMUL = frozenset({"matmul", "mm", "bmm"})
_CONV = frozenset({"conv1d", "conv2d", "conv3d"})


def draws_parameters(attrs: dict) -> bool:
    """Whether some attribute holds a parameter drawn by `torch.randn` / `torch.rand` (or a list of them)."""
    for value in attrs.values():
        items = value.items if isinstance(value, ContainerValue) else (value,)
        if any(isinstance(item, RandomTensor) and item.parameter for item in items):
            return True
    return False


def scan_class(methods: dict) -> ClassScale:
    """Every method's products with `self.<attr>` and its in-place rewrites of attributes."""
    result = ClassScale()
    assignments: dict = {}
    for method in methods.values():
        _Scanner(result, assignments).scan(method)
    result.rewritten |= {attr for attr, count in assignments.items() if count > 1}
    return result


class _Scanner:
    def __init__(self, result: ClassScale, assignments: dict) -> None:
        self.result = result
        self.assignments = assignments
        #: local name -> (attr, transposed)
        self.aliases: dict = {}
        #: local names holding the output of a product: name -> uses
        self.outputs: dict = {}
        self.scaled_names: set = set()
        #: ids of expressions given straight to a normalization
        self.normalized: set = set()

    def scan(self, method: cst.FunctionDef) -> None:
        self._visit(method, None)
        for name, uses in self.outputs.items():
            if name in self.scaled_names:
                for use in uses:
                    use.scaled = True

    # -- operands

    def operand(self, expr: cst.BaseExpression) -> Optional[tuple]:
        """(attr, transposed) when `expr` is `self.<attr>` (or a view of it); transposed None: unknown dims."""
        chain: list = []  # from the outside in: ("attr" | "call", name) and ("index", None)
        while True:
            if isinstance(expr, cst.Attribute):
                if isinstance(expr.value, cst.Name) and expr.value.value == "self":
                    base = (expr.attr.value, False)
                    break
                chain.append(("attr", expr.attr.value))
                expr = expr.value
            elif isinstance(expr, cst.Subscript):
                chain.append(("index", None))
                expr = expr.value
            elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
                chain.append(("call", expr.func.attr.value))
                expr = expr.func.value
            elif isinstance(expr, cst.Name):
                base = self.aliases.get(expr.value)
                break
            else:
                return None
        if base is None:
            return None
        attr, transposed = base
        for kind, name in reversed(chain):
            if kind == "index" or name in _PASS:
                continue
            if name in _TRANSPOSE and (kind == "attr" or name == "t"):
                transposed = None if transposed is None else not transposed
            elif kind == "call" and name in ("transpose", "permute", "view", "reshape", "flatten", "unsqueeze",
                                             "expand"):
                transposed = None
            else:
                return None
        return attr, transposed

    # -- walking

    def _visit(self, root: cst.CSTNode, parent: Optional[cst.CSTNode]) -> None:
        """Pre-order, with assignments handled after their value; a loop, not recursion (a 3000-term
        sum nests 3000 deep)."""
        stack: list = [(root, parent, False)]
        while stack:
            node, parent, after = stack.pop()
            if after:
                # after the value: `w = self.w` binds what the value was, and its products are recorded
                self._assignment(node)
                continue
            self._enter(node, parent)
            if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                stack.append((node, parent, True))
            stack.extend((child, node, False) for child in reversed(list(children(node))))

    def _enter(self, node: cst.CSTNode, parent: Optional[cst.CSTNode]) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            self._comments(node)
        if isinstance(node, cst.For):
            self._loop(node)
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Divide)):
            for side in (node.left, node.right):
                if isinstance(side, cst.Name):
                    self.scaled_names.add(side.value)
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.MatrixMultiply):
            for position, side in ((0, node.left), (1, node.right)):
                found = self.operand(side)
                if found is not None:
                    self._use(found, node, "matmul", _matmul_dim(position, found[1]), parent)
        elif isinstance(node, cst.Call):
            if _normalizes(node):
                # `self.norm(h)`, `F.layer_norm(x @ w, ...)`: the product's scale is normalized away
                for arg in node.args:
                    root = _root_name(arg.value)
                    if root is not None:
                        self.scaled_names.add(root)  # `self.norm(h)`, `self.norm(h.permute(0, 2, 1))`
                    self.normalized.add(id(arg.value))
            self._call(node, parent)

    def _comments(self, line: cst.SimpleStatementLine) -> None:
        texts = [e.comment.value for e in line.leading_lines if e.comment is not None]
        if line.trailing_whitespace.comment is not None:
            texts.append(line.trailing_whitespace.comment.value)
        for small in line.body:
            if isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                for target in targets:
                    attr = _self_attr(target)
                    if attr is not None:
                        self.result.comments.setdefault(attr, []).extend(texts)

    def _assignment(self, node: cst.CSTNode) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        value = node.value
        for target in targets:
            attr = _self_attr(target)
            if attr is not None and not isinstance(node, cst.AugAssign):
                self.assignments[attr] = self.assignments.get(attr, 0) + 1
            written = self.operand(target) if not isinstance(target, cst.Name) else None
            if written is not None and (isinstance(node, cst.AugAssign) or attr is None):
                # `self.w.data = ...`, `self.w *= s`, `self.w[:, 0] = ...`
                self.result.rewritten.add(written[0])
            if not isinstance(target, cst.Name):
                continue
            if isinstance(node, cst.AugAssign):
                if isinstance(node.operator, (cst.MultiplyAssign, cst.DivideAssign)):
                    self.scaled_names.add(target.value)
                continue
            found = self.operand(value) if value is not None else None
            if found is not None:
                self.aliases[target.value] = found
            else:
                self.aliases.pop(target.value, None)
            # `h = x @ self.w` then `h / math.sqrt(d)`: the output is rescaled where it is used
            uses = [u for us in self.result.uses.values() for u in us if u.node is value]
            if uses:
                self.outputs.setdefault(target.value, []).extend(uses)

    def _loop(self, node: cst.For) -> None:
        found = self.operand(node.iter)
        if found is not None and isinstance(node.target, cst.Name):
            self.aliases[node.target.value] = (found[0], found[1])
        if _iterates_parameters(node.iter) and _calls_in_place(node.body):
            self.result.rewrites_all = True

    def _call(self, node: cst.Call, parent: Optional[cst.CSTNode]) -> None:
        func = node.func
        name = _callee_name(func)
        if not name:
            return
        receiver = self.operand(func.value) if isinstance(func, cst.Attribute) else None
        positional = [a.value for a in node.args if a.keyword is None]
        if receiver is not None and name.endswith("_") and not name.endswith("__"):
            self.result.rewritten.add(receiver[0])  # `self.w.data.mul_(s)`, `self.w.normal_(0, 0.02)`
            return
        if positional and (name.endswith("_") or "init" in name.lower()):
            target = self.operand(positional[0])
            if target is not None:
                self.result.rewritten.add(target[0])  # `init.xavier_uniform_(self.w)`, `trunc_normal_(self.w)`
                return
        if name in _MATMUL:
            if isinstance(func, cst.Attribute) and not _is_module_path(func.value):
                pair = [(func.value, 0)] + [(positional[0], 1)] if positional else []  # `x.mm(w)`
            else:
                pair = [(p, i) for i, p in enumerate(positional[:2])]  # `torch.mm(x, w)`
            for expr, position in pair:
                found = self.operand(expr)
                if found is not None:
                    self._use(found, node, "matmul", _matmul_dim(position, found[1]), parent)
        elif name == "linear":
            weight = positional[1] if len(positional) > 1 else _keyword(node, "weight")
            found = self.operand(weight) if weight is not None else None
            if found is not None:
                self._use(found, node, "linear", None if found[1] is None else (-2 if found[1] else -1), parent)
        elif name in _CONV:
            weight = positional[1] if len(positional) > 1 else _keyword(node, "weight")
            found = self.operand(weight) if weight is not None else None
            if found is not None:
                self._use(found, node, "conv", "conv" if found[1] is False else None, parent)
        elif name == "einsum" and positional:
            self._einsum(node, positional, parent)

    def _einsum(self, node: cst.Call, positional: list, parent: Optional[cst.CSTNode]) -> None:
        equation = positional[0]
        operands = positional[1:]
        text = equation.evaluated_value if isinstance(equation, cst.SimpleString) else None
        if len(operands) == 1 and isinstance(operands[0], (cst.List, cst.Tuple)):
            operands = [e.value for e in operands[0].elements]
        for index, expr in enumerate(operands):
            found = self.operand(expr)
            if found is None:
                continue
            self._use(found, node, "einsum", _einsum_dim(text, index) if found[1] is False else None, parent)

    def _use(self, found: tuple, node: cst.CSTNode, kind: str, contracted: object,
             parent: Optional[cst.CSTNode]) -> None:
        scaled = isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, (cst.Multiply, cst.Divide)) \
            or id(node) in self.normalized
        self.result.uses.setdefault(found[0], []).append(WeightUse(found[0], node, kind, contracted, scaled))


def _matmul_dim(position: int, transposed: Optional[bool]) -> Optional[int]:
    """`x @ w` sums over w's rows (dim -2), `w @ x` over its columns (dim -1); transposed the other way."""
    if transposed is None:
        return None
    dim = -2 if position == 1 else -1
    return (-1 if dim == -2 else -2) if transposed else dim


def _einsum_dim(equation: object, index: int) -> Optional[int]:
    """The one subscript of operand `index` summed away (in another operand, not in the output)."""
    if not isinstance(equation, str) or "->" not in equation or "." in equation:
        return None
    inputs, output = equation.replace(" ", "").split("->")
    terms = inputs.split(",")
    if index >= len(terms):
        return None
    mine = terms[index]
    others = "".join(t for i, t in enumerate(terms) if i != index)
    summed = [i for i, letter in enumerate(mine) if letter not in output and letter in others]
    return summed[0] - len(mine) if len(summed) == 1 else None


def _callee_name(func: cst.BaseExpression) -> str:
    """`mm` of `torch.mm` / `x.mm`, `linear` of `linear`; "" for anything else (a subscript, a call)."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _root_name(expr: cst.BaseExpression) -> Optional[str]:
    """The name a chain of attributes and method calls starts from (`h` of `h.permute(0, 2, 1).float()`)."""
    while True:
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            expr = expr.func.value
        elif isinstance(expr, (cst.Attribute, cst.Subscript)):
            expr = expr.value
        else:
            return expr.value if isinstance(expr, cst.Name) else None


def _normalizes(call: cst.Call) -> bool:
    """A normalization: a call whose name has `norm` (`self.reattn_norm`, `F.layer_norm`, `F.normalize`)
    or is `ln` (not an in-place init such as `normal_`)."""
    name = _callee_name(call.func)
    words = name_words(name)
    return not name.endswith("_") and any("norm" in w or w == "ln" for w in words)


def _is_module_path(expr: cst.BaseExpression) -> bool:
    """`torch`, `torch.sparse`, `th`: a module of functions, not a tensor whose method this is."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(expr, cst.Name) and expr.value in ("torch", "th", "T", "F", "functional")


def _self_attr(target: cst.BaseExpression) -> Optional[str]:
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        return target.attr.value
    return None


def _keyword(node: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _iterates_parameters(expr: cst.BaseExpression) -> bool:
    """`self.parameters()`, `self.named_parameters()` (and `zip`/`enumerate`/`list` of them)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("parameters", "named_parameters"):
                return True
            stack.extend(a.value for a in node.args)
    return False


def _calls_in_place(body: cst.CSTNode) -> bool:
    """Some call in `body` is an in-place init (`xavier_uniform_(p)`, `p.data.normal_()`)."""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            name = _callee_name(node.func)
            if name.endswith("_") and not name.endswith("__"):
                return True
        stack.extend(children(node))
    return False


# ---------------------------------------------------------------- names that say what a tensor is

#: words of an attribute name that make it a table or a learned input, not a weight (unless a
#: weight word is there too: `W_query` is the query projection's weight)
TABLE_WORDS = frozenset({
    "emb", "embed", "embeds", "embedding", "embeddings", "token", "tokens", "tok", "query", "queries", "latent",
    "latents", "pos", "position", "positions", "positional", "cls", "prompt", "prompts", "codebook", "centroid",
    "centroids", "prototype", "prototypes", "anchor", "anchors", "memory", "mem", "register", "registers", "mask",
})
WEIGHT_WORDS = frozenset({"w", "weight", "weights", "proj", "projection", "kernel", "matrix", "mat"})
#: a name or comment that says the projection is random on purpose (random features)
RANDOM_FEATURES = re.compile(r"random[_ ]?feature|\brff\b|_rff\b|\brff_|orthogonal[_ ]random|random[_ ]?proj|"
                             r"fourier[_ ]?feature|gaussian[_ ]fourier", re.IGNORECASE)


def name_words(name: str) -> list:
    """`W_query` -> ["w", "query"]; `posEmbed2` -> ["pos", "embed"]."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[^A-Za-z]+", spaced) if w]


def is_table_name(name: str) -> bool:
    """An embedding, token, query, latent or positional table by its name (see TABLE_WORDS)."""
    words = name_words(name)
    if any(w in WEIGHT_WORDS for w in words):
        return False
    return any(w in TABLE_WORDS or w.startswith(("embed", "posemb", "pos_")) for w in words)


def says_random_features(text: str) -> bool:
    """A name or comment that says the matrix is a random-feature projection."""
    return bool(RANDOM_FEATURES.search(text))

"""Turn each finding's fix plan into its own `Fix`: text edits with an applicability.

- INI001 (`InsertRecipe`): the layer's default recipe, inserted after the statement that builds
  it, reaching the layer by the path `fixes.address` reads off that statement.  In skip-init style
  the constructor is also wrapped in `torch.nn.utils.skip_init`, so the recipe draws exactly what
  the constructor drew.
- INI002-INI005 (`ReplaceInit`): the wrong statement is replaced by the recipe of that parameter;
  a bias bound computed by the statement just before (`bound = 1 / math.sqrt(N)`) is rewritten in
  place instead, when nothing else reads it.  The statement's trailing comment stays.

fan_in is written as a number only when the constructor's argument is a literal in the call
itself; otherwise it is read from the built layer (`self.fc.in_features`).  Every name the edits
read is spelled so that it resolves where the edit stands, and every temporary they bind is one
no code of the file can observe (`analysis.scopes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.values import BIAS, WEIGHT, Tri
from init_lint.analysis.walk import walk
from init_lint.catalogue import lookup_torch_class
from init_lint.diagnostics import Edit, Finding, Fix
from init_lint.fixes.address import reach
from init_lint.fixes.edits import LineIndex
from init_lint.fixes.feasibility import UNREACHABLE, insert_problem
from init_lint.fixes.module_fix import module_fix as _module_fix
from init_lint.fixes.plans import InsertModuleRecipe, InsertRecipe, ReplaceInit, RescaleDraw, literal_call_args
from init_lint.fixes.recipes import RecipeNames, default_recipe, fan_in_expression, literal_fan_in
from init_lint.analysis.scopes import Place
from init_lint.fixes.style import FileStyle, insertion_after
from init_lint.positions import locate


class Refused(Exception):
    """No fix for this finding, and why."""


@dataclass
class FixContext:
    analysis: FileAnalysis
    text: str
    #: wrap constructors in skip_init (skip-init style, or the verifier's explicit style)
    wrap: bool
    #: where nodes stand (positions.locate's signature): the language server passes its cached positions
    locate: Callable = locate

    def __post_init__(self) -> None:
        self.scopes = self.analysis.scopes
        self.style = FileStyle(self.analysis.module, self.text, self.scopes)
        self.index = LineIndex(self.text)
        self.code = self.analysis.module.code_for_node
        self.reach_cache: dict = {}


def build_fixes(findings: list, context: FixContext) -> tuple:
    """([(finding, Fix)], [(finding, why refused)]) for the findings that have a plan."""
    wanted = [f for f in findings if f.plan is not None]
    nodes = []
    for finding in wanted:
        plan = finding.plan
        if isinstance(plan, (InsertRecipe, InsertModuleRecipe)):
            nodes += [n for n in (plan.site.statement, plan.site.call) if n is not None]
        elif isinstance(plan, ReplaceInit):
            nodes.append(plan.statement)
            nodes += _bound_nodes(plan, context)
        elif isinstance(plan, RescaleDraw):
            nodes.append(plan.call)
    positions = context.locate(context.analysis.module, context.text, nodes) if nodes else {}
    fixes, refused = [], []
    for finding in wanted:
        try:
            if isinstance(finding.plan, InsertRecipe):
                fix = _insert_fix(finding, finding.plan, context, positions)
            elif isinstance(finding.plan, InsertModuleRecipe):
                fix = _module_fix(finding, finding.plan, context, positions)
            elif isinstance(finding.plan, ReplaceInit):
                fix = _replace_fix(finding, finding.plan, context, positions)
            elif isinstance(finding.plan, RescaleDraw):
                fix = _rescale_fix(finding, finding.plan, context, positions)
            else:
                continue
        except Refused as why:
            refused.append((finding, str(why)))
            continue
        fixes.append((finding, fix))
    if context.wrap:
        _keep_draw_order(fixes, refused, context)
    return fixes, refused


def _keep_draw_order(fixes: list, refused: list, context: FixContext) -> None:
    """skip-init moves a layer's draws after its statement: a layer built later in the same statement
    that still draws there (its finding not selected, `noqa`, or its fix refused) would now draw first.
    Such fixes go, until the rest is consistent."""
    while True:
        moved = {id(f.plan.site.call) for f, _ in fixes if isinstance(f.plan, (InsertRecipe, InsertModuleRecipe))}
        cache: dict = {}
        for item in fixes:
            finding = item[0]
            if not isinstance(finding.plan, (InsertRecipe, InsertModuleRecipe)):
                continue
            problem = insert_problem(finding.plan.site, context.analysis, moved, cache)
            if problem is not None:
                fixes.remove(item)
                refused.append((finding, problem))
                break
        else:
            return


# ------------------------------------------------------------------ INI001


def _insert_fix(finding: Finding, plan: InsertRecipe, context: FixContext, positions: dict) -> Fix:
    site = plan.site
    place = context.scopes.place(site.statement) if site.statement is not None else None
    if site.statement is None or place is None or not isinstance(site.statement, cst.SimpleStatementLine):
        raise Refused("the layer is not reachable by name right after the statement that builds it")
    path = reach(site.statement, site.call, context.analysis, appended_ok=site.address is not None,
                 cache=context.reach_cache)
    if path is None:
        raise Refused(UNREACHABLE)
    if context.wrap:
        if lookup_torch_class(context.analysis.imports.qualify(site.call.func) or "") != site.spec.name:
            raise Refused("the layer's class is not named directly (a partial or a variable): "
                          "skip_init needs the class")
        if path.converted:
            raise Refused("the layer is converted (`.double()`, `.to(...)`) right after it is built: a recipe after "
                          "skip_init would draw in the converted dtype, not bit for bit")
    params = (WEIGHT, BIAS) if context.wrap else plan.params
    bias = BIAS in params and site.bias != Tri.NO
    guard = bias and (site.bias == Tri.MAYBE or any(a.star for a in site.call.args))
    imports: list = []
    names, reserved = _spellings(context, place, imports)
    layer = path.expr
    if path.loop:
        layer = context.style.temporary("layer", place, reserved | _roots(path.expr))
        reserved = reserved | {layer}
    names = _temporaries(names, context, place, reserved | _roots(layer))
    literal = literal_call_args(site.spec, site.call)
    try:
        lines = default_recipe(site.spec, layer, names, weight=WEIGHT in params, bias=False, literal_args=literal)
        bias_lines = default_recipe(site.spec, layer, names, weight=False, bias=True, literal_args=literal) \
            if bias else []
    except ValueError as error:
        raise Refused(str(error)) from None
    if site.spec.family == "bilinear" and WEIGHT in params and bias_lines:
        bias_lines = bias_lines[1:]  # the bound is shared and already computed
    if guard:
        bias_lines = [f"if {layer}.bias is not None:"] + ["    " + line for line in bias_lines]
    lines += bias_lines
    if path.loop:
        lines = [f"for {layer} in {path.expr}:"] + ["    " + line for line in lines]
    statement_range = positions.get(id(site.statement))
    if statement_range is None:
        raise Refused("the statement could not be located")
    indent = _indent(context.index.line_text(statement_range.start.line))
    newline = context.index.newline()
    body = "".join(indent + line + newline for line in lines)
    edits = [insertion_after(context.index, statement_range.end.line, body)]
    if context.wrap:
        edits.append(_wrap_edit(site.call, context, place, positions, imports))
    edits += [context.style.import_edit(statement) for statement in dict.fromkeys(imports)]
    return Fix(finding.fix, tuple(edits), _message(path, context.wrap), rank=(site.seq,))


def _wrap_edit(call: cst.Call, context: FixContext, place: Place, positions: dict, imports: list) -> Edit:
    skip_init, needed = context.style.spell("torch.nn.utils.skip_init", place)
    if needed:
        imports.append(needed)
    where = positions.get(id(call))
    if where is None:
        raise Refused("the constructor could not be located")
    from init_lint.fixes.module_fix import skip_init_arguments

    arguments = skip_init_arguments(call, context.code)
    if arguments and len(arguments) < len(call.args):  # `device=None` dropped: the last argument takes no comma
        arguments[-1] = arguments[-1].with_changes(comma=call.args[-1].comma)
    bare = call.with_changes(lpar=(), rpar=())
    first = cst.Arg(call.func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if arguments else
                    cst.MaybeSentinel.DEFAULT)
    wrapped = bare.with_changes(func=cst.parse_expression(skip_init), args=[first] + arguments)
    return Edit(where.start.line, where.start.column, where.end.line, where.end.column, context.code(wrapped))


def _message(path, wrapped: bool) -> str:
    target = f"each layer of `{path.expr}`" if path.loop else f"`{path.expr}`"
    how = "build it with skip_init and " if wrapped else ""
    return f"{how}write the default init of {target} explicitly"


# ------------------------------------------------------------------ INI002-INI005


def _replace_fix(finding: Finding, plan: ReplaceInit, context: FixContext, positions: dict) -> Fix:
    place = context.scopes.place(plan.statement)
    where = positions.get(id(plan.statement))
    if place is None or where is None or not isinstance(plan.statement, cst.SimpleStatementLine):
        raise Refused("the init statement could not be located")
    imports: list = []
    names, reserved = _spellings(context, place, imports)
    in_place = _bound_assignment(plan, context)
    if in_place is not None:
        value = in_place.body[0].value
        value_range = positions.get(id(value))
        if value_range is not None:
            known = literal_fan_in(plan.spec, plan.literal_args)
            fan = str(known) if known is not None else fan_in_expression(plan.spec, plan.layer, names)
            text = "0" if known == 0 else f"1 / {names.math}.sqrt({fan})"
            edits = [Edit(value_range.start.line, value_range.start.column, value_range.end.line,
                          value_range.end.column, text)]
            edits += [context.style.import_edit(s) for s in dict.fromkeys(imports)]
            return Fix(finding.fix, tuple(edits), "compute the bound from the layer's fan_in")
    names = _temporaries(names, context, place, reserved | _roots(plan.layer))
    try:
        lines = default_recipe(plan.spec, plan.layer, names, weight=plan.param == WEIGHT, bias=plan.param == BIAS,
                               literal_args=plan.literal_args)
    except ValueError as error:
        raise Refused(str(error)) from None
    indent = _indent(context.index.line_text(where.start.line))
    newline = context.index.newline()
    # the statement's own range: its trailing comment (`# TODO`, `# noqa`, `# type:`) stays after the last line
    text = (newline + indent).join(lines)
    edits = [Edit(where.start.line, where.start.column, where.end.line, where.end.column, text)]
    edits += [context.style.import_edit(s) for s in dict.fromkeys(imports)]
    return Fix(finding.fix, tuple(edits), f"use the default init of `{plan.layer}.{plan.param}`")


# ------------------------------------------------------------------ INI009


def _rescale_fix(finding: Finding, plan: RescaleDraw, context: FixContext, positions: dict) -> Fix:
    """`randn(a, b) / sqrt(fan_in)`; `(rand(a, b) * 2 - 1) * sqrt(3 / fan_in)`: variance 1 / fan_in, same family."""
    place = context.scopes.place(plan.statement) if plan.statement is not None else None
    where = positions.get(id(plan.call))
    if place is None or where is None:
        raise Refused("the draw could not be located")
    imports: list = []
    math, needed = context.style.spell("math", place)
    if needed:
        imports.append(needed)
    if not _roots(plan.fan_in) <= _name_values(plan.call):
        raise Refused("the fan_in is not spelled by the draw's own arguments")
    draw = context.code(plan.call)
    fan_in = plan.fan_in
    if plan.family == "uniform":
        atomic = fan_in.replace("_", "").replace(".", "").isalnum()
        text = f"({draw} * 2 - 1) * {math}.sqrt(3 / {fan_in if atomic else '(' + fan_in + ')'})"
    else:
        text = f"{draw} / {math}.sqrt({fan_in})"
    edits = [Edit(where.start.line, where.start.column, where.end.line, where.end.column, text)]
    edits += [context.style.import_edit(s) for s in dict.fromkeys(imports)]
    return Fix(finding.fix, tuple(edits), "draw it at std 1/sqrt(fan_in)")


def _bound_nodes(plan: ReplaceInit, context: FixContext) -> list:
    found = _bound_assignment(plan, context)
    return [found.body[0].value] if found is not None else []


def _bound_assignment(plan: ReplaceInit, context: FixContext) -> Optional[cst.SimpleStatementLine]:
    """`bound = <expr>` just before `uniform_(bias, -bound, bound)`, read by nothing else: rewritten in place."""
    if plan.param != BIAS or plan.call is None:
        return None
    args = [a for a in plan.call.args if a.keyword is None] + [a for a in plan.call.args if a.keyword is not None]
    low = _argument(plan.call, 1, "a")
    high = _argument(plan.call, 2, "b")
    if args and any(a.star for a in args):
        return None
    if not (isinstance(high, cst.Name) and isinstance(low, cst.UnaryOperation) and isinstance(low.operator, cst.Minus)
            and isinstance(low.expression, cst.Name) and low.expression.value == high.value):
        return None
    name = high.value
    place = context.scopes.place(plan.statement)
    if place is None:
        return None
    for statement in reversed(place.siblings[:place.index]):
        mentions = name in _name_values(statement)
        if not mentions:
            continue
        if (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
                and isinstance(statement.body[0], cst.Assign) and len(statement.body[0].targets) == 1
                and isinstance(statement.body[0].targets[0].target, cst.Name)
                and statement.body[0].targets[0].target.value == name
                and name not in _name_values(statement.body[0].value)):
            # the new value must not reach any later read of the name
            return statement if context.scopes.free_to_bind(name, place) else None
        return None
    return None


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.BaseExpression]:
    positional = [a for a in call.args if a.keyword is None]
    if position < len(positional):
        return positional[position].value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return None


# ------------------------------------------------------------------ names


def _name_values(node: cst.CSTNode) -> set:
    return {n.value for n in walk(node) if isinstance(n, cst.Name)}


def _spellings(context: FixContext, place: Place, imports: list) -> tuple:
    """(RecipeNames with how `place` spells torch.nn.init and math, the names those spellings use)."""
    init, needed = context.style.spell("torch.nn.init", place)
    if needed:
        imports.append(needed)
    math, needed = context.style.spell("math", place)
    if needed:
        imports.append(needed)
    return RecipeNames(init=init, math=math), _roots(init) | _roots(math)


def _temporaries(names: RecipeNames, context: FixContext, place: Place, reserved: set) -> RecipeNames:
    bound = context.style.temporary("bound", place, reserved)
    fan_in = context.style.temporary("fan_in", place, reserved | {bound})
    return RecipeNames(init=names.init, math=names.math, bound=bound, fan_in=fan_in)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _roots(expression: str) -> set:
    """Every identifier an expression mentions (over-approximates the names it reads)."""
    return set(_IDENTIFIER.findall(re.sub(r"'[^']*'|\"[^\"]*\"", "", expression)))


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]

"""The fix of INI006-INI008 (`InsertModuleRecipe`): a module's default recipe after its statement.

Explicit style writes PyTorch's final recipe of the parameters that relied on the default
(`recipes.module_recipe`, EXPLICIT); for a recurrent stack whose layer count is not a literal, every
parameter is, and the recipe loops over `parameters()`.  Skip-init style builds the module with
`torch.nn.utils.skip_init` (or on the meta device then `to_empty`, for the classes skip_init
refuses) and replays the constructor's whole sequence of writes, so under one seed every value is
bitwise the default's.  Sizes are written as numbers only when the call itself spells them as
literals; otherwise the recipe reads them from the built module.
"""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from init_lint.catalogue import CLONE, UNKNOWN_ARG, LayerSpec, is_size, literal_arguments, lookup_module
from init_lint.diagnostics import Finding, Fix
from init_lint.fixes.address import reach
from init_lint.fixes.feasibility import UNREACHABLE
from init_lint.fixes.plans import InsertModuleRecipe, written_arguments
from init_lint.fixes.recipes import EXPLICIT, SKIP_INIT, NoRecipe, RecipeNames, module_recipe, skip_init_call
from init_lint.fixes.style import insertion_after


def module_fix(finding: Finding, plan: InsertModuleRecipe, context, positions: dict) -> Fix:
    """The fix of one INI006-INI008 finding; raises `build.Refused` with the reason when there is none."""
    from init_lint.fixes.build import Refused, _indent, _roots

    site = plan.site
    statement = site.statement
    place = context.scopes.place(statement) if statement is not None else None
    if statement is None or place is None or not isinstance(statement, cst.SimpleStatementLine):
        raise Refused("the module is not reachable by name right after the statement that builds it")
    path = reach(statement, site.call, context.analysis, appended_ok=site.address is not None,
                 cache=context.reach_cache)
    if path is None:
        raise Refused(UNREACHABLE)
    call = site.call
    if context.wrap:
        if lookup_module(context.analysis.imports.qualify(call.func) or "") != site.spec.name:
            raise Refused("the module's class is not named directly (a partial or a variable): "
                          "skip_init needs the class")
        if path.converted:
            raise Refused("the module is converted (`.double()`, `.to(...)`) right after it is built: a recipe after "
                          "skip_init would draw in the converted dtype, not bit for bit")
    reserved = _roots(path.expr)
    init, init_import = context.style.spell("torch.nn.init", place)
    math, math_import = context.style.spell("math", place)
    reserved |= _roots(init) | _roots(math)
    layer = path.expr
    if path.loop:
        layer = context.style.temporary("layer", place, reserved)
        reserved.add(layer)
    names = _names(init, math, context, place, reserved)
    literals = call_literals(site.spec, call)
    try:
        if context.wrap:
            lines = module_recipe(site.spec, layer, names, style=SKIP_INIT, literal_args=literals)
        else:
            lines = module_recipe(site.spec, layer, names, style=EXPLICIT, params=_parameter_names(plan),
                                  literal_args=literals, guard_unknown=True)
    except (NoRecipe, ValueError, KeyError) as error:
        raise Refused(str(error)) from None
    if any("getattr(" in line for line in lines) and not context.scopes.unbound_on_the_way("getattr", place):
        raise Refused("the guard of a parameter the module may lack reads the builtin `getattr`, which is "
                      "rebound where the fix stands")
    if path.loop:
        lines = [f"for {layer} in {path.expr}:"] + ["    " + line for line in lines]
    where = positions.get(id(statement))
    if where is None:
        raise Refused("the statement could not be located")
    indent = _indent(context.index.line_text(where.start.line))
    newline = context.index.newline()
    edits = [insertion_after(context.index, where.end.line, "".join(indent + line + newline for line in lines))]
    imports: list = []
    used = set().union(*(_roots(line) for line in lines)) if lines else set()
    if init_import and _roots(init) & used:
        imports.append(init_import)
    if math_import and _roots(math) & used:
        imports.append(math_import)
    if context.wrap:
        edits.append(_wrap_edit(site.spec, call, context, place, positions, imports))
    edits += [context.style.import_edit(line) for line in dict.fromkeys(imports)]
    target = f"each module of `{path.expr}`" if path.loop else f"`{path.expr}`"
    how = "build it without drawing and " if context.wrap else ""
    return Fix(finding.fix, tuple(edits), f"{how}write the default init of {target} explicitly", rank=(site.seq,))


def _names(init: str, math: str, context, place, reserved: set) -> RecipeNames:
    chosen: dict = {}
    for field, base in (("bound", "bound"), ("fan_in", "fan_in"), ("parameter", "p"), ("clone", "clone")):
        chosen[field] = context.style.temporary(base, place, reserved | set(chosen.values()))
    return RecipeNames(init=init, math=math, **chosen)


def _parameter_names(plan: InsertModuleRecipe) -> Optional[list]:
    """The `named_parameters()` names to write (None: all of them, a recurrent stack of unknown size)."""
    if any("{" in key for key in plan.params):
        return None
    args = literal_arguments(plan.site.spec, plan.site.args)
    found: list = []
    for key in plan.params:
        if CLONE not in key:
            found.append(key)
            continue
        head, tail = key.split(f".{CLONE}.", 1)
        count = args.get(f"num_{head.split('.')[0]}_layers")
        if not is_size(count):
            raise ValueError("the number of layers is not a literal")
        found += [f"{head}.{index}.{tail}" for index in range(count)]
    return found


def call_literals(spec: LayerSpec, call: cst.Call) -> dict:
    """The constructor's arguments as the call's own text spells them: literal values, UNKNOWN_ARG for
    anything else (a name is never read as its value), the defaults of those it leaves out.  A
    `*args` / `**kwargs` makes every argument unknown."""
    if any(arg.star for arg in call.args):
        return {name: UNKNOWN_ARG for name in spec.signature}
    return spec.bind(written_arguments(spec, call, _literal))


def _literal(node: cst.BaseExpression) -> object:
    try:
        value = ast.literal_eval(cst.Module(body=[]).code_for_node(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return UNKNOWN_ARG
    return value if value is None or isinstance(value, (bool, int, float, str, tuple)) else UNKNOWN_ARG


def _wrap_edit(spec: LayerSpec, call: cst.Call, context, place, positions: dict, imports: list):
    """The constructor rewritten to build without drawing: `skip_init(cls, ...)`, or for the classes
    skip_init refuses `cls(..., device="meta").to_empty(...)`."""
    from init_lint.diagnostics import Edit
    from init_lint.fixes.build import Refused

    where = positions.get(id(call))
    if where is None:
        raise Refused("the constructor could not be located")
    code = context.code
    device = None
    arguments = []
    for arg in skip_init_arguments(call, code):
        if arg.keyword is not None and arg.keyword.value == "device":
            device = code(arg.value)
        else:
            arguments.append(code(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip())
    skip_init = ""
    if spec.skip_init_refused is None:
        skip_init, needed = context.style.spell("torch.nn.utils.skip_init", place)
        if needed:
            imports.append(needed)
    text = skip_init_call(spec, skip_init, code(call.func).strip(), arguments, device)
    return Edit(where.start.line, where.start.column, where.end.line, where.end.column, text)


def skip_init_arguments(call: cst.Call, code) -> list:
    """The call's arguments for a build that skips init, with a `device=` that may be None made a device.

    torch's skip_init (and the meta-then-`to_empty` build the fixer writes for the classes it refuses)
    moves the module to `device`: None there leaves every parameter on the meta device, while the
    original call put them on the default device.  A literal None is dropped (the build lands on the CPU,
    as skip_init's own default); a name or attribute becomes `d if d is not None else "cpu"`; a string, a
    number or a `device(...)` call is kept.  Raises `build.Refused` for a `**` spread (a `device` in it
    could be None, and the meta build would give `device` twice) and for any other expression."""
    from init_lint.fixes.build import Refused

    arguments = []
    for arg in call.args:
        if arg.star == "**":
            raise Refused("the constructor's `**` arguments may hold a `device`: a None there would leave the "
                          "module skip_init builds on the meta device")
        if arg.keyword is None or arg.keyword.value != "device":
            arguments.append(arg)
            continue
        value = arg.value
        if isinstance(value, cst.Name) and value.value == "None":
            continue
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer)) or (
                isinstance(value, cst.Call) and code(value.func).strip().split(".")[-1] == "device"):
            arguments.append(arg)
            continue
        if not isinstance(value, (cst.Name, cst.Attribute)):
            raise Refused("the constructor's `device=` may be None, which would leave the module skip_init builds "
                          "on the meta device")
        text = code(value).strip()
        arguments.append(arg.with_changes(value=cst.parse_expression(f'{text} if {text} is not None else "cpu"')))
    return arguments

"""Turn fix plans into edits of the file, in its own aliases and style.

Recipes are inserted right after the statement that builds the layer, so random draws keep
their order; in skip-init style the constructor is wrapped in `torch.nn.utils.skip_init` so the
recipe draws exactly what the constructor drew.  Nothing outside the inserted or replaced
statements changes, and a result that does not parse is never returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.names import LOCAL
from init_lint.analysis.values import BIAS, WEIGHT, Tri
from init_lint.catalogue import LayerSpec
from init_lint.checker import check_source_with_analysis
from init_lint.config import Settings
from init_lint.diagnostics import SAFE, UNSAFE, Finding
from init_lint.fixes.plans import InsertRecipe, ReplaceInit, RescaleDraw
from init_lint.fixes.recipes import default_recipe
from init_lint.fixes.style import FileStyle


class FixError(Exception):
    """The fix would not give a valid file: nothing is written."""


@dataclass
class FixResult:
    source: bytes
    fixed: list = field(default_factory=list)
    remaining: list = field(default_factory=list)
    #: findings whose fix could not be applied, with why
    refused: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def fix_source(data: Union[bytes, str], path: str = "<stdin>", settings: Optional[Settings] = None, *,
               unsafe: bool = False, style: Optional[str] = None, skip_constructor_draws: bool = False,
               keep: Optional[frozenset] = None) -> FixResult:
    """Apply the fixes of one file's findings.

    `style` is "explicit" or "skip-init" (default: the settings').  `skip_constructor_draws`
    (for the verifier) builds the fixed layers with `skip_init` in either style, and writes every
    parameter's draw, so that the explicit style's recipe can be compared bit for bit.
    """
    settings = settings or Settings()
    style = style or settings.fix_style
    raw = data.encode("utf-8") if isinstance(data, str) else data
    findings, analysis = check_source_with_analysis(raw, path, settings)
    if keep is not None:
        # Project mode: findings that other files' models cover are not findings, and get no fix.
        findings = [f for f in findings if (f.line, f.column, f.code) in keep]
    wanted = [f for f in findings if f.fix == SAFE or (f.fix == UNSAFE and unsafe)]
    if not wanted or analysis is None:
        return FixResult(raw, [], findings)
    editor = _Editor(analysis, style == "skip-init" or skip_constructor_draws)
    applied, refused = editor.plan(wanted)
    if not applied:
        return FixResult(raw, [], findings, refused)
    module = analysis.module.visit(editor)
    module = editor.add_imports(module)
    result = module.bytes
    try:
        cst.parse_module(result)
    except cst.ParserSyntaxError as error:  # pragma: no cover - a bug in the fixer, never a user's problem
        raise FixError(f"{path}: the fixed code does not parse ({error.message}); nothing was changed") from None
    # What remains is reported against the fixed file: its lines moved.
    remaining = check_source_with_analysis(result, path, settings)[0]
    if keep is not None:
        still = {(f.code, f.message) for f in findings if f not in applied}
        remaining = [f for f in remaining if (f.code, f.message) in still]
    return FixResult(result, applied, remaining, refused)


class _Editor(cst.CSTTransformer):
    def __init__(self, analysis: FileAnalysis, wrap_constructors: bool) -> None:
        super().__init__()
        self.analysis = analysis
        self.style = FileStyle(analysis)
        self.wrap = wrap_constructors
        self.after: dict[int, list[str]] = {}
        self.replace: dict[int, list[str]] = {}
        self.wrap_calls: set[int] = set()
        self.rescale_calls: dict[int, RescaleDraw] = {}

    # ---------------------------------------------------------------- planning

    def plan(self, findings: list[Finding]) -> tuple[list[Finding], list[tuple[Finding, str]]]:
        applied, refused = [], []
        inserts: dict[int, list[tuple[Finding, InsertRecipe]]] = {}
        for finding in findings:
            plan = finding.plan
            if isinstance(plan, InsertRecipe):
                inserts.setdefault(id(plan.site.statement), []).append((finding, plan))
            elif isinstance(plan, ReplaceInit):
                try:
                    self.replace[id(plan.statement)] = self._replacement(plan)
                    applied.append(finding)
                except _Refused as why:
                    refused.append((finding, str(why)))
            elif isinstance(plan, RescaleDraw):
                self.rescale_calls[id(plan.call)] = plan
                applied.append(finding)
        for group in inserts.values():
            group.sort(key=lambda item: item[1].site.seq)
            try:
                statements = []
                for _, plan in group:
                    statements += self._recipe_for(plan)
                self.after[id(group[0][1].site.statement)] = statements
                if self.wrap:
                    self.wrap_calls.update(id(plan.site.call) for _, plan in group)
                applied.extend(finding for finding, _ in group)
            except _Refused as why:
                refused.extend((finding, str(why)) for finding, _ in group)
        return applied, refused

    def _recipe_for(self, plan: InsertRecipe) -> list[str]:
        site = plan.site
        if site.address is None or site.statement is None:
            raise _Refused("the layer is not reachable by name right after the statement that builds it")
        if self.wrap and not self.style.names_layer_class(site):
            raise _Refused("the layer's class is not named directly (a partial or a variable): skip_init needs the class")
        params = (WEIGHT, BIAS) if self.wrap else plan.params
        names = self.style.recipe_names()
        literal = self.style.literal_args(site)
        bias = BIAS in params and site.bias != Tri.NO
        guard = site.bias == Tri.MAYBE and bias
        layer = "layer" if site.address.loop else site.address.expr
        if site.address.loop:
            layer = self.style.free_name("layer")
        try:
            weight_lines = default_recipe(site.spec, layer, names, weight=WEIGHT in params, bias=False,
                                          literal_args=literal)
            bias_lines = default_recipe(site.spec, layer, names, weight=False, bias=True, literal_args=literal) \
                if bias else []
            if site.spec.family == "bilinear" and WEIGHT in params and bias:
                bias_lines = bias_lines[1:]  # the bound is shared and already computed
        except ValueError as error:
            raise _Refused(str(error)) from None
        if guard:
            bias_lines = [f"if {layer}.bias is not None:"] + ["    " + line for line in bias_lines]
        lines = weight_lines + bias_lines
        if site.address.loop:
            lines = [f"for {layer} in {site.address.expr}:"] + ["    " + line for line in lines]
        self.style.require_recipe_imports()
        return lines

    def _replacement(self, plan: ReplaceInit) -> list[str]:
        names = self.style.recipe_names()
        try:
            lines = default_recipe(plan.spec, plan.layer, names, weight=plan.param == WEIGHT,
                                   bias=plan.param == BIAS, literal_args=plan.literal_args)
        except ValueError as error:
            raise _Refused(str(error)) from None
        self.style.require_recipe_imports()
        return lines

    # ---------------------------------------------------------------- editing

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        rescale = self.rescale_calls.get(id(original_node))
        if rescale is not None:
            return self._rescaled(rescale, updated_node)
        if id(original_node) not in self.wrap_calls:
            return updated_node
        skip_init = self.style.skip_init_name()
        args = [cst.Arg(updated_node.func)] + list(updated_node.args)
        return updated_node.with_changes(func=cst.parse_expression(skip_init), args=args)

    def _rescaled(self, plan: RescaleDraw, call: cst.Call) -> cst.BaseExpression:
        """`randn(a, b) / sqrt(fan_in)`; `(rand(a, b) * 2 - 1) * sqrt(3 / fan_in)`: variance 1 / fan_in."""
        math = self.style.math_module()
        draw = self.analysis.module.code_for_node(call)
        fan_in = plan.fan_in
        if plan.family == "uniform":
            atomic = fan_in.replace("_", "").replace(".", "").isalnum()
            text = f"({draw} * 2 - 1) * {math}.sqrt(3 / {fan_in if atomic else '(' + fan_in + ')'})"
        else:
            text = f"{draw} / {math}.sqrt({fan_in})"
        return cst.parse_expression(text, config=self.analysis.module.config_for_parsing)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self._edit_body(original_node.body, updated_node.body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._edit_body(original_node.body, updated_node.body))

    def _edit_body(self, originals, updated) -> list:
        body = []
        for original, current in zip(originals, updated):
            key = id(original)
            if key in self.replace:
                new = self._parse(self.replace[key])
                if new:
                    new[0] = new[0].with_changes(leading_lines=current.leading_lines)
                body.extend(new)
                continue
            body.append(current)
            if key in self.after:
                body.extend(self._parse(self.after[key]))
        return body

    def _parse(self, lines: list[str]) -> list:
        code = "\n".join(lines) + "\n"
        module = cst.parse_module(code, config=self.analysis.module.config_for_parsing)
        return list(module.body)

    def add_imports(self, module: cst.Module) -> cst.Module:
        return self.style.add_imports(module)


class _Refused(Exception):
    pass


def literal_spec_args(spec: LayerSpec, call: cst.Call, module_constants: dict) -> dict:
    """Constructor arguments written as literals (or module-level constants) in the source itself."""
    found: dict = {}
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if any(a.star for a in call.args):
        return {}
    for name, arg in zip(spec.signature, positional):
        found[name] = _literal(arg.value, module_constants)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in spec.signature:
            found[arg.keyword.value] = _literal(arg.value, module_constants)
    return {k: v for k, v in found.items() if v is not None}


def _literal(node: cst.BaseExpression, constants: dict) -> object:
    if isinstance(node, cst.Integer):
        value = node.evaluated_value
        return value if isinstance(value, int) else None
    if isinstance(node, cst.Tuple):
        items = [_literal(e.value, constants) for e in node.elements]
        return tuple(items) if all(isinstance(i, int) for i in items) else None
    if isinstance(node, cst.Name) and node.value in constants:
        value = constants[node.value]
        return value if isinstance(value, (int, tuple)) and not isinstance(value, bool) else None
    return None


__all__ = ["FixError", "FixResult", "fix_source", "literal_spec_args", "LOCAL"]

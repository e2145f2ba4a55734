"""What INI006-INI008 share: the verdict on the parameters of an embedding, recurrent or attention
module that keep the constructor's implicit default, and the words that name them.

A module's parameters are keys of its site's `cover` (`catalogue.cover_keys`); those whose last
write in the constructor is an arbitrary default (`catalogue.IMPLICIT_INITS`: N(0, 1) for an
embedding, uniform(+-1/sqrt(hidden_size)) for a recurrent stack, the Linear default of an
attention's `out_proj.weight`) are judged as INI001 judges a Linear's weight: by the module tree's
verdict over every way the module is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from init_lint.analysis import FileAnalysis
from init_lint.analysis.values import LayerSite, Tri
from init_lint.catalogue import (
    CLONE, UNKNOWN_ARG, defaulted_keys, is_size, key_template, literal_arguments, no_fix_reason,
)
from init_lint.fixes.feasibility import insert_problem
from init_lint.fixes.plans import InsertModuleRecipe
from init_lint.rules._layers import describe
from init_lint.rules.base import CheckContext


@dataclass
class Judged:
    """One module whose parameters keep the default on some way of building it."""

    site: LayerSite
    #: the parameter keys at the worst level, in `named_parameters()` order
    params: tuple
    level: Tri
    models: list
    why: Optional[str]
    plan: Optional[InsertModuleRecipe]
    #: why no fix is offered, when none is
    no_fix: Optional[str]
    #: project mode: how the verdict depends on the models of this file (see ModuleTree.verdict)
    depends: tuple = ()


def judge(context: CheckContext, families: tuple) -> Iterator[Judged]:
    """Every module of these families with a parameter that keeps its implicit default."""
    analysis = context.analysis
    tree = analysis.tree
    statements: dict = {}
    by_call: dict = {}
    for site in analysis.facts.sites:
        if site.spec.family not in families or site.owner is None or site.skip_init \
                or tree.is_abstract_base(site.owner) or _given_its_values(site):
            continue
        # one constructor call may stand for several modules (`(nn.LSTM if lstm else nn.GRU)(...)`)
        by_call.setdefault(id(site.call), []).append(site)
    for sites in by_call.values():
        judged = _judge_call(sites, context, statements)
        if judged is not None:
            yield judged


def _judge_call(sites: list, context: CheckContext, statements: dict) -> Optional[Judged]:
    """The verdict on the modules one constructor call builds: the worst over their defaulted parameters."""
    tree = context.analysis.tree
    levels: dict = {}
    models: list = []
    whys: dict = {}
    depends: list = []
    for site in sites:
        defaulted = defaulted_keys(site.spec)
        for key in site.cover:
            if key_template(site.spec, key) not in defaulted or not site.needs(key):
                continue
            verdict = tree.verdict(site, key)
            levels[key] = min(levels.get(key, Tri.YES), verdict.level)
            models.extend(m for m in verdict.models if m not in models)
            if verdict.why:
                whys.setdefault(key, verdict.why)
            if verdict.level < Tri.YES and verdict.alternatives:
                depends.append((key_template(site.spec, key), verdict.ways()))
    if not levels:
        return None
    worst = min(levels.values())
    if worst == Tri.YES or (worst == Tri.MAYBE and not context.strict):
        return None
    site = sites[0]
    params = tuple(k for k in levels if levels[k] == worst)
    plan, no_fix = None, None
    if worst <= Tri.FORK:
        no_fix = "the class is chosen when the code runs" if len({s.spec.name for s in sites}) > 1 else \
            _why_no_fix(site, params, context.analysis, statements)
        if no_fix is None:
            plan = InsertModuleRecipe(site, params)
    why = next((whys[k] for k in params if k in whys), None) if worst <= Tri.FORK else None
    return Judged(site, params, worst, models, why, plan, no_fix, (site.spec.name, tuple(depends)) if depends else ())


def _given_its_values(site: LayerSite) -> bool:
    """Built from a tensor (`nn.Embedding(n, d, _weight=vectors)`): the constructor draws nothing."""
    weight = site.args.get("_weight")
    return weight is not None and weight is not UNKNOWN_ARG


def _why_no_fix(site: LayerSite, params: tuple, analysis: FileAnalysis, statements: dict) -> Optional[str]:
    """Why the recipe cannot be written after the module's statement, or None when it can."""
    reason = no_fix_reason(site.spec, literal_arguments(site.spec, site.args))
    if reason is not None:
        return reason
    if site.wrapped:
        return "the module is wrapped after it is built"
    args = literal_arguments(site.spec, site.args)
    clones = [key.split(".", 1)[0] for key in params if CLONE in key]
    if any(not is_size(args.get(f"num_{side}_layers")) for side in clones):
        return "the number of layers is not a literal: the parameters cannot be named"
    if any("{" in key for key in params) and set(params) != {k for k in site.cover if site.needs(k)}:
        return "the number of layers is not a literal: the parameters cannot be named"
    return insert_problem(site, analysis, {id(site.call)}, statements)


def names(params: tuple) -> str:
    """`weight_ih_l0 and bias_hh_l0`, or `6 parameters` (the help line lists them all)."""
    shown = [_readable(p) for p in params]
    if len(shown) > 2:
        return f"{len(shown)} parameters"
    return " and ".join(shown)


def listed(params: tuple) -> str:
    """Every parameter, for the help line: `weight_ih_l0, weight_hh_l0, bias_ih_l0`."""
    return ", ".join(_readable(p) for p in params)


def _readable(key: str) -> str:
    """A key as a user reads it: `weight_ih_l{layer}{suffix}` is `weight_ih_l<k>` of every layer."""
    return key.replace("{layer}", "<k>").replace("{suffix}", "")


def where(judged: Judged, context: CheckContext) -> str:
    """`self.emb = nn.Embedding(vocab, d) in Net (built by LM)`."""
    site = judged.site
    via = [m for m in judged.models if m != site.owner]
    return f"{describe(site, context.analysis)} in {site.owner}" + (f" (built by {', '.join(via)})" if via else "")


def message(judged: Judged, context: CheckContext, keeps: str, rule: str, advice: str) -> tuple[str, str]:
    """The message and help line: `<where>: <params> keep(s) <keeps>`, and what to do (and why no fix)."""
    what = names(judged.params)
    verb = "keeps" if len(judged.params) == 1 else "keep"
    head = where(judged, context)
    if judged.level == Tri.MAYBE:
        return (f"{head}: {what} init is out of sight (unverified)",
                f"initialize {listed(judged.params)} explicitly here, or silence with `# noqa: {rule}`")
    tail = f" {judged.why}" if judged.why else (" on some way" if judged.level == Tri.FORK else "")
    fix = "; `--fix` writes PyTorch's default recipe" if judged.plan is not None else \
        f" (no autofix: {judged.no_fix})" if judged.no_fix else ""
    which = f"{listed(judged.params)}: " if len(judged.params) > 2 else ""
    return f"{head}: {what} {verb} {keeps}{tail}", f"{which}{advice}{fix}"

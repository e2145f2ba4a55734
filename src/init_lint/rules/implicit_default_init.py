"""INI001 implicit-default-init: a layer whose weight or bias keeps PyTorch's hidden default."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from init_lint.analysis.values import PARAMS, Tri
from init_lint.diagnostics import SAFE
from init_lint.fixes.feasibility import insert_problem
from init_lint.fixes.plans import InsertRecipe
from init_lint.rules._examples import Invalid
from init_lint.rules._layers import describe, literal_fan_in
from init_lint.rules.base import CheckContext, RawFinding, Rule


class ImplicitDefaultInit(Rule):
    """INI001: reads the module tree's verdict on every layer parameter."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        """One finding per constructor call whose layers keep a default, with an insert fix where safe."""
        analysis = context.analysis
        tree = analysis.tree
        by_call: dict = {}
        for site in analysis.facts.sites:
            if not site.classic or site.owner is None or site.skip_init or tree.is_abstract_base(site.owner):
                continue
            by_call.setdefault(id(site.call), []).append(site)
        judged = []
        for sites in by_call.values():
            levels: dict = {}
            models: list = []
            depends: list = []
            whys: list = []
            for param in PARAMS:
                needing = [s for s in sites if s.needs(param)]
                if not needing:
                    continue
                verdicts = [tree.verdict(s, param) for s in needing]
                levels[param] = min(v.level for v in verdicts)
                whys.extend((param, v.why) for v in verdicts if v.why and v.level == levels[param])
                for verdict in verdicts:
                    models.extend(m for m in verdict.models if m not in models)
                    if verdict.level < Tri.YES and verdict.alternatives:
                        depends.append((param, verdict.ways()))
            if not levels:
                continue
            worst = min(levels.values())
            if worst == Tri.YES or (worst == Tri.MAYBE and not context.strict):
                continue
            params = tuple(p for p in PARAMS if p in levels and levels[p] == worst)
            # The way named must be one that leaves these parameters (not another) at the default.
            whys = [why for param, why in whys if param in params]
            one_class = len({s.spec.name for s in sites}) == 1
            judged.append((sites[0], params, models, worst, (sites[0].spec.name, tuple(depends)) if depends else (),
                           one_class, whys[0] if whys else None))
        fixable = {id(site.call) for site, _, _, worst, _, one_class, _ in judged
                   if worst <= Tri.FORK and not site.spec.lazy and one_class and not site.wrapped}
        # Two layers reachable by the same name after one statement (`a if c else b`): only one is built.
        addresses = Counter((id(site.statement), site.address.expr) for site, *_ in judged
                            if id(site.call) in fixable and site.address is not None)
        ambiguous = {id(site.call) for site, *_ in judged
                     if site.address is not None and addresses[(id(site.statement), site.address.expr)] > 1}
        fixable -= ambiguous
        statements: dict = {}
        for site, params, models, worst, depends, _, why in judged:
            plan = None
            if id(site.call) in fixable and insert_problem(site, analysis, fixable, statements) is None:
                plan = InsertRecipe(site, params)
            message, help_ = self._message(site, params, models, worst, context, plan is not None)
            if why and worst <= Tri.FORK:
                # The way that keeps the default replaces the generic wording (`when init_type != 'explicit'`).
                prefix = message.rsplit(": ", 1)[0]
                if why.startswith(f"for {site.owner}(") and prefix.endswith(f" in {site.owner}"):
                    prefix = prefix[:-len(f" in {site.owner}")]  # the way names the class already
                message = f"{prefix}: default {' and '.join(params)} {why}"
                help_ = f"{help_}; {why}, no code initializes it"
            yield RawFinding(
                site.call,
                message,
                help=help_,
                fix=SAFE if plan else None,
                plan=plan,
                strict=worst == Tri.MAYBE,
                depends=depends,
            )

    def _message(self, site, params, models, level, context: CheckContext, fixable: bool) -> tuple[str, str]:
        """The message and the help line."""
        what = " and ".join(params)
        layer = describe(site, context.analysis)
        via = [m for m in models if m != site.owner]
        where = f" in {site.owner}" + (f" (built by {', '.join(via)})" if via else "")
        if level == Tri.MAYBE:
            return (f"{layer}{where}: {what} init is out of sight (unverified)",
                    f"initialize the {what} explicitly here, or silence with `# noqa: INI001`")
        if site.spec.lazy:
            return (f"{layer}{where} draws the default {what} at its first call",
                    "initialize explicitly after materializing (no autofix: fan_in is unknown until then)")
        recipe = "PyTorch's default recipe" + (f" (fan_in {fan})" if (fan := literal_fan_in(site)) else "")
        if level == Tri.FORK:
            keeps = "keeps" if len(params) == 1 else "keep"
            return (f"{layer}{where}: {what} {keeps} the default on some way",
                    f"initialize explicitly on every way; `--fix` writes {recipe}" if fixable else
                    f"initialize the {what} explicitly on every way")
        return (f"{layer}{where}: implicit default {what}",
                f"initialize explicitly; `--fix` writes {recipe}" if fixable else
                f"initialize the {what} explicitly")


RULE = ImplicitDefaultInit(
    code="INI001",
    name="implicit-default-init",
    summary="A Linear, Conv or Bilinear layer whose weight or bias is never explicitly initialized.",
    what="""
        Finds `nn.Linear`, `nn.Conv1d/2d/3d`, `nn.ConvTranspose1d/2d/3d` and `nn.Bilinear` layers of an
        `nn.Module` whose weight or bias no code initializes after construction: not the class itself,
        not an `apply(fn)` / `modules()` / `parameters()` dispatch of the class or of a model that
        builds it. The message names the parameter and the model through which the layer is built.
    """,
    why="""
        PyTorch initializes these layers with a recipe you cannot see in your code
        (`kaiming_uniform_(w, a=math.sqrt(5))`, then a uniform bias bounded by `1/sqrt(fan_in)`).
        Defaults are part of no model's code, so a reader cannot tell what the initial distribution
        is. PyTorch keeps the recipes for backward compatibility, but it does not promise the same
        values under the same seed across releases; written out, the recipe is yours to keep.
    """,
    example="""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
    """,
    use_instead="""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
                bound = 1 / math.sqrt(3)
                nn.init.uniform_(self.fc.bias, -bound, bound)
    """,
    fix_safety="""
        Safe: the inserted code is PyTorch's default recipe, written out. With `--fix-style explicit`
        (the default) the constructor still draws first, so exact values change but not their
        distribution; with `--fix-style skip-init` the layer is built with `torch.nn.utils.skip_init`
        and the values are bitwise identical under the same seed. Lazy layers get no fix.
    """,
    valid=[
        """
        import math
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                nn.init.xavier_uniform_(self.fc.weight)
                nn.init.zeros_(self.fc.bias)
        """,
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, std=0.02)
                    nn.init.zeros_(m.bias)
        """,
        """
        class Linear:
            def __init__(self, a, b):
                self.a = a

        class Net:
            def __init__(self):
                self.fc = Linear(3, 4)
        """,
    ],
    invalid=[
        Invalid("""
            import torch as T

            class Net(T.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.hid = T.nn.Linear(3, 4)
            """, expected="""
            import math

            import torch as T

            class Net(T.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.hid = T.nn.Linear(3, 4)
                    T.nn.init.kaiming_uniform_(self.hid.weight, a=math.sqrt(5))
                    bound = 1 / math.sqrt(3)
                    T.nn.init.uniform_(self.hid.bias, -bound, bound)
            """),
        Invalid("""
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(3, 8, 3)
                    self.head = nn.Linear(8, 2)
                    for m in self.modules():
                        if isinstance(m, nn.Conv2d):
                            nn.init.kaiming_normal_(m.weight)
                            nn.init.zeros_(m.bias)
            """, expected="""
            import math

            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(3, 8, 3)
                    self.head = nn.Linear(8, 2)
                    nn.init.kaiming_uniform_(self.head.weight, a=math.sqrt(5))
                    bound = 1 / math.sqrt(8)
                    nn.init.uniform_(self.head.bias, -bound, bound)
                    for m in self.modules():
                        if isinstance(m, nn.Conv2d):
                            nn.init.kaiming_normal_(m.weight)
                            nn.init.zeros_(m.bias)
            """),
    ],
)

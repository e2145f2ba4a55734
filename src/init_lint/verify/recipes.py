"""Recipe self-test: do init-lint's default recipes still reproduce the installed torch, bit for bit?

`init-lint verify --recipes` runs it.  For every layer type and configuration of the product contract
(section 1 of DESIGN.md), in float32 and float64, with fan_in written as a literal and read from
the layer's attributes, it builds the layer twice under the same seed: once with the default
constructor, once with `torch.nn.utils.skip_init` followed by the statements the fixer would insert.
Both must give `torch.equal` weight and bias and leave the random generator in the same state.

The other modules of the catalogue (Embedding, EmbeddingBag, RNN/LSTM/GRU and cells,
MultiheadAttention, Transformer*) are checked in both fix styles: `skip-init` as above (the whole
replay, children included), `explicit` by recording torch.nn.init calls: the recipe of each parameter
must make the same call, with bitwise the same arguments, as the constructor's last call on it.
A PyTorch release that changes a default recipe fails here, before any fixed model drifts.

torch is imported inside the function only: `init_lint.verify` imports without it.
"""

from __future__ import annotations

import importlib
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional

from init_lint.catalogue import LAYERS, MODULES, TORCH_MODULES
from init_lint.fixes.recipes import EXPLICIT, SKIP_INIT, RecipeNames, default_recipe, module_recipe, skip_init_call
from init_lint.verify.recorded import constructor_last_calls, last_calls, recorded_init_calls

#: (class name, positional args, keyword args): section 1's layers with int and tuple kernels, groups,
#: no bias, and fan_in 0 where torch accepts it
SELFTEST_CONFIGURATIONS: tuple[tuple[str, tuple, dict], ...] = (
    ("Linear", (3, 4), {}),
    ("Linear", (5, 2), {"bias": False}),
    ("Linear", (0, 4), {}),
    ("Conv1d", (4, 6, 3), {}),
    ("Conv1d", (4, 6, (5,)), {"groups": 2}),
    ("Conv2d", (3, 8, 3), {}),
    ("Conv2d", (4, 8, (3, 5)), {"groups": 4}),
    ("Conv2d", (6, 6, 1), {"groups": 6, "bias": False}),
    ("Conv3d", (2, 4, (1, 2, 3)), {}),
    ("Conv3d", (4, 4, 2), {"groups": 2}),
    ("ConvTranspose1d", (4, 6, 3), {"groups": 2}),
    ("ConvTranspose2d", (3, 8, (2, 3)), {}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2}),
    ("ConvTranspose3d", (2, 4, 2), {}),
    ("ConvTranspose3d", (4, 6, (1, 2, 3)), {"groups": 2, "bias": False}),
    ("Bilinear", (3, 5, 4), {}),
    ("Bilinear", (2, 3, 4), {"bias": False}),
)

#: the other modules of the catalogue, across the options that change their parameters or draws
MODULE_SELFTEST_CONFIGURATIONS: tuple[tuple[str, tuple, dict], ...] = (
    ("Embedding", (10, 4), {}),
    ("Embedding", (10, 4), {"padding_idx": 0}),
    ("Embedding", (10, 4), {"padding_idx": -1, "max_norm": 1.0, "sparse": True}),
    ("EmbeddingBag", (10, 4), {"mode": "sum", "padding_idx": 3}),
    ("RNN", (3, 5, 2), {"nonlinearity": "relu", "bidirectional": True}),
    ("LSTM", (3, 5), {"bias": False, "batch_first": True}),
    ("LSTM", (3, 6), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("GRU", (3, 5), {"num_layers": 2, "dropout": 0.5}),
    ("RNNCell", (3, 5), {"nonlinearity": "relu"}),
    ("LSTMCell", (3, 5), {"bias": False}),
    ("GRUCell", (3, 5), {}),
    ("MultiheadAttention", (8, 2), {}),
    ("MultiheadAttention", (8, 2), {"bias": False, "add_bias_kv": True}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True}),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("TransformerDecoderLayer", (8, 2, 16), {"bias": False}),
    ("Transformer", (8, 2, 2, 1, 16), {}),
)

_NAMES = RecipeNames(init="init")


@dataclass(frozen=True)
class RecipeCheck:
    """One layer configuration checked against torch."""

    layer: str
    configuration: str
    ok: bool
    detail: str = ""


@dataclass
class RecipeSelftestReport:
    torch_version: str
    results: list[RecipeCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(result.ok for result in self.results)

    @property
    def failures(self) -> list[RecipeCheck]:
        return [result for result in self.results if not result.ok]

    def summary(self) -> str:
        verdict = "all match" if self.ok else f"{len(self.failures)} differ"
        return f"recipe self-test against torch {self.torch_version}: {len(self.results)} configurations, {verdict}"

    def format_text(self) -> str:
        lines = [
            f"{'ok     ' if result.ok else 'DIFFERS'} {result.configuration}{': ' + result.detail if result.detail else ''}"
            for result in self.results
        ]
        return "\n".join([*lines, self.summary()])

    def to_json(self) -> dict:
        return {
            "torch_version": self.torch_version,
            "ok": self.ok,
            "results": [asdict(result) for result in self.results],
        }


Recipe = Callable[..., list]


def run_recipe_selftest(*, seed: int = 0, recipe: Recipe = default_recipe,
                        modules: Recipe = module_recipe) -> RecipeSelftestReport:
    """Check every recipe against the installed torch; the caller's random state is left as it was.

    `recipe` and `modules` are the functions under test (the fixer's `default_recipe` and `module_recipe`
    unless a test substitutes one).
    """
    import torch

    report = RecipeSelftestReport(torch_version=torch.__version__)
    with torch.random.fork_rng(devices=[]):
        for index, (name, args, kwargs) in enumerate(SELFTEST_CONFIGURATIONS):
            for dtype in (torch.float32, torch.float64):
                for literal in (True, False):
                    fan_in = "fan_in literal" if literal else "fan_in from attributes"
                    text = f"{describe(name, args, kwargs)}, {str(dtype).replace('torch.', '')}, {fan_in}"
                    try:
                        detail = _compare(name, args, kwargs, dtype, literal, seed + index, recipe)
                    except Exception as error:  # a recipe that cannot run is a failed check, not a crash
                        detail = f"{type(error).__name__}: {error}"
                    report.results.append(RecipeCheck(name, text, ok=detail is None, detail=detail or ""))
        for index, (name, args, kwargs) in enumerate(MODULE_SELFTEST_CONFIGURATIONS):
            for dtype in (torch.float32, torch.float64):
                for style in (SKIP_INIT, EXPLICIT):
                    for literal in (True, False):
                        known = "arguments literal" if literal else "arguments from attributes"
                        text = f"{describe(name, args, kwargs)}, {str(dtype).replace('torch.', '')}, {style}, {known}"
                        compare = _compare_replay if style == SKIP_INIT else _compare_explicit
                        try:
                            detail = compare(name, args, kwargs, dtype, literal, seed + 100 + index, modules)
                        except Exception as error:  # a recipe that cannot run is a failed check, not a crash
                            detail = f"{type(error).__name__}: {error}"
                        report.results.append(RecipeCheck(name, text, ok=detail is None, detail=detail or ""))
    return report


def describe(name: str, args: tuple, kwargs: dict) -> str:
    arguments = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(arguments)})"


def _compare(name: str, args: tuple, kwargs: dict, dtype, literal: bool, seed: int, recipe: Recipe) -> Optional[str]:
    """None when the recipe reproduces the constructor, else what differs."""
    import torch

    spec = LAYERS[name]
    cls = getattr(importlib.import_module(f"torch.nn.modules.{TORCH_MODULES[name]}"), name)
    literal_args = {**dict(zip(spec.signature, args)), **kwargs} if literal else None
    statements = recipe(spec, "layer", _NAMES, weight=True, bias=kwargs.get("bias", True), literal_args=literal_args)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-element weights warn, in both builds alike
        torch.manual_seed(seed)
        expected = cls(*args, **kwargs, dtype=dtype)
        expected_rng = torch.get_rng_state()

        torch.manual_seed(seed)
        layer = torch.nn.utils.skip_init(cls, *args, **kwargs, dtype=dtype)
        with torch.no_grad():
            for parameter in layer.parameters():
                # skip_init leaves freed memory, which may hold the bits of the layer built just before
                parameter.fill_(math.nan)
        namespace = {"init": torch.nn.init, "math": math, "layer": layer}
        exec(compile("\n".join(statements), f"<recipe for {name}>", "exec"), namespace)

    problems = []
    for parameter_name, value in expected.named_parameters():
        actual = getattr(layer, parameter_name)
        if not torch.equal(value, actual):
            difference = (value.double() - actual.double()).abs().max().item() if value.numel() else 0.0
            problems.append(f"{parameter_name} differs (max abs diff {difference:.3g})")
    if not torch.equal(torch.get_rng_state(), expected_rng):
        problems.append("the random generator ends in a different state (a different number of draws)")
    return "; ".join(problems) or None


def _module_class(name: str):
    return getattr(importlib.import_module(f"torch.nn.modules.{TORCH_MODULES[name]}"), name)


def _known_arguments(name: str, args: tuple, kwargs: dict, literal: bool) -> dict:
    spec = MODULES[name]
    return spec.bind({**dict(zip(spec.signature, args)), **kwargs}) if literal else {}


def _compare_replay(name: str, args: tuple, kwargs: dict, dtype, literal: bool, seed: int,
                    recipe: Recipe) -> Optional[str]:
    """skip-init: the constructor call the fixer writes, then the whole replay: None when bitwise the default."""
    import torch

    spec = MODULES[name]
    known = _known_arguments(name, args, kwargs, literal)
    statements = recipe(spec, "layer", _NAMES, style=SKIP_INIT, literal_args=known)
    cls = _module_class(name)
    call = skip_init_call(spec, "skip_init", "cls", ["*args", "**kwargs"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout with one layer, nested tensors: in both builds alike
        torch.manual_seed(seed)
        expected = cls(*args, **kwargs, dtype=dtype)
        expected_rng = torch.get_rng_state()

        torch.manual_seed(seed)
        layer = eval(call, {"skip_init": torch.nn.utils.skip_init, "cls": cls, "args": args,
                            "kwargs": {**kwargs, "dtype": dtype}})
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter.fill_(math.nan)  # skip_init leaves freed memory, which may hold a twin's bits
        exec(compile("\n".join(statements), f"<recipe for {name}>", "exec"),
             {"init": torch.nn.init, "math": math, "layer": layer})
    return _differences(expected, layer, expected_rng)


def _compare_explicit(name: str, args: tuple, kwargs: dict, dtype, literal: bool, seed: int,
                      recipe: Recipe) -> Optional[str]:
    """explicit: each parameter's recipe makes the constructor's last call on it, and touches nothing else."""
    import torch

    spec = MODULES[name]
    expected = constructor_last_calls(_module_class, name, args, kwargs, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(seed)
        layer = _module_class(name)(*args, **kwargs, dtype=dtype)
    problems = []
    for parameter_name, parameter in layer.named_parameters():
        statements = recipe(spec, "layer", _NAMES, style=EXPLICIT, params=[parameter_name],
                            literal_args=_known_arguments(name, args, kwargs, literal))
        with recorded_init_calls() as calls, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile("\n".join(statements), f"<recipe for {name}.{parameter_name}>", "exec"),
                 {"init": torch.nn.init, "math": math, "layer": layer})
        strangers = [t for t, _ in calls if t is not parameter and t._base is not parameter]
        made = last_calls(layer, calls)
        if strangers or set(made) != {parameter_name}:
            problems.append(f"{parameter_name}: the recipe writes other tensors")
        elif made[parameter_name] != expected.get(parameter_name):
            problems.append(f"{parameter_name}: {_call_text(made[parameter_name])} where torch makes "
                            f"{_call_text(expected.get(parameter_name))}")
    return "; ".join(problems) or None


def _call_text(call) -> str:
    if call is None:
        return "no call"
    function, arguments = call
    return f"{function}({', '.join(f'{k}={v}' for k, v in arguments)})"


def _differences(expected, actual, expected_rng) -> Optional[str]:
    import torch

    problems = []
    actual_parameters = dict(actual.named_parameters())
    for parameter_name, value in expected.named_parameters():
        got = actual_parameters.get(parameter_name)
        if got is None:
            problems.append(f"{parameter_name} is missing")
        elif not torch.equal(value, got):
            gap = (value.double() - got.double()).abs().nan_to_num(math.inf)
            difference = gap.max().item() if value.numel() else 0.0
            problems.append(f"{parameter_name} differs (max abs diff {difference:.3g})")
    if not torch.equal(torch.get_rng_state(), expected_rng):
        problems.append("the random generator ends in a different state (a different number of draws)")
    return "; ".join(problems) or None

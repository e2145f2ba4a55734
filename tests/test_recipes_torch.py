"""The default recipes, executed against the installed torch: bit-identical to the constructor's draws."""

from __future__ import annotations

import ast
import importlib
import math
import types
import warnings

import libcst
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn import init  # noqa: E402

from init_lint.catalogue import LAYERS, TORCH_MODULES  # noqa: E402
from init_lint.fixes.recipes import RecipeNames, default_recipe, literal_fan_in, recipe_free_names  # noqa: E402

# (class name, positional args, keyword args): every family, int and tuple kernels, groups, fan_in 0
CONFIGURATIONS = [
    ("Linear", (3, 4), {}),
    ("Linear", (7, 5), {"bias": False}),
    ("Linear", (0, 4), {}),
    ("Linear", (1, 1), {}),
    ("NonDynamicallyQuantizableLinear", (5, 3), {}),
    ("Conv1d", (4, 6, 3), {}),
    ("Conv1d", (4, 6, (5,)), {"groups": 2}),
    ("Conv2d", (3, 8, 3), {}),
    ("Conv2d", (4, 8, (3, 5)), {"groups": 4}),
    ("Conv2d", (6, 6, 1), {"groups": 6, "bias": False}),
    ("Conv2d", (0, 4, 3), {}),
    ("Conv3d", (2, 4, (1, 2, 3)), {}),
    ("Conv3d", (4, 4, 2), {"groups": 2}),
    ("ConvTranspose1d", (4, 6, 3), {"groups": 2}),
    ("ConvTranspose2d", (3, 8, (2, 3)), {}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2}),
    ("ConvTranspose2d", (3, 0, 3), {}),
    ("ConvTranspose3d", (2, 4, 2), {}),
    ("ConvTranspose3d", (4, 6, (1, 2, 3)), {"groups": 2, "bias": False}),
    ("Bilinear", (3, 5, 4), {}),
    ("Bilinear", (2, 3, 4), {"bias": False}),
]

# how a file may spell things, and how the layer may be reached
SPELLINGS = [
    (RecipeNames(init="nn.init"), "layer"),
    (RecipeNames(init="T.nn.init"), "self.fc"),
    (RecipeNames(init="init"), "self.net[0]"),
    (RecipeNames(init="torch.nn.init", math="_math", bound="b_", fan_in="fan_"), "m"),
]

DTYPES = [torch.float32, torch.float64]


def layer_class(name: str) -> type:
    return getattr(importlib.import_module(f"torch.nn.modules.{TORCH_MODULES[name]}"), name)


def config_id(configuration) -> str:
    name, args, kwargs = configuration
    return f"{name}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"


def literal_arguments(name: str, args: tuple, kwargs: dict) -> dict[str, object]:
    return {**dict(zip(LAYERS[name].signature, args)), **kwargs}


def namespace_with(layer_expression: str, layer) -> dict[str, object]:
    """Globals for exec in which `layer_expression` evaluates to `layer`, with every usual alias."""
    names: dict[str, object] = {"torch": torch, "T": torch, "nn": nn, "init": init, "math": math, "_math": math}
    if layer_expression == "self.fc":
        names["self"] = types.SimpleNamespace(fc=layer)
    elif layer_expression == "self.net[0]":
        names["self"] = types.SimpleNamespace(net=[layer])
    else:
        names[layer_expression] = layer
    return names


def uninitialized(name: str, args: tuple, kwargs: dict, dtype):
    """The layer as skip_init builds it, with NaN where skip_init leaves freed memory.

    Freed memory may hold the bits of an identical layer built a moment ago, which would let a recipe
    that forgets a parameter pass; NaN never equals anything.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the constructor still runs its init, on meta tensors
        layer = nn.utils.skip_init(layer_class(name), *args, **kwargs, dtype=dtype)
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.fill_(float("nan"))
    return layer


def default_constructed(name: str, args: tuple, kwargs: dict, dtype, seed: int):
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-element weights warn
        layer = layer_class(name)(*args, **kwargs, dtype=dtype)
    return layer, torch.get_rng_state()


def run_statements(statements: list[str], layer_expression: str, layer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile("\n".join(statements), "<recipe>", "exec"), namespace_with(layer_expression, layer))


def reference_weight_draw(layer) -> None:
    """torch 2.13's reset_parameters, weight half, copied by hand as an independent reference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(layer, nn.Bilinear):
            bound = 1 / math.sqrt(layer.weight.size(1))
            init.uniform_(layer.weight, -bound, bound)
        else:
            init.kaiming_uniform_(layer.weight, a=math.sqrt(5))


def reference_bias_draw(layer) -> None:
    if isinstance(layer, nn.Bilinear):
        bound = 1 / math.sqrt(layer.weight.size(1))
    else:
        fan_in, _ = init._calculate_fan_in_and_fan_out(layer.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    init.uniform_(layer.bias, -bound, bound)


def assert_same_layer(expected, actual) -> None:
    for parameter_name, value in expected.named_parameters():
        assert torch.equal(value, getattr(actual, parameter_name)), parameter_name
    assert dict(expected.named_parameters()).keys() == dict(actual.named_parameters()).keys()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("with_literals", [True, False], ids=["literal-args", "attribute-args"])
@pytest.mark.parametrize("index, configuration", list(enumerate(CONFIGURATIONS)), ids=[config_id(c) for c in CONFIGURATIONS])
def test_whole_recipe_reproduces_the_constructor(index, configuration, with_literals, dtype):
    name, args, kwargs = configuration
    names, layer_expression = SPELLINGS[index % len(SPELLINGS)]
    has_bias = kwargs.get("bias", True)
    literals = literal_arguments(name, args, kwargs) if with_literals else None
    statements = default_recipe(LAYERS[name], layer_expression, names, weight=True, bias=has_bias, literal_args=literals)

    seed = 1000 + index
    expected, rng_after_default = default_constructed(name, args, kwargs, dtype, seed)
    torch.manual_seed(seed)
    layer = uninitialized(name, args, kwargs, dtype)
    run_statements(statements, layer_expression, layer)

    assert_same_layer(expected, layer)
    assert torch.equal(torch.get_rng_state(), rng_after_default)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("with_literals", [True, False], ids=["literal-args", "attribute-args"])
@pytest.mark.parametrize("emitted", ["weight", "bias"])
@pytest.mark.parametrize(
    "index, configuration",
    [(i, c) for i, c in enumerate(CONFIGURATIONS) if c[2].get("bias", True)],
    ids=[config_id(c) for c in CONFIGURATIONS if c[2].get("bias", True)],
)
def test_partial_recipe_with_the_other_parameter_drawn_by_torch(index, configuration, emitted, with_literals, dtype):
    """Weight only or bias only: with the other parameter drawn by torch's own code in its place, the layer is
    the default one, so the statements draw exactly their parameter and nothing else."""
    name, args, kwargs = configuration
    names, layer_expression = SPELLINGS[(index + 1) % len(SPELLINGS)]
    literals = literal_arguments(name, args, kwargs) if with_literals else None
    statements = default_recipe(
        LAYERS[name], layer_expression, names, weight=emitted == "weight", bias=emitted == "bias", literal_args=literals
    )

    seed = 2000 + index
    expected, rng_after_default = default_constructed(name, args, kwargs, dtype, seed)
    torch.manual_seed(seed)
    layer = uninitialized(name, args, kwargs, dtype)
    if emitted == "weight":
        run_statements(statements, layer_expression, layer)
        reference_bias_draw(layer)
    else:
        reference_weight_draw(layer)
        run_statements(statements, layer_expression, layer)

    assert_same_layer(expected, layer)
    assert torch.equal(torch.get_rng_state(), rng_after_default)


def test_references_match_the_constructor():
    """The hand-written reference draws used above are themselves torch's default."""
    for index, (name, args, kwargs) in enumerate(CONFIGURATIONS):
        if not kwargs.get("bias", True):
            continue
        expected, _ = default_constructed(name, args, kwargs, torch.float64, index)
        torch.manual_seed(index)
        layer = uninitialized(name, args, kwargs, torch.float64)
        reference_weight_draw(layer)
        reference_bias_draw(layer)
        assert_same_layer(expected, layer)


def test_a_recipe_that_forgets_the_bias_is_caught():
    """The comparison above can fail: dropping the bias leaves NaN, and the RNG stream short."""
    expected, rng_after_default = default_constructed("Linear", (3, 4), {}, torch.float32, 0)
    torch.manual_seed(0)
    layer = uninitialized("Linear", (3, 4), {}, torch.float32)
    run_statements(default_recipe(LAYERS["Linear"], "layer", RecipeNames("nn.init"), weight=True, bias=False), "layer", layer)
    assert torch.equal(expected.weight, layer.weight)
    assert not torch.equal(expected.bias, layer.bias)
    assert not torch.equal(torch.get_rng_state(), rng_after_default)


@pytest.mark.parametrize("weight, bias", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("with_literals", [True, False])
@pytest.mark.parametrize("configuration", CONFIGURATIONS, ids=config_id)
@pytest.mark.parametrize("names, layer_expression", SPELLINGS, ids=[s[1] for s in SPELLINGS])
def test_statements_parse_and_use_only_the_given_names(names, layer_expression, configuration, with_literals, weight, bias):
    name, args, kwargs = configuration
    literals = literal_arguments(name, args, kwargs) if with_literals else None
    statements = default_recipe(LAYERS[name], layer_expression, names, weight=weight, bias=bias, literal_args=literals)
    assert statements
    allowed = {names.init.split(".")[0], names.math, names.bound, names.fan_in, layer_expression.split(".")[0].split("[")[0]}
    for statement in statements:
        libcst.parse_statement(statement)
        tree = ast.parse(statement)
        assert len(tree.body) == 1
        assert {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} <= allowed
    assert recipe_free_names(statements) <= allowed - {names.bound, names.fan_in}


def test_literal_bound_is_written_as_one_over_sqrt():
    spec = LAYERS["Conv2d"]
    statements = default_recipe(
        spec, "self.conv", RecipeNames("nn.init"), weight=True, bias=True,
        literal_args={"in_channels": 4, "out_channels": 8, "kernel_size": (3, 5), "groups": 2},
    )
    assert statements == [
        "nn.init.kaiming_uniform_(self.conv.weight, a=math.sqrt(5))",
        "bound = 1 / math.sqrt(30)",
        "nn.init.uniform_(self.conv.bias, -bound, bound)",
    ]


def test_unknown_fan_in_reads_the_layer_attributes():
    statements = default_recipe(LAYERS["ConvTranspose2d"], "self.up", RecipeNames("nn.init"), weight=False, bias=True)
    assert statements == [
        "fan_in = self.up.out_channels // self.up.groups * math.prod(self.up.kernel_size)",
        "bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0",
        "nn.init.uniform_(self.up.bias, -bound, bound)",
    ]
    linear = default_recipe(LAYERS["Linear"], "self.fc", RecipeNames("init"), weight=False, bias=True, literal_args={"out_features": 3})
    assert linear[0] == "fan_in = self.fc.in_features"


def test_partly_literal_arguments_fall_back_to_attributes():
    spec = LAYERS["Conv2d"]
    assert literal_fan_in(spec, {"in_channels": 3, "kernel_size": [3, 3]}) == 27
    assert literal_fan_in(spec, {"in_channels": 3}) is None
    assert literal_fan_in(spec, {"in_channels": True, "kernel_size": 3}) is None


def test_a_layer_expression_that_is_not_primary_is_parenthesized():
    statements = default_recipe(LAYERS["Linear"], "a or b", RecipeNames("nn.init"), weight=True, bias=False)
    assert statements == ["nn.init.kaiming_uniform_((a or b).weight, a=math.sqrt(5))"]


def test_nothing_asked_gives_nothing():
    assert default_recipe(LAYERS["Linear"], "m", RecipeNames("init"), weight=False, bias=False) == []


@pytest.mark.parametrize("name", [n for n, spec in LAYERS.items() if spec.lazy])
def test_lazy_layers_have_no_recipe(name):
    with pytest.raises(ValueError, match="first call"):
        default_recipe(LAYERS[name], "m", RecipeNames("init"), weight=True, bias=True)


def test_bilinear_with_no_inputs_has_no_recipe_because_torch_refuses_it():
    with pytest.raises(ValueError):
        nn.Bilinear(0, 3, 4)
    with pytest.raises(ValueError):
        default_recipe(LAYERS["Bilinear"], "m", RecipeNames("init"), weight=True, bias=True, literal_args={"in1_features": 0})


# Documented facts the recipes rely on.  They assert the difference, so a torch release that removes
# it shows up here and the recipes may be simplified.


def test_fact_uniform_simplification_differs_from_kaiming_in_float64():
    fan_in = 3
    torch.manual_seed(0)
    kaiming = init.kaiming_uniform_(torch.empty(4, fan_in, dtype=torch.float64), a=math.sqrt(5))
    torch.manual_seed(0)
    bound = 1 / math.sqrt(fan_in)
    simplified = init.uniform_(torch.empty(4, fan_in, dtype=torch.float64), -bound, bound)
    assert not torch.equal(kaiming, simplified)
    assert torch.allclose(kaiming, simplified)  # same distribution, different rounding


def test_fact_power_and_sqrt_of_reciprocal_round_differently_from_one_over_sqrt():
    n = 3
    assert n**-0.5 != 1 / math.sqrt(n)
    assert math.sqrt(1 / n) != 1 / math.sqrt(n)
    torch.manual_seed(0)
    exact = init.uniform_(torch.empty(8, dtype=torch.float64), -1 / math.sqrt(n), 1 / math.sqrt(n))
    torch.manual_seed(0)
    power = init.uniform_(torch.empty(8, dtype=torch.float64), -(n**-0.5), n**-0.5)
    assert not torch.equal(exact, power)


def test_fact_a_zero_width_uniform_still_advances_the_generator():
    """Why the bias of Linear(0, n) is drawn, not skipped."""
    before = torch.get_rng_state()
    init.uniform_(torch.empty(4), 0, 0)
    assert not torch.equal(before, torch.get_rng_state())


def test_fact_kaiming_on_a_zero_element_weight_draws_nothing():
    before = torch.get_rng_state()
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(torch.empty(4, 0), a=math.sqrt(5))
    assert torch.equal(before, torch.get_rng_state())

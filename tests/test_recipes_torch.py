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


# ---------------------------------------------------------------- every module type: both styles, from the catalogue


from init_lint.catalogue import MODULES, UNKNOWN_ARG, parameters  # noqa: E402
from init_lint.fixes.recipes import (  # noqa: E402
    EXPLICIT,
    SKIP_INIT,
    NoRecipe,
    module_recipe,
    parameter_names,
    skip_init_call,
)

# (class name, positional args, keyword args): every option that changes which parameters exist or how
# they are drawn, for every module type with a recipe
MODULE_CONFIGURATIONS = [
    ("Linear", (3, 4), {}),
    ("Linear", (0, 4), {}),
    ("Linear", (5, 2), {"bias": False}),
    ("NonDynamicallyQuantizableLinear", (5, 3), {}),
    ("Bilinear", (3, 5, 4), {}),
    ("Bilinear", (2, 3, 4), {"bias": False}),
    ("Conv1d", (4, 6, 3), {}),
    ("Conv2d", (4, 8, (3, 5)), {"groups": 4}),
    ("Conv3d", (2, 4, (1, 2, 3)), {"bias": False}),
    ("ConvTranspose1d", (4, 6, 3), {"groups": 2}),
    ("ConvTranspose2d", (3, 8, (2, 3)), {}),
    ("ConvTranspose3d", (4, 6, (1, 2, 3)), {"groups": 2, "bias": False}),
    ("Embedding", (10, 4), {}),
    ("Embedding", (10, 4), {"padding_idx": 0}),
    ("Embedding", (10, 4), {"padding_idx": -1}),
    ("Embedding", (7, 3), {"padding_idx": 2, "max_norm": 1.0}),
    ("Embedding", (7, 3), {"sparse": True, "scale_grad_by_freq": True}),
    ("EmbeddingBag", (10, 4), {}),
    ("EmbeddingBag", (10, 4), {"mode": "sum", "padding_idx": 3}),
    ("EmbeddingBag", (6, 2), {"max_norm": 2.0, "sparse": True, "padding_idx": -2}),
    ("RNN", (3, 5), {}),
    ("RNN", (3, 5, 2), {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", (3, 5), {"num_layers": 3, "bias": False, "batch_first": True}),
    ("LSTM", (3, 5), {}),
    ("LSTM", (3, 6), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("LSTM", (3, 6), {"num_layers": 3, "proj_size": 4, "bias": False}),
    ("LSTM", (4, 6, 2, False, True), {}),
    ("LSTM", (4, 6), {"bidirectional": True, "batch_first": True}),
    ("GRU", (3, 5), {}),
    ("GRU", (3, 5), {"num_layers": 2, "bidirectional": True, "dropout": 0.5}),
    ("GRU", (3, 5), {"bias": False, "batch_first": True}),
    ("RNNCell", (3, 5), {}),
    ("RNNCell", (3, 5), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (3, 5), {}),
    ("LSTMCell", (3, 5), {"bias": False}),
    ("GRUCell", (3, 5), {}),
    ("GRUCell", (4, 2), {"bias": False}),
    ("MultiheadAttention", (8, 2), {}),
    ("MultiheadAttention", (8, 2), {"bias": False}),
    ("MultiheadAttention", (8, 4), {"add_bias_kv": True}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True, "bias": False}),
    ("MultiheadAttention", (8, 2), {"kdim": 8, "vdim": 8, "batch_first": True}),
    ("MultiheadAttention", (6, 3), {"vdim": 4, "add_zero_attn": True}),
    ("LayerNorm", (5,), {}),
    ("LayerNorm", ((2, 3),), {"bias": False}),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("TransformerEncoderLayer", (8, 2), {"dim_feedforward": 12, "bias": False, "norm_first": True}),
    ("TransformerDecoderLayer", (8, 2, 16), {}),
    ("TransformerDecoderLayer", (6, 3, 10), {"bias": False, "batch_first": True}),
    ("Transformer", (8, 2, 2, 1, 16), {}),
    ("Transformer", (8, 2, 1, 2, 12), {"bias": False}),
    ("Transformer", (4, 1, 1, 1, 4), {"norm_first": True}),
]

MODULE_SPELLINGS = [
    (RecipeNames(init="nn.init"), "layer"),
    (RecipeNames(init="init", parameter="weight", clone="copy"), "self.net[0]"),
    (RecipeNames(init="torch.nn.init", math="_math", bound="b_", fan_in="fan_", parameter="p_", clone="c_"), "m"),
]


def module_arguments(name: str, args: tuple, kwargs: dict, known: bool) -> dict:
    """What a fixer knows: every argument with the defaults filled, or (attribute style) nothing."""
    spec = MODULES[name]
    return spec.bind({**dict(zip(spec.signature, args)), **kwargs}) if known else {}


def default_module(name: str, args: tuple, kwargs: dict, dtype, seed: int):
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = layer_class(name)(*args, **kwargs, dtype=dtype)
    return module, torch.get_rng_state()


def skip_init_module(name: str, args: tuple, kwargs: dict, dtype):
    """Built by the constructor call the skip-init style writes (skip_init, or meta then to_empty), NaN-filled."""
    call = skip_init_call(MODULES[name], "skip_init", "cls", ["*args"], None)
    namespace = {"skip_init": nn.utils.skip_init, "cls": layer_class(name), "args": args}
    call = call.replace(")", ", **kwargs)", 1) if MODULES[name].skip_init_refused is None else \
        call.replace("*args,", "*args, **kwargs,", 1)
    namespace["kwargs"] = {**kwargs, "dtype": dtype}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = eval(call, namespace)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.fill_(float("nan"))
    return module


def assert_same_module(expected, actual) -> None:
    expected_parameters = dict(expected.named_parameters())
    assert expected_parameters.keys() == dict(actual.named_parameters()).keys()
    for parameter_name, value in expected_parameters.items():
        got = actual.get_parameter(parameter_name)
        assert value.dtype == got.dtype and torch.equal(value, got), parameter_name


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("known", [True, False], ids=["literal-args", "attribute-args"])
@pytest.mark.parametrize("index, configuration", list(enumerate(MODULE_CONFIGURATIONS)),
                         ids=[config_id(c) for c in MODULE_CONFIGURATIONS])
def test_skip_init_replay_reproduces_the_default_constructor_bitwise(index, configuration, known, dtype):
    name, args, kwargs = configuration
    names, layer_expression = MODULE_SPELLINGS[index % len(MODULE_SPELLINGS)]
    statements = module_recipe(MODULES[name], layer_expression, names, style=SKIP_INIT,
                               literal_args=module_arguments(name, args, kwargs, known))
    seed = 3000 + index
    expected, rng_after_default = default_module(name, args, kwargs, dtype, seed)
    torch.manual_seed(seed)
    module = skip_init_module(name, args, kwargs, dtype)
    run_statements(statements, layer_expression, module)

    assert_same_module(expected, module)
    assert torch.equal(torch.get_rng_state(), rng_after_default)


def test_a_replay_that_skips_the_zeroed_out_proj_draws_is_caught():
    """MultiheadAttention zeroes out_proj.bias after drawing it: leaving the draw out keeps the values of
    out_proj.bias but shifts every later draw (and the generator)."""
    statements = module_recipe(MODULES["MultiheadAttention"], "m", RecipeNames("init"), style=SKIP_INIT,
                               literal_args=module_arguments("MultiheadAttention", (8, 2), {}, True))
    drawn_then_zeroed = [s for s in statements if s.startswith("init.uniform_(m.out_proj.bias")]
    assert len(drawn_then_zeroed) == 1
    shortened = [s for s in statements if s not in drawn_then_zeroed]
    expected, rng_after_default = default_module("MultiheadAttention", (8, 2), {}, torch.float32, 0)
    torch.manual_seed(0)
    module = skip_init_module("MultiheadAttention", (8, 2), {}, torch.float32)
    run_statements(shortened, "m", module)
    assert torch.equal(expected.out_proj.weight, module.out_proj.weight)
    assert torch.equal(expected.out_proj.bias, module.out_proj.bias)
    assert not torch.equal(expected.in_proj_weight, module.in_proj_weight)
    assert not torch.equal(torch.get_rng_state(), rng_after_default)


# ---- explicit: the recipe's call on each parameter is the constructor's last call on it

# The recorder `init-lint verify` uses for the explicit style (one implementation, tested here too):
# every torch.nn.init call made inside, as (tensor, (function, arguments)) with arguments bitwise.
from init_lint.verify.recorded import recorded_init_calls  # noqa: E402


def last_calls(module, calls) -> dict:
    """The last init call on each parameter (a view of a parameter counts for it only if it is whole)."""
    names = {id(p): n for n, p in module.named_parameters()}
    last: dict = {}
    for tensor, call in calls:
        if id(tensor) in names:
            last[names[id(tensor)]] = call
    return last


def constructor_last_calls(name: str, args: tuple, kwargs: dict, dtype) -> dict:
    """What the constructor does last to each parameter.  Transformer's layers are deep copies of a layer
    built inside its constructor: their calls are read off the same layer built alone."""
    with recorded_init_calls() as calls, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = layer_class(name)(*args, **kwargs, dtype=dtype)
    last = last_calls(module, calls)
    if name == "Transformer":
        arguments = module_arguments(name, args, kwargs, True)
        layer_arguments = {k: arguments[k] for k in MODULES["TransformerEncoderLayer"].signature}
        layer_arguments.pop("activation")
        for side, layer_name in (("encoder", "TransformerEncoderLayer"), ("decoder", "TransformerDecoderLayer")):
            alone = constructor_last_calls(layer_name, (), {**layer_arguments}, dtype)
            for index in range(len(getattr(module, side).layers)):
                for parameter_name, call in alone.items():
                    last.setdefault(f"{side}.layers.{index}.{parameter_name}", call)
            norm = getattr(module, side).norm
            last[f"{side}.norm.weight"] = ("constant_", (("val", 1.0.hex()),))
            if norm.bias is not None:
                last[f"{side}.norm.bias"] = ("constant_", (("val", 0.0.hex()),))
    return last


@pytest.mark.parametrize("known", [True, False], ids=["literal-args", "attribute-args"])
@pytest.mark.parametrize("index, configuration", list(enumerate(MODULE_CONFIGURATIONS)),
                         ids=[config_id(c) for c in MODULE_CONFIGURATIONS])
def test_explicit_recipe_makes_the_constructors_last_call_on_each_parameter(index, configuration, known):
    name, args, kwargs = configuration
    names, layer_expression = MODULE_SPELLINGS[(index + 1) % len(MODULE_SPELLINGS)]
    dtype = DTYPES[index % 2]
    expected = constructor_last_calls(name, args, kwargs, dtype)
    module, _ = default_module(name, args, kwargs, dtype, index)
    arguments = module_arguments(name, args, kwargs, known)
    for parameter_name, _ in module.named_parameters():
        statements = module_recipe(MODULES[name], layer_expression, names, style=EXPLICIT, params=[parameter_name],
                                   literal_args=arguments)
        with recorded_init_calls() as calls:
            run_statements(statements, layer_expression, module)
        made = [(t, call) for t, call in calls if t is not module.get_parameter(parameter_name)]
        assert all(t._base is module.get_parameter(parameter_name) for t, _ in made), "touches another tensor"
        assert last_calls(module, calls) == {parameter_name: expected[parameter_name]}, parameter_name


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("index, configuration", list(enumerate(MODULE_CONFIGURATIONS)),
                         ids=[config_id(c) for c in MODULE_CONFIGURATIONS])
def test_explicit_recipe_of_one_parameter_draws_exactly_its_own_values(index, configuration, dtype):
    """Bitwise: under one seed, the explicit recipe of a parameter gives the values of the constructor's last
    call repeated on it, and consumes the same random numbers."""
    name, args, kwargs = configuration
    module, _ = default_module(name, args, kwargs, dtype, index)
    expected_calls = constructor_last_calls(name, args, kwargs, dtype)
    for parameter_name, parameter in module.named_parameters():
        function, key = expected_calls[parameter_name]
        reference = parameter.detach().clone()
        torch.manual_seed(index)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(init, function)(reference, **{k: float.fromhex(v) if v.startswith(("0x", "-0x")) else eval(v)
                                                  for k, v in key})
        rng_after_reference = torch.get_rng_state()
        statements = module_recipe(MODULES[name], "m", RecipeNames("init"), style=EXPLICIT, params=[parameter_name],
                                   literal_args=module_arguments(name, args, kwargs, True))
        torch.manual_seed(index)
        run_statements(statements, "m", module)
        if name.startswith("Embedding") and kwargs.get("padding_idx") is not None:
            reference[kwargs["padding_idx"]] = 0
        assert torch.equal(reference, parameter), parameter_name
        assert torch.equal(rng_after_reference, torch.get_rng_state()), parameter_name


RECURRENT_CONFIGURATIONS = [c for c in MODULE_CONFIGURATIONS
                            if c[0] in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell")]


@pytest.mark.parametrize("configuration", RECURRENT_CONFIGURATIONS, ids=config_id)
def test_explicit_recipes_of_every_recurrent_parameter_in_order_are_the_constructor(configuration):
    name, args, kwargs = configuration
    """Recurrent modules draw nothing but these uniforms: the per-parameter recipes in `parameters()` order
    rebuild the default module bit for bit."""
    arguments = module_arguments(name, args, kwargs, True)
    statements = module_recipe(MODULES[name], "m", RecipeNames("init"), style=EXPLICIT,
                               params=parameter_names(MODULES[name], arguments), literal_args=arguments)
    expected, rng_after_default = default_module(name, args, kwargs, torch.float64, 7)
    torch.manual_seed(7)
    module = skip_init_module(name, args, kwargs, torch.float64)
    run_statements(statements, "m", module)
    assert_same_module(expected, module)
    assert torch.equal(torch.get_rng_state(), rng_after_default)


@pytest.mark.parametrize("style", [EXPLICIT, SKIP_INIT])
@pytest.mark.parametrize("known", [True, False], ids=["literal-args", "attribute-args"])
@pytest.mark.parametrize("configuration", MODULE_CONFIGURATIONS, ids=config_id)
@pytest.mark.parametrize("names, layer_expression", MODULE_SPELLINGS, ids=[s[1] for s in MODULE_SPELLINGS])
def test_module_recipes_parse_and_use_only_the_given_names(names, layer_expression, configuration, known, style):
    name, args, kwargs = configuration
    statements = module_recipe(MODULES[name], layer_expression, names, style=style,
                               literal_args=module_arguments(name, args, kwargs, known))
    assert statements
    libcst.parse_module("\n".join(statements) + "\n")
    tree = ast.parse("\n".join(statements))
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    allowed = {names.init.split(".")[0], names.math, names.bound, names.fan_in, names.parameter, names.clone,
               layer_expression.split(".")[0].split("[")[0]}
    assert used <= allowed
    assert recipe_free_names(statements) <= allowed - {names.bound, names.fan_in, names.parameter, names.clone}


def test_recipe_text_for_an_lstm_an_attention_and_an_embedding():
    names = RecipeNames("nn.init")
    lstm = module_recipe(MODULES["LSTM"], "self.rnn", names, style=SKIP_INIT,
                         literal_args=module_arguments("LSTM", (3, 16), {"num_layers": 2}, True))
    assert lstm == [
        "bound = 1 / math.sqrt(16)",
        "for p in self.rnn.parameters():",
        "    nn.init.uniform_(p, -bound, bound)",
    ]
    explicit = module_recipe(MODULES["LSTM"], "self.rnn", names, style=EXPLICIT,
                             params=["weight_hh_l1", "bias_hh_l1"], literal_args={"hidden_size": 16})
    assert explicit == [
        "bound = 1 / math.sqrt(16)",
        "nn.init.uniform_(self.rnn.weight_hh_l1, -bound, bound)",
        "nn.init.uniform_(self.rnn.bias_hh_l1, -bound, bound)",
    ]
    attention = module_recipe(MODULES["MultiheadAttention"], "self.attn", names, style=SKIP_INIT,
                              literal_args=module_arguments("MultiheadAttention", (8, 2), {"kdim": 4}, True))
    assert attention == [
        "nn.init.kaiming_uniform_(self.attn.out_proj.weight, a=math.sqrt(5))",
        "bound = 1 / math.sqrt(8)",
        "nn.init.uniform_(self.attn.out_proj.bias, -bound, bound)",
        "nn.init.xavier_uniform_(self.attn.q_proj_weight)",
        "nn.init.xavier_uniform_(self.attn.k_proj_weight)",
        "nn.init.xavier_uniform_(self.attn.v_proj_weight)",
        "nn.init.zeros_(self.attn.in_proj_bias)",
        "nn.init.zeros_(self.attn.out_proj.bias)",
    ]
    assert module_recipe(MODULES["MultiheadAttention"], "self.attn", names, style=EXPLICIT,
                         params=["out_proj.bias", "out_proj.weight"], literal_args={}) == [
        "nn.init.zeros_(self.attn.out_proj.bias)",
        "nn.init.kaiming_uniform_(self.attn.out_proj.weight, a=math.sqrt(5))",
    ]
    embedding = module_recipe(MODULES["Embedding"], "self.tok", names, style=SKIP_INIT,
                              literal_args=module_arguments("Embedding", (100, 16), {"padding_idx": 0}, True))
    assert embedding == ["nn.init.normal_(self.tok.weight)", "nn.init.zeros_(self.tok.weight[0])"]
    assert module_recipe(MODULES["Embedding"], "self.tok", names, style=EXPLICIT, params=["weight"],
                         literal_args=module_arguments("Embedding", (100, 16), {}, True)) == \
        ["nn.init.normal_(self.tok.weight)"]


def test_unknown_options_become_guards_and_known_ones_do_not():
    names = RecipeNames("init")
    spec = MODULES["MultiheadAttention"]
    guarded = module_recipe(spec, "a", names, style=SKIP_INIT, literal_args=spec.bind(
        {"embed_dim": 8, "num_heads": 2, "bias": UNKNOWN_ARG}))
    assert "if a.in_proj_bias is not None:" in guarded and "if a.in_proj_weight is not None:" not in guarded
    embedding = MODULES["Embedding"]
    assert module_recipe(embedding, "e", names, style=SKIP_INIT, literal_args=embedding.bind(
        {"num_embeddings": 5, "embedding_dim": 2, "padding_idx": UNKNOWN_ARG})) == [
        "init.normal_(e.weight)",
        "if e.padding_idx is not None:",
        "    init.zeros_(e.weight[e.padding_idx])",
    ]


@pytest.mark.parametrize(
    "name, written, reason",
    [
        ("Transformer", {"num_encoder_layers": 0}, "does not keep"),
        ("Transformer", {"custom_encoder": UNKNOWN_ARG}, "custom_encoder"),
        ("Embedding", {"num_embeddings": 3, "embedding_dim": 2, "_weight": UNKNOWN_ARG}, "_weight"),
        ("Embedding", {"num_embeddings": 3, "embedding_dim": 2, "padding_idx": 3}, "raises"),
        ("LSTM", {"input_size": 3, "hidden_size": 4, "proj_size": 4}, "raises"),
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 3}, "raises"),
        ("LazyLinear", {"out_features": 3}, "first call"),
    ],
)
def test_no_recipe_says_why(name, written, reason):
    spec = MODULES[name]
    for style in (EXPLICIT, SKIP_INIT):
        with pytest.raises(NoRecipe, match=reason):
            module_recipe(spec, "m", RecipeNames("init"), style=style, literal_args=spec.bind(written))


def test_explicit_recipe_of_a_parameter_the_module_lacks_is_refused():
    with pytest.raises(NoRecipe, match="no parameter"):
        module_recipe(MODULES["MultiheadAttention"], "m", RecipeNames("init"), style=EXPLICIT, params=["weight"])


def test_skip_init_call_text():
    assert skip_init_call(MODULES["Embedding"], "skip_init", "nn.Embedding", ["10", "4"]) == \
        "skip_init(nn.Embedding, 10, 4)"
    assert skip_init_call(MODULES["Linear"], "skip_init", "nn.Linear", ["3", "4"], device="dev") == \
        "skip_init(nn.Linear, 3, 4, device=dev)"
    assert skip_init_call(MODULES["LSTM"], "skip_init", "nn.LSTM", ["3", "4"]) == \
        'nn.LSTM(3, 4, device="meta").to_empty(device="cpu")'
    assert skip_init_call(MODULES["GRU"], "skip_init", "nn.GRU", ["3", "4"], device="dev") == \
        'nn.GRU(3, 4, device="meta").to_empty(device=dev)'


def test_fact_skip_init_refuses_recurrent_modules():
    with pytest.raises(RuntimeError, match="device"):
        nn.utils.skip_init(nn.LSTM, 3, 4)


def test_fact_meta_construction_draws_nothing():
    before = torch.get_rng_state()
    nn.LSTM(3, 4, device="meta").to_empty(device="cpu")
    nn.Transformer(8, 2, 1, 1, 8, device="meta")
    assert torch.equal(before, torch.get_rng_state())


def test_fact_transformer_layers_are_copies_of_one_drawn_layer():
    """Why the replay draws into the first layer and copies it: torch deep-copies one built layer."""
    torch.manual_seed(0)
    model = nn.Transformer(8, 2, 3, 1, 8)
    first, third = model.encoder.layers[0], model.encoder.layers[2]
    assert torch.equal(first.linear1.bias, third.linear1.bias)
    assert not torch.equal(first.linear1.weight, third.linear1.weight)  # redrawn by xavier_uniform_


def test_every_module_with_parameters_has_recipe_configurations():
    tested = {name for name, _, _ in MODULE_CONFIGURATIONS}
    assert tested == {name for name, spec in MODULES.items() if not spec.lazy}
    assert parameters(MODULES["Transformer"], module_arguments("Transformer", (8, 2, 2, 1, 16), {}, True))


def test_a_written_groups_whose_value_is_unknown_reads_fan_in_from_the_layer():
    """`Conv2d(4, 8, 3, groups=g)`: fan_in is 4 // g * 9, not 36."""
    literal = {"in_channels": 4, "out_channels": 8, "kernel_size": 3, "groups": UNKNOWN_ARG}
    statements = default_recipe(LAYERS["Conv2d"], "m", RecipeNames("init"), weight=False, bias=True,
                                literal_args=literal)
    assert statements[0] == "fan_in = m.in_channels // m.groups * math.prod(m.kernel_size)"
    expected, rng_after_default = default_constructed("Conv2d", (4, 8, 3), {"groups": 2}, torch.float64, 5)
    torch.manual_seed(5)
    layer = uninitialized("Conv2d", (4, 8, 3), {"groups": 2}, torch.float64)
    reference_weight_draw(layer)
    run_statements(statements, "m", layer)
    assert_same_layer(expected, layer)
    assert torch.equal(torch.get_rng_state(), rng_after_default)


# ---- explicit: options whose value the fixer does not know (`bias=b`, `proj_size=p`, `kdim=k`)

# (class, positional args, common keywords, options with which some parameters are missing, options with all)
UNKNOWN_OPTIONS = [
    ("LSTM", (3, 6), {"num_layers": 2, "bidirectional": True}, {"bias": False, "proj_size": 0},
     {"bias": True, "proj_size": 2}),
    ("LSTM", (4, 5), {}, {"proj_size": 0}, {"proj_size": 3}),
    ("GRU", (3, 5), {"num_layers": 2}, {"bias": False}, {"bias": True}),
    ("RNN", (3, 5), {"nonlinearity": "relu"}, {"bias": False}, {"bias": True}),
    ("LSTMCell", (3, 5), {}, {"bias": False}, {"bias": True}),
    ("GRUCell", (4, 2), {}, {"bias": False}, {"bias": True}),
    ("MultiheadAttention", (8, 2), {}, {"bias": False, "kdim": 3}, {"bias": True, "kdim": None}),
    ("TransformerEncoderLayer", (8, 2, 16), {}, {"bias": False}, {"bias": True}),
    ("TransformerDecoderLayer", (6, 3, 10), {}, {"bias": False}, {"bias": True}),
    ("Transformer", (8, 2, 1, 2, 12), {}, {"bias": False}, {"bias": True}),
]


@pytest.mark.parametrize("name, args, common, lacking, full", UNKNOWN_OPTIONS,
                         ids=[f"{c[0]}-{'-'.join(c[3])}" for c in UNKNOWN_OPTIONS])
def test_explicit_recipe_guards_the_parameters_an_unknown_option_may_remove(name, args, common, lacking, full):
    """The recipe of every parameter either build may have, with the deciding options unknown: on each build
    it runs, and its last call on every parameter that exists is the constructor's (a recurrent stack
    registers no attribute for a missing `bias_ih_l0`, a cell or a Linear registers None)."""
    spec = MODULES[name]
    arguments = module_arguments(name, args, {**common, **{k: UNKNOWN_ARG for k in full}}, True)
    wanted: list = []
    for options in (full, lacking):
        module, _ = default_module(name, args, {**common, **options}, torch.float64, 0)
        wanted += [n for n, _ in module.named_parameters() if n not in wanted]
    statements = module_recipe(spec, "m", RecipeNames("init"), style=EXPLICIT, params=wanted, literal_args=arguments,
                               guard_unknown=True)
    for options in (lacking, full):
        expected = constructor_last_calls(name, args, {**common, **options}, torch.float64)
        module, _ = default_module(name, args, {**common, **options}, torch.float64, 1)
        with recorded_init_calls() as calls:
            run_statements(statements, "m", module)
        assert last_calls(module, calls) == expected, options
        if spec.family in ("recurrent", "recurrent_cell"):
            # every parameter, in `parameters()` order: the constructor, bit for bit
            rebuilt, rng_after_default = default_module(name, args, {**common, **options}, torch.float64, 2)
            torch.manual_seed(2)
            module = skip_init_module(name, args, {**common, **options}, torch.float64)
            run_statements(statements, "m", module)
            assert_same_module(rebuilt, module)
            assert torch.equal(torch.get_rng_state(), rng_after_default)


def test_fact_skip_init_with_device_none_leaves_the_module_on_the_meta_device():
    """Why the skip-init fix never hands skip_init (or `to_empty`) a `device=` that may be None: torch moves
    the module to `kwargs.pop("device", "cpu")`, and `to_empty(device=None)` keeps the meta tensors; and why a
    `**` spread is refused: the meta build would give `device` twice."""
    assert nn.utils.skip_init(nn.Linear, 3, 4, device=None).weight.is_meta
    assert nn.utils.skip_init(nn.Embedding, 5, 2, device=None).weight.is_meta
    assert nn.LSTM(3, 4, device="meta").to_empty(device=None).weight_ih_l0.is_meta
    device = None
    built = nn.utils.skip_init(nn.Linear, 3, 4, device=device if device is not None else "cpu")
    assert built.weight.device == torch.device("cpu")
    with pytest.raises(TypeError, match="multiple values"):
        nn.LSTM(3, 4, **{"device": None}, device="meta")

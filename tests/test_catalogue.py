"""The layer catalogue against the installed torch: signatures, class hierarchy, fan_in, names."""

from __future__ import annotations

import importlib
import inspect

import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from init_lint.catalogue import (  # noqa: E402
    BILINEAR,
    CONV,
    CONV_TRANSPOSE,
    LAYERS,
    TORCH_BASES,
    TORCH_MODULES,
    fan_in,
    isinstance_covers,
    kernel_volume,
    lookup_torch_class,
)

CATALOGUE_NAMES = sorted({*LAYERS, *TORCH_BASES})


def torch_class(name: str) -> type:
    home = TORCH_MODULES.get(name) or TORCH_BASES[name]
    return getattr(importlib.import_module(f"torch.nn.modules.{home}"), name)


def resolve(qualified_name: str) -> object:
    """What `qualified_name` is in the installed torch, or None."""
    obj: object = torch
    for part in qualified_name.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


@pytest.mark.parametrize("name", CATALOGUE_NAMES)
def test_home_module_is_where_torch_defines_the_class(name):
    home = TORCH_MODULES.get(name) or TORCH_BASES[name]
    assert torch_class(name).__module__ == f"torch.nn.modules.{home}"


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_signature_matches_torch(name):
    parameters = inspect.signature(torch_class(name)).parameters
    assert LAYERS[name].signature == tuple(p for p in parameters if p not in ("self", "device", "dtype"))


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_mro_matches_torch(name):
    mro = torch_class(name).__mro__
    assert LAYERS[name].mro == tuple(k.__name__ for k in mro if k.__module__.startswith("torch.nn"))


@pytest.mark.parametrize("layer", sorted(LAYERS))
@pytest.mark.parametrize("base", CATALOGUE_NAMES)
def test_isinstance_covers_matches_issubclass(layer, base):
    assert isinstance_covers(LAYERS[layer], base) == issubclass(torch_class(layer), torch_class(base))


def torch_fan_in(layer) -> int:
    if isinstance(layer, torch.nn.Bilinear):
        return layer.weight.size(1)  # what Bilinear.reset_parameters uses
    return torch.nn.init._calculate_fan_in_and_fan_out(layer.weight)[0]


@st.composite
def conv_configurations(draw):
    dims = draw(st.sampled_from([1, 2, 3]))
    transposed = draw(st.booleans())
    groups = draw(st.integers(1, 4))
    in_channels = groups * draw(st.integers(1, 3))
    out_channels = groups * draw(st.integers(1, 3))
    if draw(st.booleans()):
        kernel = draw(st.integers(1, 4))
    else:
        kernel = tuple(draw(st.lists(st.integers(1, 4), min_size=dims, max_size=dims)))
    name = f"ConvTranspose{dims}d" if transposed else f"Conv{dims}d"
    kwargs = {"in_channels": in_channels, "out_channels": out_channels, "kernel_size": kernel}
    if groups != 1 or draw(st.booleans()):
        kwargs["groups"] = groups
    return name, kwargs


@settings(max_examples=300, deadline=None)
@given(conv_configurations())
def test_conv_fan_in_matches_torch(configuration):
    name, kwargs = configuration
    layer = torch_class(name)(**kwargs, device="meta")
    assert fan_in(LAYERS[name], kwargs) == torch_fan_in(layer)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Linear", {"in_features": 3, "out_features": 4}),
        ("Linear", {"in_features": 0, "out_features": 4}),
        ("NonDynamicallyQuantizableLinear", {"in_features": 7, "out_features": 2}),
        ("Bilinear", {"in1_features": 3, "in2_features": 5, "out_features": 2}),
        ("Bilinear", {"in1_features": 1, "in2_features": 1, "out_features": 1}),
        ("Conv2d", {"in_channels": 0, "out_channels": 4, "kernel_size": 3}),
        ("ConvTranspose2d", {"in_channels": 3, "out_channels": 0, "kernel_size": 3}),
        ("ConvTranspose3d", {"in_channels": 6, "out_channels": 4, "kernel_size": (1, 2, 3), "groups": 2}),
    ],
)
def test_fan_in_matches_torch(name, kwargs):
    layer = torch_class(name)(**kwargs, device="meta")
    assert fan_in(LAYERS[name], kwargs) == torch_fan_in(layer)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Linear", {"out_features": 4}),
        ("Conv2d", {"in_channels": 3, "out_channels": 4}),
        ("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": (3,)}),
        ("Conv2d", {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "groups": 0}),
        ("ConvTranspose1d", {"in_channels": 3, "kernel_size": 3}),
        ("LazyLinear", {"out_features": 4}),
        ("LazyConv2d", {"out_channels": 4, "kernel_size": 3}),
    ],
)
def test_fan_in_is_unknown_without_its_arguments(name, kwargs):
    assert fan_in(LAYERS[name], kwargs) is None


@pytest.mark.parametrize("name", [n for n, s in LAYERS.items() if s.has_kernel and not s.lazy])
def test_kernel_volume_expands_an_int_to_every_dimension(name):
    spec = LAYERS[name]
    layer = torch_class(name)(2, 2, 3, device="meta")
    assert kernel_volume(spec, 3) == layer.weight[0, 0].numel()
    assert kernel_volume(spec, (2,) * spec.dims) == 2**spec.dims
    assert kernel_volume(spec, (2,) * (spec.dims + 1)) is None


def test_families_cover_every_layer():
    assert {spec.family for spec in LAYERS.values()} == {"linear", BILINEAR, CONV, CONV_TRANSPOSE}


PATH_PREFIXES = ["torch.nn", "torch.nn.modules"] + [
    f"torch.nn.modules.{file}" for file in ("linear", "conv", "module", "lazy", "activation", "container", "batchnorm")
]


def lookup_cases():
    for name in CATALOGUE_NAMES + ["Embedding", "ReLU", "Sequential"]:
        for prefix in PATH_PREFIXES:
            yield f"{prefix}.{name}"


@pytest.mark.parametrize("qualified_name", list(lookup_cases()))
def test_lookup_accepts_exactly_the_paths_torch_has(qualified_name):
    """Accepted: the class re-exported by torch.nn / torch.nn.modules, or in its defining file.

    Incidental re-imports (`torch.nn.modules.activation.Module`, which activation.py imports for its own
    use) exist but are not a way anyone names a class, so they are not required.
    """
    name = qualified_name.rsplit(".", 1)[1]
    target = resolve(qualified_name)
    exists = isinstance(target, type) and target.__name__ == name
    middle = qualified_name.split(".")[2:-1]
    canonical = exists and (len(middle) < 2 or f"torch.nn.{'.'.join(middle)}" == target.__module__)
    expected = name if canonical and name in CATALOGUE_NAMES else None
    assert lookup_torch_class(qualified_name) == expected


@pytest.mark.parametrize(
    "qualified_name",
    [
        "nn.Linear",
        "torch.Linear",
        "torch.nn.functional.Linear",
        "torch.nn.modules.linear.Linear.weight",
        "torch.nn.utils.Linear",
        "torch.nn",
    ],
)
def test_lookup_rejects_other_paths(qualified_name):
    assert resolve(qualified_name) is None or not isinstance(resolve(qualified_name), type)
    assert lookup_torch_class(qualified_name) is None


# ---------------------------------------------------------------- every module type as data

import math  # noqa: E402
import typing  # noqa: E402
import warnings  # noqa: E402

from init_lint.catalogue import (  # noqa: E402
    CONTAINER_BASES,
    CONTAINERS,
    DISPATCH_ALIASES,
    FAN_BASED_INITS,
    MODULE_ATTRIBUTES,
    MODULE_BASES,
    MODULES,
    NON_DRAWING_MODULES,
    OVERWRITING_METHODS,
    PASS_THROUGH_CALLS,
    SQRT_FUNCTIONS,
    TORCH_CONTAINER_BASES,
    TORCH_INIT_FUNCTIONS,
    TORCH_MODULE_BASES,
    UNKNOWN_ARG,
    lookup_module,
    no_fix_reason,
    param_ndim,
    param_shape,
    parameters,
)

MODULE_NAMES = sorted(MODULES)


def module_class(name: str) -> type:
    home = TORCH_MODULES.get(name) or TORCH_BASES.get(name) or MODULE_BASES[name]
    return getattr(importlib.import_module(f"torch.nn.modules.{home}"), name)


def declared_signature(cls: type) -> inspect.Signature:
    """The constructor's documented signature: RNN/LSTM/GRU declare theirs as a typing overload of
    `__init__(self, *args, **kwargs)`."""
    overloads = typing.get_overloads(cls.__init__)
    return inspect.signature(overloads[0]) if overloads else inspect.signature(cls)


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_every_module_is_where_torch_defines_it(name):
    assert module_class(name).__module__ == f"torch.nn.modules.{MODULES[name].home}"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_signature_and_defaults_match_torch(name):
    spec = MODULES[name]
    parameters_ = {k: p for k, p in declared_signature(module_class(name)).parameters.items()
                   if k not in ("self", "device", "dtype")}
    assert spec.signature == tuple(parameters_)
    defaults = {k: p.default for k, p in parameters_.items() if p.default is not inspect.Parameter.empty}
    if "activation" in defaults:
        assert defaults["activation"] is torch.nn.functional.relu and spec.defaults["activation"] == "relu"
        defaults["activation"] = "relu"
    assert dict(spec.defaults) == defaults


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_mro_matches_torch(name):
    mro = module_class(name).__mro__
    assert MODULES[name].mro == tuple(k.__name__ for k in mro if k.__module__.startswith("torch.nn"))


def test_layers_are_the_classic_families_and_every_layer_is_a_module():
    assert set(LAYERS) <= set(MODULES)
    assert {s.family for s in LAYERS.values()} == {"linear", BILINEAR, CONV, CONV_TRANSPOSE}
    assert {"Embedding", "LSTM", "MultiheadAttention", "Transformer"} <= set(MODULES) - set(LAYERS)


def test_skip_init_refuses_exactly_the_classes_the_catalogue_says():
    for name, spec in MODULES.items():
        if spec.lazy:
            continue
        refused = "device" not in inspect.signature(module_class(name)).parameters
        assert (spec.skip_init_refused is not None) == refused, name


def test_dispatch_aliases_name_a_base_of_the_same_family():
    for alias, base in DISPATCH_ALIASES.items():
        assert base in MODULES[alias].mro and MODULES[alias].family == MODULES[base].family


# configurations: (class name, positional args, keyword args) across every option that changes parameters
MODULE_CONFIGURATIONS = [
    ("Linear", (3, 4), {}),
    ("Linear", (3, 4), {"bias": False}),
    ("Bilinear", (2, 3, 4), {}),
    ("Bilinear", (2, 3, 4), {"bias": False}),
    ("Conv2d", (4, 6, (3, 5)), {"groups": 2}),
    ("ConvTranspose3d", (4, 6, 2), {"groups": 2, "bias": False}),
    ("Conv1d", (3, 3, 1), {}),
    ("Embedding", (10, 4), {}),
    ("Embedding", (10, 4), {"padding_idx": 0}),
    ("Embedding", (10, 4), {"padding_idx": -1, "max_norm": 1.0, "sparse": True}),
    ("EmbeddingBag", (10, 4), {"mode": "sum", "padding_idx": 3}),
    ("RNN", (3, 5), {}),
    ("RNN", (3, 5, 2), {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", (3, 5), {"num_layers": 3, "bias": False, "batch_first": True}),
    ("LSTM", (3, 5), {}),
    ("LSTM", (3, 6), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("LSTM", (3, 6), {"num_layers": 3, "proj_size": 4, "bias": False}),
    ("LSTM", (4, 6, 2, False, True), {}),
    ("GRU", (3, 5), {"num_layers": 2, "bidirectional": True, "dropout": 0.5}),
    ("GRU", (3, 5), {"bias": False}),
    ("RNNCell", (3, 5), {}),
    ("RNNCell", (3, 5), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (3, 5), {}),
    ("GRUCell", (3, 5), {"bias": False}),
    ("MultiheadAttention", (8, 2), {}),
    ("MultiheadAttention", (8, 2), {"bias": False}),
    ("MultiheadAttention", (8, 4), {"add_bias_kv": True}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5}),
    ("MultiheadAttention", (8, 2), {"kdim": 8, "vdim": 8, "add_bias_kv": True, "bias": False}),
    ("MultiheadAttention", (6, 3), {"vdim": 4, "batch_first": True}),
    ("LayerNorm", (5,), {}),
    ("LayerNorm", ((2, 3),), {"bias": False}),
    ("LayerNorm", (5,), {"elementwise_affine": False}),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("TransformerEncoderLayer", (8, 2), {"dim_feedforward": 12, "bias": False, "norm_first": True}),
    ("TransformerDecoderLayer", (8, 2, 16), {}),
    ("TransformerDecoderLayer", (6, 3, 10), {"bias": False, "batch_first": True}),
    ("Transformer", (8, 2, 2, 1, 16), {}),
    ("Transformer", (8, 2, 1, 2, 12), {"bias": False}),
]


def configuration_id(configuration) -> str:
    name, args, kwargs = configuration
    return f"{name}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"


def bound_arguments(name: str, args: tuple, kwargs: dict) -> dict:
    spec = MODULES[name]
    return spec.bind({**dict(zip(spec.signature, args)), **kwargs})


def build(name: str, args: tuple, kwargs: dict, device="meta"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropout with one layer warns
        return module_class(name)(*args, **kwargs, device=device)


@pytest.mark.parametrize("configuration", MODULE_CONFIGURATIONS, ids=configuration_id)
def test_parameters_names_and_shapes_match_named_parameters(configuration):
    name, args, kwargs = configuration
    module = build(name, args, kwargs)
    expected = [(n, tuple(p.shape)) for n, p in module.named_parameters()]
    found = parameters(MODULES[name], bound_arguments(name, args, kwargs))
    assert found is not None
    assert [(n, shape) for n, shape, _ in found] == expected
    for parameter_name, _, param in found:
        assert param.ndim in (None, module.get_parameter(parameter_name).dim())
        assert param_shape(MODULES[name], parameter_name, bound_arguments(name, args, kwargs)) == \
            tuple(module.get_parameter(parameter_name).shape)


@pytest.mark.parametrize("configuration", MODULE_CONFIGURATIONS, ids=configuration_id)
def test_parameter_ndim_is_known_without_arguments(configuration):
    name, args, kwargs = configuration
    module = build(name, args, kwargs)
    for parameter_name, value in module.named_parameters():
        assert param_ndim(MODULES[name], parameter_name, bound_arguments(name, args, kwargs)) == value.dim()
        without_arguments = param_ndim(MODULES[name], parameter_name)
        if without_arguments is None:  # len(normalized_shape): the only ndim that depends on the arguments
            assert name == "LayerNorm" or "norm" in parameter_name.rsplit(".", 2)[-2]
        else:
            assert without_arguments == value.dim(), parameter_name


@pytest.mark.parametrize(
    "name, written",
    [
        ("Linear", {"in_features": 3, "out_features": 4, "bias": UNKNOWN_ARG}),
        ("LSTM", {"input_size": 3, "hidden_size": 5, "num_layers": UNKNOWN_ARG}),
        ("LSTM", {"input_size": 3, "hidden_size": 5, "proj_size": UNKNOWN_ARG}),
        ("GRU", {"input_size": 3, "hidden_size": 5, "bidirectional": UNKNOWN_ARG}),
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "kdim": UNKNOWN_ARG}),
        ("MultiheadAttention", {"embed_dim": UNKNOWN_ARG, "num_heads": 2, "kdim": 4}),
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "add_bias_kv": UNKNOWN_ARG}),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "bias": UNKNOWN_ARG}),
        ("LazyLinear", {"out_features": 3}),
    ],
)
def test_which_parameters_exist_is_unknown_when_an_argument_that_decides_it_is(name, written):
    assert parameters(MODULES[name], MODULES[name].bind(written)) is None


def test_unknown_sizes_give_unknown_shapes_but_known_names():
    spec = MODULES["LSTM"]
    found = parameters(spec, spec.bind({"input_size": UNKNOWN_ARG, "hidden_size": 5, "num_layers": 2}))
    assert [(n, s) for n, s, _ in found][:2] == [("weight_ih_l0", None), ("weight_hh_l0", (20, 5))]
    assert found[4][:2] == ("weight_ih_l1", (20, 5))


@pytest.mark.parametrize(
    "name, args, kwargs, raises",
    [
        ("Embedding", (4, 3), {"padding_idx": 4}, True),
        ("Embedding", (4, 3), {"padding_idx": -5}, True),
        ("Embedding", (4, 3), {"padding_idx": -4}, False),
        ("Embedding", (4, 3), {"padding_idx": 3}, False),
        ("LSTM", (3, 4), {"proj_size": 4}, True),
        ("LSTM", (3, 4), {"proj_size": 3}, False),
        ("MultiheadAttention", (8, 3), {}, True),
        ("MultiheadAttention", (9, 3), {}, False),
        ("TransformerEncoderLayer", (8, 3), {}, True),
        ("Bilinear", (0, 2, 3), {}, True),
    ],
)
def test_no_fix_exactly_where_torch_refuses_the_arguments(name, args, kwargs, raises):
    reason = no_fix_reason(MODULES[name], bound_arguments(name, args, kwargs))
    try:
        build(name, args, kwargs, device="cpu")
    except (AssertionError, ValueError):
        assert raises and reason is not None and "raises" in reason
    else:
        assert not raises and reason is None


def test_no_fix_for_a_transformer_without_encoder_layers_because_it_draws_one_it_drops():
    spec = MODULES["Transformer"]
    reason = no_fix_reason(spec, bound_arguments("Transformer", (8, 2), {"num_encoder_layers": 0}))
    assert "does not keep" in reason
    torch.manual_seed(0)
    before = torch.get_rng_state()
    model = build("Transformer", (8, 2), {"num_encoder_layers": 0, "num_decoder_layers": 0}, device="cpu")
    assert not list(model.encoder.layers) and not torch.equal(before, torch.get_rng_state())


def test_no_fix_for_modules_built_from_given_tensors_or_custom_parts():
    embedding = MODULES["Embedding"]
    assert "_weight" in no_fix_reason(embedding, embedding.bind({"num_embeddings": 2, "embedding_dim": 3,
                                                                 "_weight": UNKNOWN_ARG}))
    transformer = MODULES["Transformer"]
    assert "custom_decoder" in no_fix_reason(transformer, transformer.bind({"custom_decoder": UNKNOWN_ARG}))
    assert no_fix_reason(transformer, transformer.bind({})) is None
    assert "first call" in no_fix_reason(MODULES["LazyConv2d"], {})


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_lookup_module_accepts_the_re_exports_and_the_defining_file(name):
    home = MODULES[name].home
    exported = name != "NonDynamicallyQuantizableLinear"
    assert lookup_module(f"torch.nn.{name}") == (name if exported else None)
    assert lookup_module(f"torch.nn.modules.{home}.{name}") == name
    assert lookup_module(f"torch.nn.modules.container.{name}") is None
    assert lookup_torch_class(f"torch.nn.{name}") == (name if name in LAYERS and exported else None)


def test_lookup_module_knows_the_recurrent_bases():
    assert lookup_module("torch.nn.RNNBase") == "RNNBase"
    assert lookup_module("torch.nn.modules.rnn.RNNCellBase") == "RNNCellBase"
    assert lookup_torch_class("torch.nn.RNNBase") is None  # the analysis's classic table is unchanged


# ---------------------------------------------------------------- the other torch tables


NON_DRAWING_EXAMPLES = {
    "PReLU": (), "Flatten": (), "Unflatten": (1, (2, 2)), "BatchNorm1d": (3,), "BatchNorm2d": (3,),
    "BatchNorm3d": (3,), "LayerNorm": (3,), "GroupNorm": (2, 4), "InstanceNorm1d": (3,), "InstanceNorm2d": (3,),
    "InstanceNorm3d": (3,), "RMSNorm": (3,), "MaxPool1d": (2,), "MaxPool2d": (2,), "MaxPool3d": (2,),
    "AvgPool1d": (2,), "AvgPool2d": (2,), "AvgPool3d": (2,), "AdaptiveAvgPool1d": (2,), "AdaptiveAvgPool2d": (2,),
    "AdaptiveAvgPool3d": (2,), "AdaptiveMaxPool1d": (2,), "AdaptiveMaxPool2d": (2,), "PixelShuffle": (2,),
    "ZeroPad2d": (1,), "ConstantPad2d": (1, 0.5),
}


@pytest.mark.parametrize("name", sorted(NON_DRAWING_MODULES))
def test_non_drawing_modules_draw_nothing(name):
    cls = getattr(torch.nn, name)
    before = torch.get_rng_state()
    cls(*NON_DRAWING_EXAMPLES.get(name, ()))
    assert torch.equal(before, torch.get_rng_state())


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_containers_are_torch_containers(name):
    cls = getattr(torch.nn, name)
    assert issubclass(cls, torch.nn.Module) and cls.__module__ == "torch.nn.modules.container"


def test_module_and_container_bases_name_torch_s_own_classes():
    """Every spelling of nn.Module and of the container bases resolves to that very class in torch."""
    for qualified in TORCH_MODULE_BASES:
        assert resolve(qualified) is torch.nn.Module, qualified
    assert set(CONTAINER_BASES) <= CONTAINERS
    for qualified in TORCH_CONTAINER_BASES:
        assert resolve(qualified) is getattr(torch.nn, qualified.rpartition(".")[2]), qualified
    assert len(TORCH_CONTAINER_BASES) == 3 * len(CONTAINER_BASES)


def test_drawing_modules_are_not_in_the_non_drawing_table():
    assert not (set(MODULES) - {"LayerNorm"}) & NON_DRAWING_MODULES
    assert not MODULES["LayerNorm"].params[0].init.startswith(("uniform", "normal", "kaiming", "xavier"))


def test_pass_through_calls_exist_in_torch():
    for name in PASS_THROUGH_CALLS:
        assert hasattr(torch.nn.functional, name) or hasattr(torch.Tensor, name), name


def test_init_tables_match_torch_nn_init():
    for name in TORCH_INIT_FUNCTIONS:
        assert callable(getattr(torch.nn.init, name)), name
    assert FAN_BASED_INITS <= TORCH_INIT_FUNCTIONS
    for name in FAN_BASED_INITS:
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # the deprecated spellings warn
                getattr(torch.nn.init, name)(torch.empty(3))
    for name in OVERWRITING_METHODS:
        assert callable(getattr(torch.Tensor, name)), name


def test_sqrt_functions():
    assert math.sqrt(4) == 2 and torch.sqrt(torch.tensor(4.0)).item() == 2
    assert {"math.sqrt", "torch.sqrt"} <= SQRT_FUNCTIONS


def test_specs_pickle_by_name_for_worker_processes():
    import pickle

    for name, spec in MODULES.items():
        assert pickle.loads(pickle.dumps(spec)) is spec


ATTRIBUTE_PROBES = sorted(MODULE_ATTRIBUTES | {"init_weights", "weight", "in_proj_weight", "out_proj", "hidden_size",
                                               "num_embeddings", "padding_idx", "linear1", "self_attn", "kernel_size"})


@pytest.mark.parametrize("configuration", MODULE_CONFIGURATIONS, ids=configuration_id)
def test_has_attribute_never_claims_an_attribute_torch_lacks(configuration):
    """True must be right (a `hasattr` the analysis decides True is relied on); False may be conservative for
    the classic layers, whose table predates the catalogue."""
    from init_lint.catalogue import has_attribute

    name, args, kwargs = configuration
    module = build(name, args, kwargs)
    for attribute in ATTRIBUTE_PROBES:
        if has_attribute(MODULES[name], attribute):
            assert hasattr(module, attribute), attribute


def test_literal_arguments_keep_literals_and_mark_the_rest_unknown():
    from init_lint.catalogue import literal_arguments

    spec = MODULES["Conv2d"]
    args = literal_arguments(spec, {"in_channels": 4, "out_channels": 8, "kernel_size": (3, 3), "groups": object()})
    assert args["groups"] is UNKNOWN_ARG and args["bias"] is True and args["kernel_size"] == (3, 3)
    assert fan_in(spec, args) is None


def test_has_attribute_knows_what_recipes_and_dispatch_read():
    from init_lint.catalogue import has_attribute

    assert has_attribute(MODULES["Linear"], "in_features") and not has_attribute(MODULES["Linear"], "dilation")
    assert has_attribute(MODULES["ConvTranspose2d"], "kernel_size") and has_attribute(MODULES["Conv2d"], "groups")
    assert has_attribute(MODULES["LSTM"], "hidden_size") and has_attribute(MODULES["LSTM"], "reset_parameters")
    assert has_attribute(MODULES["MultiheadAttention"], "out_proj")
    assert has_attribute(MODULES["MultiheadAttention"], "bias_k")  # None unless add_bias_kv, but always there
    assert has_attribute(MODULES["Embedding"], "padding_idx")
    assert has_attribute(MODULES["Transformer"], "encoder")
    assert not any(has_attribute(spec, "init_weights") for spec in MODULES.values())
    assert not has_attribute(MODULES["MultiheadAttention"], "reset_parameters")

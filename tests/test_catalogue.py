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

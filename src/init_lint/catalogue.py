"""What PyTorch does per layer type: constructor signatures, class hierarchy, fan_in, default recipe.

This table is the static description of torch 2.13's `nn.Linear`, `nn.Bilinear`, `nn.Conv*d`,
`nn.ConvTranspose*d` and their lazy variants.  Nothing here imports torch: the tests check every
entry against the installed torch (`tests/test_catalogue.py`), so a release that changes a
signature or a default recipe fails there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

LINEAR = "linear"
BILINEAR = "bilinear"
CONV = "conv"
CONV_TRANSPOSE = "conv_transpose"

WEIGHT = "weight"
BIAS = "bias"


@dataclass(frozen=True)
class LayerSpec:
    """One torch layer class and what its constructor does to its parameters."""

    name: str
    family: str
    #: spatial dimensions of a convolution; 0 for linear layers
    dims: int
    #: the constructor's parameters in positional order (without `device`/`dtype`)
    signature: tuple[str, ...]
    #: the class and its torch bases, most derived first, as `isinstance` sees them
    mro: tuple[str, ...]
    lazy: bool = False

    @property
    def has_kernel(self) -> bool:
        return self.family in (CONV, CONV_TRANSPOSE)

    def fan_in_parts(self) -> tuple[str, ...]:
        """The constructor arguments that fan_in is computed from."""
        if self.family == LINEAR:
            return ("in_features",)
        if self.family == BILINEAR:
            return ("in1_features",)
        if self.family == CONV:
            return ("in_channels", "groups", "kernel_size")
        return ("out_channels", "groups", "kernel_size")


def fan_in(spec: LayerSpec, args: dict[str, object]) -> Optional[int]:
    """fan_in as PyTorch computes it from the weight's shape, or None if an argument is unknown.

    `args` maps constructor parameter names to ints (or int tuples for `kernel_size`);
    missing `groups` means 1.  The weight of a convolution is `(out, in // g, *k)` and of a
    transposed one `(in, out // g, *k)`: PyTorch takes fan_in from dimension 1 in both.
    """
    if spec.lazy:
        return None
    if spec.family == LINEAR:
        value = args.get("in_features")
        return value if isinstance(value, int) else None
    if spec.family == BILINEAR:
        value = args.get("in1_features")
        return value if isinstance(value, int) else None
    channels = args.get("in_channels" if spec.family == CONV else "out_channels")
    groups = args.get("groups", 1)
    kernel = kernel_volume(spec, args.get("kernel_size"))
    if not isinstance(channels, int) or not isinstance(groups, int) or kernel is None or groups <= 0:
        return None
    return channels // groups * kernel


def kernel_volume(spec: LayerSpec, kernel_size: object) -> Optional[int]:
    """prod(kernel_size), with an int expanded to every spatial dimension as PyTorch does."""
    if isinstance(kernel_size, int):
        return kernel_size**spec.dims
    if isinstance(kernel_size, tuple) and len(kernel_size) == spec.dims and all(isinstance(k, int) for k in kernel_size):
        volume = 1
        for k in kernel_size:
            volume *= k
        return volume
    return None


def _conv_signature(transpose: bool, lazy: bool) -> tuple[str, ...]:
    head = ("out_channels", "kernel_size") if lazy else ("in_channels", "out_channels", "kernel_size")
    if transpose:
        tail = ("stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode")
    else:
        tail = ("stride", "padding", "dilation", "groups", "bias", "padding_mode")
    return head + tail


def _build() -> dict[str, LayerSpec]:
    specs: list[LayerSpec] = [
        LayerSpec("Linear", LINEAR, 0, ("in_features", "out_features", "bias"), ("Linear", "Module")),
        LayerSpec(
            "LazyLinear", LINEAR, 0, ("out_features", "bias"), ("LazyLinear", "LazyModuleMixin", "Linear", "Module"), lazy=True
        ),
        LayerSpec(
            "NonDynamicallyQuantizableLinear",
            LINEAR,
            0,
            ("in_features", "out_features", "bias"),
            ("NonDynamicallyQuantizableLinear", "Linear", "Module"),
        ),
        LayerSpec("Bilinear", BILINEAR, 0, ("in1_features", "in2_features", "out_features", "bias"), ("Bilinear", "Module")),
    ]
    for d in (1, 2, 3):
        conv, tconv = f"Conv{d}d", f"ConvTranspose{d}d"
        specs += [
            LayerSpec(conv, CONV, d, _conv_signature(False, False), (conv, "_ConvNd", "Module")),
            LayerSpec(tconv, CONV_TRANSPOSE, d, _conv_signature(True, False), (tconv, "_ConvTransposeNd", "_ConvNd", "Module")),
            LayerSpec(
                f"Lazy{conv}", CONV, d, _conv_signature(False, True),
                (f"Lazy{conv}", "_LazyConvXdMixin", "LazyModuleMixin", conv, "_ConvNd", "Module"), lazy=True,
            ),
            LayerSpec(
                f"Lazy{tconv}", CONV_TRANSPOSE, d, _conv_signature(True, True),
                (f"Lazy{tconv}", "_LazyConvXdMixin", "LazyModuleMixin", tconv, "_ConvTransposeNd", "_ConvNd", "Module"), lazy=True,
            ),
        ]
    return {spec.name: spec for spec in specs}


#: every layer init-lint knows, by class name
LAYERS: dict[str, LayerSpec] = _build()

#: where torch defines them: `torch.nn.modules.<module>.<Name>` is the same class as `torch.nn.<Name>`
TORCH_MODULES = {"Linear": "linear", "Bilinear": "linear", "LazyLinear": "linear", "NonDynamicallyQuantizableLinear": "linear"}
TORCH_MODULES.update({name: "conv" for name in LAYERS if "Conv" in name})

#: torch base classes that `isinstance` dispatch may name, with where they live
TORCH_BASES = {
    "Module": "module",
    "_ConvNd": "conv",
    "_ConvTransposeNd": "conv",
    "_ConvTransposeMixin": "conv",
    "_LazyConvXdMixin": "conv",
    "LazyModuleMixin": "lazy",
}


#: the names above that `torch.nn` and `torch.nn.modules` re-export; the others are reachable
#: only through the file that defines them (`torch.nn.modules.linear.NonDynamicallyQuantizableLinear`)
TORCH_NN_EXPORTS = frozenset(
    name
    for name in (*LAYERS, *TORCH_BASES)
    if not name.startswith("_") and name not in ("NonDynamicallyQuantizableLinear", "LazyModuleMixin")
)


def lookup_torch_class(qualified_name: str) -> Optional[str]:
    """The class name if `qualified_name` names a torch.nn layer or layer base, else None.

    Accepts `torch.nn.Linear`, `torch.nn.modules.Linear`, `torch.nn.modules.linear.Linear`: the
    re-exports and the defining file, not incidental re-imports such as `torch.nn.modules.activation.Module`.
    """
    parts = qualified_name.split(".")
    if len(parts) < 3 or parts[0] != "torch" or parts[1] != "nn":
        return None
    name = parts[-1]
    if name not in LAYERS and name not in TORCH_BASES:
        return None
    middle = parts[2:-1]
    if not middle:
        return name if name in TORCH_NN_EXPORTS else None
    if middle[0] != "modules":
        return None
    if len(middle) == 1:
        return name if name in TORCH_NN_EXPORTS else None
    home = TORCH_MODULES.get(name) or TORCH_BASES.get(name)
    return name if len(middle) == 2 and middle[1] == home else None


def isinstance_covers(spec: LayerSpec, class_name: str) -> bool:
    """Whether `isinstance(layer, <torch class_name>)` is true for a layer of `spec`."""
    return class_name in spec.mro

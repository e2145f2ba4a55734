"""Which calls initialize a tensor, and how.

Torch's own `torch.nn.init` functions, the same names in other libraries' init modules (timm's
`trunc_normal_`, a framework's `init` module), and in-place tensor methods that overwrite every
element.  Arithmetic in place (`mul_`, `add_`, `clamp_`) rescales what the default drew and is
not an initialization.
"""

from __future__ import annotations

from typing import Optional

from init_lint.catalogue import FAN_BASED_INITS, TORCH_INIT_FUNCTIONS

#: modules that are torch's init module, or that real code imports under the name `init`
INIT_MODULES = ("torch.nn.init",)


def init_function_name(qualified: Optional[str], dotted: Optional[str]) -> Optional[str]:
    """The init function a callee names, or None if it is not an initializer.

    `qualified` is the callee resolved through imports, `dotted` its spelling in the file.
    Any function whose name ends with a single underscore follows PyTorch's in-place convention.
    """
    name = (qualified or dotted or "").rsplit(".", 1)[-1]
    if not name:
        return None
    if qualified is not None:
        module = qualified.rsplit(".", 1)[0] if "." in qualified else ""
        if module in INIT_MODULES and name in TORCH_INIT_FUNCTIONS:
            return name
        if module.endswith(".init") and name in TORCH_INIT_FUNCTIONS:
            return name
    if name.endswith("_") and not name.endswith("__") and not name.startswith("_"):
        return name
    return None


def is_fan_based(function: str) -> bool:
    """Whether the init function computes fan_in / fan_out (kaiming_*, xavier_*)."""
    return function in FAN_BASED_INITS


def fill_value(function: str, args: list, kwargs: dict) -> object:
    """The constant an init call fills with (0 for zeros_), `None` if it does not fill a constant.

    `args` and `kwargs` are the abstract values of the arguments after the tensor.
    """
    base = function.rstrip("_")
    if base == "zeros":
        return 0
    if base == "ones":
        return 1
    if base == "constant":
        if args:
            return args[0]
        return kwargs.get("val")
    return None


def method_fill_value(method: str, args: list) -> object:
    """The constant an in-place tensor method fills with, or None."""
    if method == "zero_":
        return 0
    if method == "fill_" and args:
        return args[0]
    return None

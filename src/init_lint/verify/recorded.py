"""torch.nn.init calls recorded while code runs: how the recipe self-test checks explicit recipes.

An explicit recipe runs after the constructor, so its values cannot be compared with the default's.
What it promises is the constructor's last call on each parameter: the same torch.nn.init function
with bitwise the same arguments (hence the same distribution, and the same values from the same
generator state).  Recording both sides checks exactly that.

torch is imported inside the functions only.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import warnings
from typing import Callable, Iterator

#: the torch.nn.init functions the catalogue's modules call
RECORDED = ("uniform_", "normal_", "kaiming_uniform_", "xavier_uniform_", "xavier_normal_", "constant_", "zeros_",
            "ones_")
#: files of torch.nn that import some of them by name (`from torch.nn.init import xavier_uniform_`)
_IMPORTED_BY_NAME = ("torch.nn.modules.activation", "torch.nn.modules.transformer")


def canonical_call(function: str, original: Callable, args: tuple, kwargs: dict) -> tuple:
    """(tensor, (function, arguments)): defaults filled, numbers as float.hex(), `zeros_` as `constant_(0.0)`."""
    bound = inspect.signature(original).bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    tensor = arguments.pop("tensor")
    if function in ("zeros_", "ones_"):
        function, arguments = "constant_", {"val": 0.0 if function == "zeros_" else 1.0}
    key = tuple(sorted((k, float(v).hex() if isinstance(v, (int, float)) and not isinstance(v, bool) else repr(v))
                       for k, v in arguments.items()))
    return tensor, (function, key)


@contextlib.contextmanager
def recorded_init_calls() -> Iterator[list]:
    """Every call of RECORDED made inside, as canonical_call gives it; the functions are restored after."""
    init = importlib.import_module("torch.nn.init")
    homes = [init, *(importlib.import_module(name) for name in _IMPORTED_BY_NAME)]
    calls: list = []
    patched = []
    for function in RECORDED:
        original = getattr(init, function)

        def recording(*args, _function=function, _original=original, **kwargs):
            calls.append(canonical_call(_function, _original, args, kwargs))
            return _original(*args, **kwargs)

        for home in homes:
            if getattr(home, function, None) is original:
                patched.append((home, function, original))
                setattr(home, function, recording)
    try:
        yield calls
    finally:
        for home, function, original in patched:
            setattr(home, function, original)


def last_calls(module, calls: list) -> dict:
    """The last recorded call on each parameter of `module`, by `named_parameters()` name."""
    names = {id(p): n for n, p in module.named_parameters()}
    last: dict = {}
    for tensor, call in calls:
        if id(tensor) in names:
            last[names[id(tensor)]] = call
    return last


def constructor_last_calls(module_class: Callable, name: str, args: tuple, kwargs: dict, dtype) -> dict:
    """What the constructor of `name` does last to each parameter.

    Transformer's layers are deep copies of a layer built inside its constructor, so their calls are
    read off the same layer built alone (and its norms' `ones_`/`zeros_`) unless Transformer overrides them."""
    with recorded_init_calls() as calls, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = module_class(name)(*args, **kwargs, dtype=dtype)
    last = last_calls(module, calls)
    if name != "Transformer":
        return last
    layer_kwargs = {"d_model": module.d_model, "nhead": module.nhead, "batch_first": module.batch_first}
    first = module.encoder.layers[0] if len(module.encoder.layers) else None
    if first is not None:
        layer_kwargs.update(dim_feedforward=first.linear1.out_features, norm_first=first.norm_first,
                            bias=first.linear1.bias is not None, layer_norm_eps=first.norm1.eps)
    for side, layer_name in (("encoder", "TransformerEncoderLayer"), ("decoder", "TransformerDecoderLayer")):
        alone = constructor_last_calls(module_class, layer_name, (), layer_kwargs, dtype)
        for index in range(len(getattr(module, side).layers)):
            for parameter_name, call in alone.items():
                last.setdefault(f"{side}.layers.{index}.{parameter_name}", call)
        norm = getattr(module, side).norm
        for parameter_name, value in (("weight", 1.0), ("bias", 0.0)):
            if getattr(norm, parameter_name) is not None:
                last.setdefault(f"{side}.norm.{parameter_name}", ("constant_", (("val", value.hex()),)))
    return last

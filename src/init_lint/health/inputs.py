"""Choosing the batch a health run feeds a model (worker side, torch imported).

In order: `--input-shape`; the file's `INIT_LINT_INPUTS` entry for the class; the model's own
`example_input_array` (Lightning) or `dummy_inputs` (Hugging Face) attribute; else a batch inferred
from the first layer that holds parameters.  Shapes become a unit-variance normal batch
(`torch.randn`), or random token ids when the first layer is an Embedding.  A floating tensor
found on the model is replaced by a unit-variance batch of its shape; integer tensors (token ids,
masks) are kept.  What `INIT_LINT_INPUTS` produces through a factory is used exactly as given.

    INIT_LINT_INPUTS = {
        "Classifier": (16, 3, 32, 32),                          # torch.randn(16, 3, 32, 32)
        "Tagger": lambda: torch.randint(0, 1000, (16, 24)),     # any zero-argument factory
        "TwoInputs": lambda: (torch.randn(4, 8), torch.randn(4, 3)),  # a tuple: positional arguments
        "Base": None,                                           # do not run
    }
"""

from __future__ import annotations

from typing import Any, Optional

INPUTS_VARIABLE = "INIT_LINT_INPUTS"
BATCH = 16
SEQUENCE = 32
SPATIAL = {1: (128,), 2: (64, 64), 3: (16, 16, 16)}


class InputError(Exception):
    """No input could be chosen: the message says what to declare."""


class NotRun(Exception):
    """INIT_LINT_INPUTS says not to run this class."""


def choose_input(model: Any, class_name: str, declared: dict, shape: Optional[tuple],
                 torch: Any) -> tuple[tuple, dict, str]:
    """(args, kwargs, a description of where the input came from)."""
    if shape is not None:
        return (_from_shape(model, tuple(shape), torch),), {}, f"{_describe_shape(model, shape, torch)} (--input-shape)"
    if class_name in declared:
        entry = declared[class_name]
        if entry is None:
            raise NotRun(f"{INPUTS_VARIABLE} says not to run it")
        if _is_shape(entry):
            described = f"{_describe_shape(model, entry, torch)} ({INPUTS_VARIABLE})"
            return (_from_shape(model, tuple(entry), torch),), {}, described
        if callable(entry):
            args, kwargs = _as_call(entry(), torch)
            return args, kwargs, f"{INPUTS_VARIABLE}[{class_name!r}]()"
        raise InputError(f"{INPUTS_VARIABLE}[{class_name!r}] must be a shape tuple, a zero-argument factory, or None")
    for attribute in ("example_input_array", "dummy_inputs"):
        value = getattr(model, attribute, None)
        if value is not None and not callable(value):
            args, kwargs = _as_call(_unit_variance(value, torch), torch)
            return args, kwargs, f"model.{attribute} (floating tensors redrawn at unit variance)"
    return _inferred(model, torch)


def _is_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and bool(value) and all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)


def _as_call(value: Any, torch: Any) -> tuple[tuple, dict]:
    if isinstance(value, dict):
        return (), dict(value)
    if isinstance(value, (tuple, list)):
        return tuple(value), {}
    return (value,), {}


def _unit_variance(value: Any, torch: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return torch.randn(value.shape, dtype=value.dtype) if value.is_floating_point() else value
    if isinstance(value, dict):
        return {k: _unit_variance(v, torch) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_unit_variance(v, torch) for v in value)
    return value


def first_layer(model: Any, torch: Any) -> Optional[tuple[str, Any]]:
    """The first module (in registration order) that holds parameters of its own."""
    for name, module in model.named_modules():
        if any(True for _ in module.parameters(recurse=False)):
            return name, module
    return None


def _from_shape(model: Any, shape: tuple, torch: Any) -> Any:
    found = first_layer(model, torch)
    if found is not None and isinstance(found[1], torch.nn.Embedding):
        return torch.randint(0, found[1].num_embeddings, shape)
    return torch.randn(shape)


def _describe_shape(model: Any, shape: Any, torch: Any) -> str:
    found = first_layer(model, torch)
    dims = ", ".join(str(int(s)) for s in shape)
    if found is not None and isinstance(found[1], torch.nn.Embedding):
        return f"randint(0, {found[1].num_embeddings}, ({dims},))"
    return f"randn({dims})"


def _inferred(model: Any, torch: Any) -> tuple[tuple, dict, str]:
    nn = torch.nn
    found = first_layer(model, torch)
    if found is None:
        raise InputError(f"no layer with parameters to infer an input from: "
                         f"declare {INPUTS_VARIABLE} or pass --input-shape")
    name, layer = found
    if isinstance(layer, nn.Embedding):
        shape = (BATCH, SEQUENCE)
        return (torch.randint(0, layer.num_embeddings, shape),), {}, (
            f"randint(0, {layer.num_embeddings}, ({BATCH}, {SEQUENCE})) (from {name}: Embedding.num_embeddings)")
    if isinstance(layer, nn.Linear) and not isinstance(layer, nn.modules.lazy.LazyModuleMixin):
        shape = (BATCH, layer.in_features)
        return (torch.randn(shape),), {}, f"randn({BATCH}, {layer.in_features}) (from {name}: Linear.in_features)"
    if isinstance(layer, nn.modules.conv._ConvNd) and not isinstance(layer, nn.modules.lazy.LazyModuleMixin):
        dims = len(layer.kernel_size)
        shape = (BATCH, layer.in_channels, *SPATIAL[dims])
        text = ", ".join(map(str, shape))
        return (torch.randn(shape),), {}, f"randn({text}) (from {name}: {type(layer).__name__}.in_channels)"
    raise InputError(f"cannot infer an input from the first layer {name or '(the model)'} ({type(layer).__name__}): "
                     f"declare {INPUTS_VARIABLE} or pass --input-shape")

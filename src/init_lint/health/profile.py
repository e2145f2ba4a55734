"""One forward pass with a hook on every leaf module: per-layer statistics, in the order layers run.

Runs where torch is already imported: in the health worker process (`health/child.py`) and inside
users' own tests (`assert_healthy`).  Nothing here decides what is healthy (that is `flags.py`,
which needs no torch); this only measures.

The pass runs in training mode (what the first step of training sees: batch norm normalizes by the
batch, not by its fresh running statistics) under `torch.no_grad()`; the model's mode is restored
afterwards.  Values too large for their squares to fit in float32 are measured in float64, so
they do not overflow while being measured.
"""

from __future__ import annotations

import math
import time
from typing import Any, Optional

#: activations whose outputs saturate, and the predicate of "near the bound" for each
SATURATING = {
    "Tanh": "symmetric", "Hardtanh": "symmetric", "Softsign": "symmetric",
    "Sigmoid": "unit", "Hardsigmoid": "unit",
}
SATURATION_MARGIN = 0.01
#: outputs remembered so that a layer fed by one of them need not measure its input again
RECENT_OUTPUTS = 4
#: at most this many values of an output, an input or a weight are read for statistics (see `sample`)
SAMPLE = 1 << 15
#: leaf modules that zero activations by design: not "dead"
ZEROING_BY_DESIGN = {"Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"}
#: activation module -> the nonlinearity `torch.nn.init.calculate_gain` knows for it
GAIN_NAMES = {
    "ReLU": "relu", "ReLU6": "relu", "LeakyReLU": "leaky_relu", "RReLU": "leaky_relu", "Tanh": "tanh",
    "Hardtanh": "tanh", "Sigmoid": "sigmoid", "Hardsigmoid": "sigmoid", "SELU": "selu",
    # calculate_gain has no entry for these smooth ReLUs; relu's gain is the usual stand-in
    "GELU": "relu", "SiLU": "relu", "Mish": "relu", "ELU": "relu", "CELU": "relu", "Softplus": "relu",
}


def first_tensor(value: Any, torch: Any) -> Optional[Any]:
    """The first tensor in a module's output or input (tuples, lists and dicts are searched in order)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        for item in value:
            found = first_tensor(item, torch)
            if found is not None:
                return found
    return None


def tensor_stats(tensor: Any, torch: Any, kind: str) -> dict:
    """mean, std, share of exact zeros, of non-finite values and (for saturating kinds) of saturated values.

    Few passes over the data: one `std_mean` in the tensor's dtype, again in float64 only when that
    overflowed (squares beyond float32) or the dtype is a half type, and a count of non-zeros.
    """
    count = tensor.numel()
    values = sample(tensor.detach(), torch)
    if count == 0:
        return {"numel": 0, "nonfinite": 0.0, "mean": math.nan, "std": math.nan, "zeros": 0.0, "saturated": None}
    std, mean = (float(v) for v in torch.std_mean(values, unbiased=False))
    if not (math.isfinite(std) and math.isfinite(mean)) or values.dtype not in (torch.float32, torch.float64):
        std, mean = (float(v) for v in torch.std_mean(values.to(torch.float64), unbiased=False))
    if math.isfinite(std) and math.isfinite(mean):
        nonfinite = 0
    else:
        nonfinite = 1
        mean = std = math.nan if bool(torch.isnan(values).any()) else math.inf
    measured = values.numel()
    if nonfinite:
        nonfinite = measured - int(torch.isfinite(values).sum())
    stats = {"numel": count, "nonfinite": nonfinite / measured, "mean": mean, "std": std,
             "zeros": 1.0 - int(torch.count_nonzero(values)) / measured}
    shape = SATURATING.get(kind)
    if shape == "symmetric":
        stats["saturated"] = float((values.abs() >= 1 - SATURATION_MARGIN).sum()) / measured
    elif shape == "unit":
        stats["saturated"] = float(((values <= SATURATION_MARGIN) | (values >= 1 - SATURATION_MARGIN)).sum()) / measured
    else:
        stats["saturated"] = None
    return stats


_SAMPLE_INDICES: dict = {}


def sample(tensor: Any, torch: Any) -> Any:
    """The tensor's values, flat; for more than SAMPLE values, a fixed random sample of SAMPLE of them.

    Below torch's parallel grain size each reduction runs on one thread: on a busy machine the
    synchronization of a parallel reduction costs more than the reduction, and a health run does
    several per layer.  A random sample (not a strided one, which can alias with the layout: every
    sample in one image column) of 32768 values estimates a std within about 1% and a share within
    about 0.5 points; the indices come from a private generator, so the model's own random stream and
    the repeatability of the run are untouched.  (`index_select` on the flat view, not `torch.take`:
    take is a parallel kernel, hundreds of times slower on a loaded machine.)
    """
    count = tensor.numel()
    if count <= SAMPLE:
        return tensor.reshape(-1)
    indices = _SAMPLE_INDICES.get(count)
    if indices is None:
        generator = torch.Generator().manual_seed(count)
        indices = _SAMPLE_INDICES[count] = torch.randint(0, count, (SAMPLE,), generator=generator).sort().values
    return tensor.reshape(-1).index_select(0, indices.to(tensor.device))


def fan_in(weight: Any) -> Optional[int]:
    """fan_in as torch.nn.init computes it (input channels times the receptive field)."""
    if weight is None or weight.dim() < 2:
        return None
    receptive = 1
    for size in weight.shape[2:]:
        receptive *= int(size)
    return int(weight.shape[1]) * receptive


def input_std(args: tuple, kwargs: dict, torch: Any) -> Optional[float]:
    """The std of the first floating tensor the model is given (None for token ids)."""
    tensor = first_tensor((args, kwargs), torch)
    if tensor is None or not tensor.is_floating_point():
        return None
    return tensor_stats(tensor, torch, "")["std"]


def profile_forward(model: Any, args: tuple, kwargs: dict, torch: Any) -> tuple[list[dict], float]:
    """Run `model(*args, **kwargs)` once with hooks on its leaf modules; (layer records, seconds)."""
    names = {}
    for name, module in model.named_modules():
        if not any(True for _ in module.children()):
            names.setdefault(id(module), name or type(module).__name__)
    owned = owners(model, names)
    records: list[dict] = []
    calls: dict[int, int] = {}
    recent: dict = {}

    def hook(module, inputs, output):
        tensor = first_tensor(output, torch)
        kind = type(module).__name__
        calls[id(module)] = calls.get(id(module), 0) + 1
        weight = getattr(module, "weight", None)
        weight = weight if isinstance(weight, torch.Tensor) and weight.is_floating_point() else None
        has_params = any(True for _ in module.parameters(recurse=False))
        record = {"name": names[id(module)], "kind": kind, "call": calls[id(module)], "weighted": has_params,
                  "by_design_zeros": kind in ZEROING_BY_DESIGN, "norm": has_params and "Norm" in kind}
        if calls[id(module)] == 1 and id(module) in owned:
            record["owner"] = owned[id(module)]
        if tensor is None or not (tensor.is_floating_point() or tensor.is_complex()):
            record.update(measured=False)
            records.append(record)
            return
        real = tensor.real if tensor.is_complex() else tensor
        record.update(measured=True, shape=list(tensor.shape), **tensor_stats(real, torch, kind))
        if has_params:
            source = first_tensor(inputs, torch)
            if source is not None and source.is_floating_point() and source.numel() > 1:
                record["in_std"] = recent.get((id(source), source._version), (None, None))[1]
                if record["in_std"] is None:
                    record["in_std"] = tensor_stats(source, torch, "")["std"]
            if weight is not None and weight.numel() and weight.device.type != "meta":
                record["fan_in"] = fan_in(weight)
                flat = sample(weight.detach(), torch)
                record["weight_std"] = float(flat.std(unbiased=False)) if flat.numel() > 1 else 0.0
        records.append(record)
        # the next layer's input is usually this output: its std is known unless it changed in place since
        # (the version counter says); the tensor is held so that its id cannot be reused meanwhile
        recent[(id(tensor), tensor._version)] = (tensor, record["std"])
        while len(recent) > RECENT_OUTPUTS:
            recent.pop(next(iter(recent)))

    handles = [m.register_forward_hook(hook) for m in model.modules() if id(m) in names]
    was_training = model.training
    model.train()
    started = time.perf_counter()
    try:
        with torch.no_grad():
            model(*args, **kwargs)
    finally:
        seconds = time.perf_counter() - started
        model.train(was_training)
        for handle in handles:
            handle.remove()
    add_gains(records, model, torch)
    return records, seconds


def owners(model: Any, leaves: dict) -> dict:
    """Leaf id -> the nearest enclosing module whose class is not torch's: its class, its source file,
    and the leaf's attribute path inside it.  That class's `__init__` (or a helper it calls) built the
    leaf, so that is where the parent's static analysis looks for the constructor line."""
    import inspect

    modules = dict(model.named_modules())
    files: dict = {}
    found = {}
    for name, module in modules.items():
        if id(module) not in leaves or found.get(id(module)):
            continue
        parts = name.split(".") if name else []
        for cut in range(len(parts) - 1, -1, -1):
            cls = type(modules.get(".".join(parts[:cut])))
            # the class whose __init__ runs: a subclass that only renames a library class builds nothing itself
            cls = next((c for c in cls.__mro__ if "__init__" in vars(c)), cls)
            if cls.__module__ == "torch" or cls.__module__.startswith("torch."):
                continue
            if cls not in files:
                try:
                    files[cls] = inspect.getsourcefile(cls)
                except (TypeError, OSError):
                    files[cls] = None
            found[id(module)] = {"class": cls.__qualname__, "file": files[cls], "path": ".".join(parts[cut:])}
            break
    return found


def add_gains(records: list[dict], model: Any, torch: Any) -> None:
    """For each weighted layer: the activation that follows it (before the next weighted layer) and its
    `calculate_gain`, and the std that keeps the variance, gain / sqrt(fan_in)."""
    modules = {name: module for name, module in model.named_modules()}
    for index, record in enumerate(records):
        if not record.get("weighted") or not record.get("fan_in"):
            continue
        following = "linear"
        param = None
        for later in records[index + 1:]:
            if later.get("weighted"):
                break
            if later["kind"] in GAIN_NAMES:
                following = GAIN_NAMES[later["kind"]]
                if following == "leaky_relu":
                    param = getattr(modules.get(later["name"]), "negative_slope", 0.01)
                record["activation"] = later["kind"]
                break
        gain = torch.nn.init.calculate_gain(following, param)
        record.update(gain_name=following, gain_param=param, gain=float(gain),
                      recipe_std=float(gain) / math.sqrt(record["fan_in"]))

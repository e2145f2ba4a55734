"""What `init-lint health` found, and how it is printed: a text table with a sparkline per model, or JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

from init_lint.health.flags import Flag, depth_series, finite

HEALTHY, FLAGGED, SKIPPED, ERROR = "healthy", "flagged", "skipped", "error"
SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60
#: the sparkline spans at least this many powers of ten
MIN_DECADES = 2.0
#: a model with more layers prints the first and last ones and every flagged one (all with --all-layers)
FULL_TABLE_ROWS = 40


@dataclass
class ModelHealth:
    name: str
    status: str
    detail: str = ""
    input: str = ""
    input_std: Optional[float] = None
    layers: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    build_s: float = 0.0
    forward_s: float = 0.0

    def stds(self) -> list[Optional[float]]:
        """The std through depth: the input, then each layer with parameters."""
        return [self.input_std] + [self.layers[i]["std"] for i in depth_series(self.layers)]


@dataclass
class FileHealth:
    path: str
    models: list = field(default_factory=list)
    error: Optional[str] = None
    skipped: Optional[str] = None
    seconds: float = 0.0


def exit_code(files: list[FileHealth]) -> int:
    """2 on any error or when no model ran, else 1 when a flag fired, else 0."""
    models = [m for f in files for m in f.models]
    if any(f.error for f in files) or any(m.status == ERROR for m in models):
        return 2
    ran = [m for m in models if m.status in (HEALTHY, FLAGGED)]
    if not ran:
        return 2
    return 1 if any(m.status == FLAGGED for m in ran) else 0


def sparkline(values: list, width: int = SPARK_WIDTH) -> str:
    """One character per depth (buckets keep the largest value when there are more than `width`);
    log scale between the smallest and largest finite positive std (at least 2 decades); `0` for exact
    zero, `!` for inf/NaN."""
    if len(values) > width:
        size = math.ceil(len(values) / width)
        values = [_bucket(values[i:i + size]) for i in range(0, len(values), size)]
    positive = [math.log10(v) for v in values if finite(v) and v > 0]
    low, high = (min(positive), max(positive)) if positive else (0.0, 0.0)
    if high - low < MIN_DECADES:  # a healthy model draws flat, not its noise magnified to full height
        middle = (high + low) / 2
        low, high = middle - MIN_DECADES / 2, middle + MIN_DECADES / 2
    chars = []
    for value in values:
        if value is None:
            chars.append(" ")
        elif not math.isfinite(value):
            chars.append("!")
        elif value <= 0:
            chars.append("0")
        else:
            position = 0 if high == low else (math.log10(value) - low) / (high - low)
            chars.append(SPARKS[min(len(SPARKS) - 1, int(position * len(SPARKS)))])
    return "".join(chars)


def _bucket(values: list):
    if any(v is not None and not math.isfinite(v) for v in values):
        return math.inf
    present = [v for v in values if v is not None]
    return max(present) if present else None


def num(value: Optional[float]) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"


def share(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0%}"


def recipe(layer: dict) -> Optional[str]:
    """The init that keeps the variance through this layer and the activation after it."""
    if not layer.get("fan_in") or layer.get("recipe_std") is None:
        return None
    gain = layer["gain_name"]
    after = f"the {layer['activation']} after it" if layer.get("activation") else "no activation after it"
    param = f", {layer['gain_param']:g}" if layer.get("gain_param") is not None else ""
    call = f"calculate_gain({gain!r}{param})"
    return (f"normal_(weight, std={call} / math.sqrt({layer['fan_in']})) = {layer['recipe_std']:.4g} "
            f"({after}; gain {layer['gain']:.4g}; the weight's std now is {num(layer.get('weight_std'))})")


def format_text(files: list[FileHealth], *, all_layers: bool = False) -> str:
    lines: list[str] = []
    for report in files:
        if report.error:
            lines.append(f"{report.path}: {ERROR}: {report.error}")
        if report.skipped:
            lines.append(f"{report.path}: {SKIPPED}: {report.skipped}")
        for model in report.models:
            lines += _model_lines(report.path, model, all_layers)
    lines.append(summary(files))
    return "\n".join(lines)


def _model_lines(path: str, model: ModelHealth, all_layers: bool) -> list[str]:
    head = f"{path}::{model.name}: {model.status}"
    if model.status in (SKIPPED, ERROR):
        return [f"{head}: {model.detail}"]
    stds = model.stds()
    kinds = sorted({f.kind for f in model.flags})
    lines = [f"{head}{' (' + ', '.join(kinds) + ')' if kinds else ''}; input {model.input}; "
             f"build {model.build_s:.2f} s, forward {model.forward_s:.2f} s",
             f"  std through depth  {sparkline(stds)}  {num(stds[0])} -> {num(stds[-1])} over {len(stds) - 1} layers"]
    flagged = {f.at for f in model.flags} | {f.cause for f in model.flags if f.cause is not None}
    rows = range(len(model.layers))
    if len(model.layers) > FULL_TABLE_ROWS and not all_layers:
        keep = set(range(10)) | set(range(len(model.layers) - 10, len(model.layers))) | flagged
        rows = sorted(keep)
    header = f"  {'#':>4}  {'layer':30} {'kind':14} {'mean':>9} {'std':>9} {'gain':>8} {'zeros':>6} {'sat.':>5}  flag"
    lines.append(header)
    previous = -1
    for index in rows:
        if index != previous + 1:
            lines.append(f"  {'':>4}  ... {index - previous - 1} layers ...")
        previous = index
        lines.append(_row(index, model))
    for flag in model.flags:
        lines += _flag_lines(model, flag)
    return lines


def _row(index: int, model: ModelHealth) -> str:
    layer = model.layers[index]
    name = layer["name"] + (f" #{layer['call']}" if layer.get("call", 1) > 1 else "")
    marks = ", ".join(f.kind for f in model.flags if f.at == index)
    if not layer.get("measured"):
        return f"  {index + 1:>4}  {name[:30]:30} {layer['kind'][:14]:14} {'(no floating output)':>44}"
    measurable = finite(layer.get("in_std")) and layer["in_std"] and finite(layer["std"])
    gain = layer["std"] / layer["in_std"] if measurable else None
    return (f"  {index + 1:>4}  {name[:30]:30} {layer['kind'][:14]:14} {num(layer['mean']):>9} {num(layer['std']):>9} "
            f"{num(gain):>8} {share(layer['zeros']):>6} {share(layer.get('saturated')):>5}  {marks}")


def _flag_lines(model: ModelHealth, flag: Flag) -> list[str]:
    layer = model.layers[flag.at]
    where = f" ({flag.where})" if flag.where else ""
    lines = [f"  {flag.kind} at {layer['name']}{where}: {flag.detail}"]
    if flag.cause is not None:
        cause = model.layers[flag.cause]
        if flag.cause != flag.at:
            where = f", {flag.cause_where}" if flag.cause_where else ""
            lines.append(f"    from {cause['name']} ({cause['kind']}{where})")
        if flag.init:
            lines.append(f"    its weight: {flag.init}")
        held_down = finite(cause.get("mean")) and finite(cause.get("std")) and cause["mean"] < -cause["std"]
        if flag.kind == "dead" and held_down:
            lines.append(f"    its outputs have mean {num(cause['mean'])} against std {num(cause['std'])}: "
                         f"a bias or shift holds them below zero")
        suggestion = recipe(cause)
        if suggestion:
            lines.append(f"    keep the variance: {suggestion}")
    return lines


def summary(files: list[FileHealth]) -> str:
    models = [m for f in files for m in f.models]
    counts = {status: sum(m.status == status for m in models) for status in (HEALTHY, FLAGGED, SKIPPED, ERROR)}
    counts[ERROR] += sum(1 for f in files if f.error)
    verdict = {0: "healthy", 1: "flags fired", 2: "errors, or no model ran"}[exit_code(files)]
    return (f"health of {len(models)} models in {len(files)} files: "
            f"{counts[HEALTHY]} healthy, {counts[FLAGGED]} flagged, "
            f"{counts[SKIPPED]} skipped, {counts[ERROR]} errors; {verdict}")


def _json_number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _json_layer(layer: dict) -> dict:
    return {k: _json_number(v) for k, v in layer.items()}


def to_json(files: list[FileHealth]) -> dict:
    """Non-finite numbers are the strings "inf", "-inf" and "nan" (JSON has no such numbers)."""
    return {
        "files": [
            {
                "path": f.path, "error": f.error, "skipped": f.skipped, "seconds": f.seconds,
                "models": [
                    {
                        "name": m.name, "status": m.status, "detail": m.detail, "input": m.input,
                        "input_std": _json_number(m.input_std), "build_s": m.build_s, "forward_s": m.forward_s,
                        "std_through_depth": [_json_number(s) for s in m.stds()] if m.layers else [],
                        "flags": [
                            {"kind": fl.kind, "layer": m.layers[fl.at]["name"], "index": fl.at, "detail": fl.detail,
                             "constructor": fl.where,
                             "cause": None if fl.cause is None else {
                                 "layer": m.layers[fl.cause]["name"], "index": fl.cause, "constructor": fl.cause_where,
                                 "init": fl.init, "recipe": recipe(m.layers[fl.cause]),
                                 "recipe_std": m.layers[fl.cause].get("recipe_std"),
                                 "gain": m.layers[fl.cause].get("gain"),
                                 "gain_name": m.layers[fl.cause].get("gain_name")}}
                            for fl in m.flags
                        ],
                        "layers": [_json_layer(layer) for layer in m.layers],
                    }
                    for m in f.models
                ],
            }
            for f in files
        ],
        "exit_code": exit_code(files),
    }

"""What is unhealthy in a model's per-layer statistics (pure Python: no torch, runs in the parent).

Depth is the sequence of layers that hold parameters (Linear, Conv, Embedding, norms, ...) in the
order the forward pass ran them, starting from the input batch: their output std is the signal
whose growth init decides.  Activations are judged by what they do to values (dead, saturated),
not by their std, which a sigmoid or a ReLU changes by design.  A normalization layer rescales
the signal to what its own parameters say, so growth and shrinkage are measured between
normalizations: a window starts at the last norm before it (or the input) and never ends on one,
nor on a layer that a norm follows (whatever scale it outputs, the norm undoes).
A layer whose weight is all zeros (a deliberate zero init, e.g. a classifier head or the last norm
of a residual branch) is not judged, nor are the zeros it feeds into the next activations.

* explosion: the std at some depth is at least `explosion` times the std at least `span` layers
  before it, or a layer's output holds inf/NaN;
* vanishing: at most `vanishing` times, same span;
* dead: a layer outputs exact zeros for at least `dead` of its values (dropout excepted);
* saturation: a tanh/sigmoid-like activation outputs values within 0.01 of its bounds for at
  least `saturated` of them.

Explosion and vanishing blame the layer that scaled the most inside the window (the first on a
tie): in a stack of equal layers that is the first one.  Dead and saturated activations blame the
layer with parameters that feeds them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Optional

EXPLODES, VANISHES, DEAD, SATURATED = "explosion", "vanishing", "dead", "saturation"
#: a layer "scales" the signal when its own output/input std ratio moves more than 5% (log scale)
SCALES = math.log(1.05)


@dataclass(frozen=True)
class Thresholds:
    explosion: float = 10.0
    vanishing: float = 0.1
    span: int = 3
    dead: float = 0.9
    saturated: float = 0.9

    def validate(self) -> "Thresholds":
        if not self.explosion > 1:
            raise ValueError("the explosion factor must be above 1")
        if not 0 < self.vanishing < 1:
            raise ValueError("the vanishing factor must be between 0 and 1")
        if self.span < 1:
            raise ValueError("the span must be at least 1 layer")
        for name in ("dead", "saturated"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"the {name} share must be in (0, 1]")
        return self

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Flag:
    kind: str
    #: index in the layer records of the layer where the symptom shows
    at: int
    #: index of the layer with parameters blamed for it (its constructor and init are reported)
    cause: Optional[int]
    detail: str
    #: filled by the static analysis in the parent: "file:line" of the flagged layer's and the blamed
    #: layer's constructors, and what the analysis knows about the init of the blamed layer's weight
    where: Optional[str] = None
    cause_where: Optional[str] = None
    init: Optional[str] = None


def depth_series(layers: list[dict]) -> list[int]:
    """Indices of the measured layers with parameters, in forward order."""
    return [i for i, layer in enumerate(layers) if layer.get("weighted") and layer.get("measured")]


def finite(value: Optional[float]) -> bool:
    return value is not None and math.isfinite(value)


def find_flags(layers: list[dict], input_std: Optional[float], thresholds: Thresholds) -> list[Flag]:
    flags: list[Flag] = []
    flags += _growth_flags(layers, input_std, thresholds)
    runs: dict[str, list] = {DEAD: [], SATURATED: []}  # [first index, last index, count] of consecutive layers
    for index, layer in enumerate(layers):
        if not layer.get("measured"):
            continue
        feeder = _feeder(layers, index)
        zero_weight = feeder is not None and layers[feeder].get("weight_std") == 0.0  # zeros by a deliberate zero init
        dead = (layer["zeros"] >= thresholds.dead and not layer.get("by_design_zeros") and layer["numel"] > 1
                and not zero_weight)
        saturated = layer.get("saturated") is not None and layer["saturated"] >= thresholds.saturated
        for kind, hit in ((DEAD, dead), (SATURATED, saturated)):
            if not hit:
                continue
            run = runs[kind][-1] if runs[kind] else None
            if run is not None and _only_flagged_between(layers, run[1], index, kind, thresholds):
                run[1], run[2] = index, run[2] + 1
            else:
                runs[kind].append([index, index, 1])
    for kind, found in runs.items():
        for first, _, count in found:
            layer = layers[first]
            what = (f"{layer['zeros']:.0%} of its outputs are exactly 0" if kind == DEAD
                    else f"{layer['saturated']:.0%} of its outputs are within 0.01 of the bounds")
            if count > 1:
                what += f" (and so are the {count - 1} {'layer' if count == 2 else 'layers'} flagged after it)"
            flags.append(Flag(kind, first, _feeder(layers, first), what))
    return flags


def _only_flagged_between(layers: list[dict], last: int, index: int, kind: str, thresholds: Thresholds) -> bool:
    """Whether every measured layer strictly between two flagged ones is flagged the same way, or
    neutral (an activation after a dead layer outputs zeros too, but is not counted twice)."""
    for between in layers[last + 1:index]:
        if not between.get("measured"):
            continue
        if kind == DEAD and between["zeros"] < thresholds.dead:
            return False
        if kind == SATURATED and between.get("weighted"):
            return False
    return True


def _growth_flags(layers: list[dict], input_std: Optional[float], thresholds: Thresholds) -> list[Flag]:
    depth = depth_series(layers)
    stds = [input_std] + [layers[i]["std"] for i in depth]
    # a normalization layer sets the scale anew: growth before it does not reach past it, so a window
    # starts at the last one (its output is the base) and never ends on one or just before one; a layer whose weight is
    # all zeros (a deliberate zero init, INI003's business) outputs its bias and judges nothing either
    resets = [0] * len(stds)
    skipped = [False] * len(stds)
    for k in range(1, len(stds)):
        layer = layers[depth[k - 1]]
        resets[k] = k if layer.get("norm") else resets[k - 1]
        followed_by_norm = k < len(depth) and bool(layers[depth[k]].get("norm"))
        skipped[k] = bool(layer.get("norm")) or layer.get("weight_std") == 0.0 or followed_by_norm
    flags: list[Flag] = []
    nonfinite = next((k for k in range(1, len(stds))
                      if not finite(stds[k]) or layers[depth[k - 1]]["nonfinite"] > 0), None)
    for kind, factor in ((EXPLODES, thresholds.explosion), (VANISHES, thresholds.vanishing)):
        for k in range(thresholds.span, len(stds)):
            if nonfinite is not None and k >= nonfinite:
                break
            if skipped[k]:
                continue
            window = [s for i, s in enumerate(stds[: k - thresholds.span + 1])
                      if i >= resets[k] and (i == resets[k] or not skipped[i]) and finite(s) and s > 0]
            if not window or not finite(stds[k]):
                continue
            if kind == EXPLODES:
                base = min(window)
                hit = stds[k] >= factor * base
            else:
                base = max(window)
                hit = stds[k] <= factor * base
            if hit:
                start = max(i for i in range(resets[k], k - thresholds.span + 1) if stds[i] == base)
                cause = _most_scaling(layers, depth, stds, start, k, kind)
                detail = f"std {_num(base)} -> {_num(stds[k])} ({_num(stds[k] / base)}x) over {k - start} layers"
                if cause is None:
                    detail += ("; no layer with parameters scales it by itself: it happens between them "
                               "(residual additions, functional operations)")
                flags.append(Flag(kind, depth[k - 1], cause, detail))
                break
    if nonfinite is not None:
        at = depth[nonfinite - 1]
        if not any(f.kind == EXPLODES for f in flags):
            flags.append(Flag(EXPLODES, at, at, "its output holds inf/NaN"))
        else:
            flag = next(f for f in flags if f.kind == EXPLODES)
            flag.detail += f"; inf/NaN from {layers[at]['name']} (depth {nonfinite})"
    return flags


def _most_scaling(layers: list[dict], depth: list[int], stds: list, start: int, end: int, kind: str) -> Optional[int]:
    """The layer in the window whose own output/input std ratio moved most in the flagged direction."""
    scores = []
    for k in range(start + 1, end + 1):
        layer = layers[depth[k - 1]]
        before = layer.get("in_std") if finite(layer.get("in_std")) else stds[k - 1]
        if not (finite(before) and before > 0 and finite(stds[k]) and stds[k] > 0):
            continue
        ratio = math.log(stds[k] / before)
        scores.append((ratio if kind == EXPLODES else -ratio, depth[k - 1]))
    top = max((score for score, _ in scores), default=0.0)
    if top < SCALES:
        return None  # no layer scales it by itself: the change happens between layers (residual sums, functional ops)
    # the first layer that scales nearly as much as the worst one: in a stack of equal layers, the first
    return next(index for score, index in scores if score >= 0.8 * top)


def _feeder(layers: list[dict], index: int) -> Optional[int]:
    if layers[index].get("weighted"):
        return index
    for earlier in range(index - 1, -1, -1):
        if layers[earlier].get("weighted"):
            return earlier
    return None


def _num(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e4 else f"{value:.2e}"

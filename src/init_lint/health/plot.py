"""`--plot FILE.png`: the picture people draw by hand in notebooks, one line per model.

Top: std of each layer with parameters against depth (log scale; the input at depth 0), flagged
layers marked, inf/NaN drawn as a cross at the top edge.  Bottom: share of exact zeros at the same
depths.  Needs matplotlib (`pip install 'init-lint[plot]'`); runs in the parent, on numbers only.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Optional

from init_lint.health.flags import depth_series, finite
from init_lint.health.results import FLAGGED, HEALTHY, FileHealth


def matplotlib_missing() -> Optional[str]:
    try:
        found = importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):
        found = False
    return None if found else "needs matplotlib: pip install 'init-lint[plot]'"


def plot_health(files: list[FileHealth], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    import matplotlib.pyplot as plt

    models = [(report.path, m) for report in files for m in report.models if m.status in (HEALTHY, FLAGGED)]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    finite_values = [v for _, m in models for v in m.stds() if finite(v) and v > 0]
    ceiling = max(finite_values) * 10 if finite_values else 10.0
    floor = min(finite_values) / 10 if finite_values else 0.1
    for path, model in models:
        depth = depth_series(model.layers)
        stds = model.stds()
        xs = list(range(len(stds)))
        label = f"{Path(path).name}::{model.name}"
        shown = [v if finite(v) and v > 0 else math.nan for v in stds]
        (line,) = top.plot(xs, shown, marker=".", markersize=3, linewidth=1.4, label=label)
        color = line.get_color()
        broken = [x for x, v in zip(xs, stds) if v is not None and (not math.isfinite(v))]
        if broken:
            top.scatter(broken, [ceiling] * len(broken), marker="x", color=color, s=14, clip_on=False)
        zeros = [v for v in stds if v == 0]
        if zeros:
            top.scatter([x for x, v in zip(xs, stds) if v == 0], [floor] * len(zeros), marker="v", color=color, s=14,
                        clip_on=False)
        position = {index: k + 1 for k, index in enumerate(depth)}
        for flag in model.flags:
            x = position.get(flag.at)
            if x is None:  # an activation: mark the depth of the layer that feeds it
                x = position.get(flag.cause, None)
            if x is None:
                continue
            y = stds[x] if finite(stds[x]) and stds[x] > 0 else (ceiling if stds[x] != 0 else floor)
            top.scatter([x], [y], s=110, facecolors="none", edgecolors=color, linewidths=1.8, zorder=5)
            top.annotate(f"{flag.kind}: {model.layers[flag.at]['name']}", (x, y), textcoords="offset points",
                         xytext=(6, 6), fontsize=7, color=color)
        dead = [_dead_after(model.layers, i) for i in depth]
        bottom.plot(range(1, len(dead) + 1), dead, marker=".", markersize=3, linewidth=1.2, color=color)
    top.set_yscale("log")
    top.set_ylim(floor / 2, ceiling * 2)
    top.set_ylabel("std of the layer's output (log)")
    top.set_title("init-lint health: std and dead share through depth (circles: flagged layers; x: inf/NaN)")
    top.grid(True, which="major", alpha=0.3)
    if models:
        top.legend(fontsize=7, loc="best")
    bottom.set_ylabel("share of zeros")
    bottom.set_ylim(-0.05, 1.05)
    bottom.set_xlabel("depth (layers with parameters, in forward order; 0 = the input)")
    bottom.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(target, dpi=120)
    plt.close(figure)


def _dead_after(layers: list[dict], index: int) -> float:
    """The largest share of zeros among a layer's output and the activations right after it (a ReLU's
    dead units belong to the layer that feeds it)."""
    share = layers[index]["zeros"]
    for later in layers[index + 1:]:
        if later.get("weighted"):
            break
        if later.get("measured") and not later.get("by_design_zeros"):
            share = max(share, later["zeros"])
    return share

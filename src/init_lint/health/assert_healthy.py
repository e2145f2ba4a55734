"""`assert_healthy(model, example_input)`: the health check inside a user's own test suite.

    def test_init_keeps_the_signal():
        model = MyNet()
        init_lint.health.assert_healthy(model, torch.randn(8, 3, 32, 32))

It runs in the calling process (the caller has imported torch and built the model), one forward
pass as `init-lint health` does, and raises AssertionError with the table when a flag fires.
"""

from __future__ import annotations

from typing import Any, Optional

from init_lint.health.flags import Thresholds, find_flags
from init_lint.health.results import FLAGGED, HEALTHY, FileHealth, ModelHealth, format_text


def assert_healthy(model: Any, example_input: Any, *, thresholds: Optional[Thresholds] = None) -> ModelHealth:
    """Raise AssertionError (with the per-layer table) when the model's forward pass on `example_input`
    explodes, vanishes, or has dead or saturated layers.  `example_input` is a tensor, a tuple of
    positional arguments or a dict of keyword arguments; it is used as given.  Returns the report."""
    import torch

    from init_lint.health.inputs import _as_call
    from init_lint.health.profile import input_std, profile_forward

    thresholds = (thresholds or Thresholds()).validate()
    args, kwargs = _as_call(example_input, torch)
    layers, seconds = profile_forward(model, args, kwargs, torch)
    base = input_std(args, kwargs, torch)
    flags = find_flags(layers, base, thresholds)
    report = ModelHealth(type(model).__name__, FLAGGED if flags else HEALTHY, input="the example input", input_std=base,
                         layers=layers, flags=flags, forward_s=seconds)
    if flags:
        raise AssertionError("init-lint health: the model's init is not healthy:\n"
                             + format_text([FileHealth("<model>", models=[report])]))
    return report

"""Run-time health of a model's init: one forward pass, statistics per layer, flags with the line to blame.

`init-lint health PATH[::Class]` builds each model in a worker process (the verifier's machinery:
timeout, `INIT_LINT_ARGS`), feeds it one unit-variance batch (`INIT_LINT_INPUTS`, the model's
`example_input_array` / `dummy_inputs`, or a batch inferred from its first layer) and reports, per
leaf module in forward order, the mean, std, share of zeros and share saturated, and the std's
growth through depth.  Explosion, vanishing, dead and saturated layers are flagged and pointed at
their constructor and the init of their weights, with the init that would keep the variance.

`assert_healthy(model, example_input)` runs the same check inside a user's test (in process:
the caller has imported torch and built the model).
"""

from init_lint.health.assert_healthy import assert_healthy
from init_lint.health.flags import Thresholds
from init_lint.health.results import FileHealth, ModelHealth, exit_code, format_text, to_json
from init_lint.health.runner import health_file, health_paths

__all__ = [
    "FileHealth",
    "ModelHealth",
    "Thresholds",
    "assert_healthy",
    "exit_code",
    "format_text",
    "health_file",
    "health_paths",
    "to_json",
]

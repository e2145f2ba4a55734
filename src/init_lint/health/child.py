"""The worker half of `init-lint health`: import one file, build its models, run one profiled batch each.

Runs only in a worker process started by the verifier's machinery (`verify/processes.py`: the fork
server or a fresh interpreter, in its own session, killed on timeout); `verify/child.py` hands a
request with `"task": "init_lint.health.child:run_health"` here.  Models are built as `verify`
builds them (`INIT_LINT_ARGS`, same seed); the input is chosen by `inputs.choose_input`.

Events, one JSON line each in `<out>/events.jsonl`:

    {"event": "imported"} | {"event": "import_failed", "error": ...}
    {"event": "building", "class": C} / {"event": "running", "class": C}
    {"event": "profiled", "class": C, "input": ..., "input_std": ..., "layers": [...], "build_s": ..., "forward_s": ...}
    {"event": "skipped", "class": C, "reason": ...}
    {"event": "failed", "class": C, "stage": "build" | "input" | "forward", "error": ..., "declared": bool}
    {"event": "done"}
"""

from __future__ import annotations

import time
from pathlib import Path

from init_lint.health.inputs import INPUTS_VARIABLE, InputError, NotRun, choose_input
from init_lint.health.profile import input_std, profile_forward
from init_lint.verify.child import (
    ARGS_VARIABLE, Events, constructor_for, import_source, module_classes, one_line_error, seed_everything,
)

TASK = "init_lint.health.child:run_health"


def run_health(request: dict) -> None:
    out = Path(request["out"])
    events = Events(out / "events.jsonl")

    import torch

    # the fork server set these up for `verify` (NaN in uninitialized memory costs every allocation):
    # a health run measures the model as training runs it
    torch.use_deterministic_algorithms(False)
    torch.utils.deterministic.fill_uninitialized_memory = False
    try:
        module = import_source(request)
    except BaseException as error:  # SystemExit and KeyboardInterrupt from user code are import failures too
        events.emit("import_failed", error=one_line_error(error, request["file"]))
        return
    events.emit("imported")
    declared = getattr(module, ARGS_VARIABLE, {})
    inputs = getattr(module, INPUTS_VARIABLE, {})
    for variable, value in ((ARGS_VARIABLE, declared), (INPUTS_VARIABLE, inputs)):
        if not isinstance(value, dict):
            events.emit("import_failed", error=f"{variable} must be a dict keyed by class name")
            return
    wanted = request.get("class")
    classes = module_classes(module, torch.nn.Module)
    if wanted is not None:
        classes = [cls for cls in classes if cls.__qualname__ == wanted]
        if not classes:
            events.emit("import_failed", error=f"the file defines no nn.Module class {wanted!r}")
            return
    for cls in classes:
        _profile_class(cls, declared, inputs, request, events, torch, explicit=wanted is not None)
    events.emit("done")


def _profile_class(cls, declared: dict, inputs: dict, request: dict, events: Events, torch, explicit: bool) -> None:
    name = cls.__qualname__
    events.emit("building", **{"class": name})
    try:
        factory, skip_reason = constructor_for(cls, declared)
    except ValueError as error:
        events.emit("failed", **{"class": name, "stage": "build", "error": str(error), "declared": True})
        return
    if factory is None:
        if explicit:  # the user named this class: not being able to build it is an error
            events.emit("failed", **{"class": name, "stage": "build", "error": skip_reason, "declared": True})
        else:
            events.emit("skipped", **{"class": name, "reason": skip_reason})
        return
    seed_everything(request["seed"])
    started = time.perf_counter()
    try:
        model = factory()
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"the factory returned {type(model).__name__}, not an nn.Module")
    except BaseException as error:
        events.emit("failed", **{"class": name, "stage": "build", "error": one_line_error(error, request["file"]),
                                 "declared": name in declared or explicit})
        return
    build_s = time.perf_counter() - started
    try:
        args, kwargs, described = choose_input(model, name, inputs, request.get("input_shape"), torch)
    except NotRun as why:
        events.emit("skipped", **{"class": name, "reason": str(why)})
        return
    except BaseException as error:
        message = str(error) if isinstance(error, InputError) else one_line_error(error, request["file"])
        events.emit("failed", **{"class": name, "stage": "input", "error": message, "declared": True})
        return
    events.emit("running", **{"class": name, "input": described})
    try:
        layers, forward_s = profile_forward(model, args, kwargs, torch)
    except BaseException as error:
        message = one_line_error(error, request["file"])
        if INPUTS_VARIABLE not in described:  # the input was guessed: say how to give the right one
            message += f"; on {described}: declare {INPUTS_VARIABLE} or pass --input-shape"
        events.emit("failed", **{"class": name, "stage": "forward", "error": message, "declared": True,
                                 "input": described})
        return
    events.emit("profiled", **{"class": name, "input": described, "input_std": input_std(args, kwargs, torch),
                               "layers": layers,
                               "build_s": build_s, "forward_s": forward_s})

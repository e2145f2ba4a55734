"""`init-lint health PATH[::Class]`: the command line (hooked into cli.py by `add_health_arguments`).

Exit codes: 0 every model that ran is healthy, 1 a flag fired, 2 an error (import, build, input,
forward, timeout), no model ran, or no torch.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from init_lint.health.flags import Thresholds
from init_lint.health.runner import DEFAULT_TIMEOUT, split_target

INSTALL_HINT = "init-lint health runs your models and needs PyTorch: pip install 'init-lint[verify]'"
_THRESHOLD_OPTIONS = (
    ("--explosion-factor", "explosion", float, "std growth that counts as explosion (default 10)"),
    ("--vanishing-factor", "vanishing", float, "std shrinkage that counts as vanishing (default 0.1)"),
    ("--span", "span", int, "layers the growth or shrinkage must span (default 3)"),
    ("--dead-share", "dead", float, "share of exact zeros that makes a layer dead (default 0.9)"),
    ("--saturated-share", "saturated", float, "share of saturated outputs that flags a tanh/sigmoid (default 0.9)"),
)


def add_health_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="PATH[::Class]", help="files or folders whose models to run")
    parser.add_argument("--input-shape", type=_shape, help="the batch shape to feed every model, e.g. 16,3,32,32")
    parser.add_argument("--seed", type=int, default=0, help="seed of the build and the batch (default 0)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds each file may take to import, build and run (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=None, help="files run at once (default: half the CPUs)")
    parser.add_argument("--output-format", choices=("text", "json"), default="text")
    parser.add_argument("--all-layers", action="store_true", help="print every layer of long models")
    parser.add_argument("--plot", type=Path, metavar="FILE.png",
                        help="draw std (log scale) and dead share against depth (needs init-lint[plot])")
    parser.add_argument("--config", type=Path, help="a pyproject.toml to read [tool.init-lint.health] from")
    parser.add_argument("--isolated", action="store_true", help="ignore configuration files")
    for option, _, kind, text in _THRESHOLD_OPTIONS:
        parser.add_argument(option, type=kind, default=None, help=text)


def _shape(text: str) -> tuple:
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a shape: {text!r} (write it like 16,3,32,32)") from None
    if not shape or any(size <= 0 for size in shape):
        raise argparse.ArgumentTypeError(f"not a shape: {text!r} (positive sizes, like 16,3,32,32)")
    return shape


def thresholds_for(args: argparse.Namespace) -> Thresholds:
    """The config's [tool.init-lint.health] table, overridden by the options."""
    from init_lint.config import find_pyproject, load_settings

    thresholds = Thresholds()
    if not args.isolated:
        anchor = split_target(args.targets[0])[0]
        config = args.config or find_pyproject(anchor if anchor.exists() else Path.cwd())
        if config is not None:
            thresholds = replace(thresholds, **dict(load_settings(config).health))
    options = {name: getattr(args, option.lstrip("-").replace("-", "_")) for option, name, _, _ in _THRESHOLD_OPTIONS}
    return replace(thresholds, **{k: v for k, v in options.items() if v is not None}).validate()


def run_health_command(args: argparse.Namespace) -> int:
    from init_lint.verify.command import torch_installed

    if not torch_installed():
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    if args.timeout <= 0:
        print("init-lint health: --timeout must be positive", file=sys.stderr)
        return 2
    try:
        thresholds = thresholds_for(args)
    except ValueError as error:
        print(f"init-lint health: {error}", file=sys.stderr)
        return 2
    if args.plot is not None:
        from init_lint.health.plot import matplotlib_missing

        missing = matplotlib_missing()
        if missing:
            print(f"init-lint health: --plot {missing}", file=sys.stderr)
            return 2

    from init_lint.health.results import exit_code, format_text, to_json
    from init_lint.health.runner import health_paths

    files = health_paths(args.targets, input_shape=args.input_shape, thresholds=thresholds, seed=args.seed,
                         timeout=args.timeout, jobs=args.jobs)
    if args.output_format == "json":
        report = to_json(files)
        report["thresholds"] = thresholds.to_json()
        print(json.dumps(report, indent=2))
    else:
        print(format_text(files, all_layers=args.all_layers))
    code = exit_code(files)
    if args.plot is not None:
        from init_lint.health.plot import plot_health

        try:
            plot_health(files, args.plot)
        except (OSError, ValueError) as error:
            print(f"init-lint health: cannot write {args.plot}: {error}", file=sys.stderr)
            return 2
        print(f"plot written to {args.plot}", file=sys.stderr)
    return code


def main(argv=None) -> int:
    """`python -m init_lint.health.command`."""
    parser = argparse.ArgumentParser(prog="init-lint health", description=__doc__)
    add_health_arguments(parser)
    return run_health_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""What `init-lint health` costs, against one build plus one forward pass of the same model, and what
it says about real models built from the corpus sources.

Run with the project's venv (torch needed), by hand, not in CI:

    .venv/bin/python benchmarks/health_bench.py                  # fixtures + corpus models, 3 reps
    .venv/bin/python benchmarks/health_bench.py --reps 5 --skip corpus
    .venv/bin/python benchmarks/health_bench.py --skip cost      # only the corpus models' verdicts

Cost: for each model, in alternation, `reps` times each, medians:
  * baseline: a fresh `python` that imports torch, executes the file, builds the model and runs one
    forward pass on the input health would choose (no hooks): what a user's own check costs;
  * health: `init-lint health FILE::Class --output-format json`, the whole command (fork server,
    worker, hooks, statistics, static analysis of flagged layers).
  The goal is health / baseline <= 3.  Inside the worker, the profiled forward pass is also
  compared with the baseline's plain one (the hooks' own overhead).

Corpus: model wrappers (a subclass of a library class plus INIT_LINT_ARGS / INIT_LINT_INPUTS) are
written to a temporary folder and run with `init-lint health`; the corpus packages are made
importable by a small `_corpus.py` there (torchvision's package __init__ is skipped: the source tree
has no compiled operators).  A wrapper whose imports fail is reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path("/tmp/init-lint-corpus")
EXTRA_PATH = "/tmp/health-deps"  # optional: packages the corpus needs (einops for vit_pytorch), never the venv

BASELINE = r"""
import importlib.util, json, os, sys, time
started = time.perf_counter()
import torch
path, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(path))
spec = importlib.util.spec_from_file_location("bench_model", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from init_lint.health.inputs import choose_input
from init_lint.verify.child import constructor_for, seed_everything
cls = getattr(module, name)
factory, _ = constructor_for(cls, getattr(module, "INIT_LINT_ARGS", {}))
seed_everything(0)
t0 = time.perf_counter()
model = factory()
t1 = time.perf_counter()
args, kwargs, _ = choose_input(model, name, getattr(module, "INIT_LINT_INPUTS", {}), None, torch)
model.train()
t2 = time.perf_counter()
with torch.no_grad():
    model(*args, **kwargs)
t3 = time.perf_counter()
print(json.dumps({"build_s": t1 - t0, "forward_s": t3 - t2, "inside_s": t3 - started}))
"""

FIXTURE_CASES = [
    ("fixtures/health/linear_stacks.py", "KaimingReluStack"),
    ("fixtures/health/linear_stacks.py", "RandnStack"),
    ("fixtures/health/sigmoid_mlp.py", "XavierSigmoidMLP"),
]

CORPUS_HELPER = '''
"""Corpus packages importable without compiled parts or network (torchvision's __init__ skipped)."""
import sys
import types

CORPUS = {corpus!r}
for entry in ({extra!r}, *(f"{{CORPUS}}/{{name}}" for name in ("timm", "vit_pytorch"))):
    if entry not in sys.path:
        sys.path.insert(0, entry)
if "torchvision" not in sys.modules:
    package = types.ModuleType("torchvision")
    package.__path__ = [f"{{CORPUS}}/torchvision/torchvision"]
    package.__version__ = "0.29.1"
    sys.modules["torchvision"] = package
'''

#: file name -> (import line, class name, base, INIT_LINT_ARGS entry text or None, INIT_LINT_INPUTS entry text or None)
CORPUS_MODELS = {
    "tv_resnet18.py": ("from torchvision.models.resnet import BasicBlock, ResNet", "TorchvisionResNet18", "ResNet",
                       "((BasicBlock, [2, 2, 2, 2]), {})", None),
    "tv_alexnet.py": ("from torchvision.models.alexnet import AlexNet", "TorchvisionAlexNet", "AlexNet", None, None),
    "tv_mobilenet_v3_small.py": ("from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf",
                                 "TorchvisionMobileNetV3Small", "MobileNetV3",
                                 '(_mobilenet_v3_conf("mobilenet_v3_small"), {})', None),
    "tv_efficientnet_b0.py": ("from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf",
                              "TorchvisionEfficientNetB0", "EfficientNet",
                              'lambda: TorchvisionEfficientNetB0(_efficientnet_conf("efficientnet_b0", width_mult=1.0, '
                              'depth_mult=1.0)[0], 0.2, last_channel=None)', None),
    "tv_squeezenet1_1.py": ("from torchvision.models.squeezenet import SqueezeNet", "TorchvisionSqueezeNet11",
                            "SqueezeNet", '((), {"version": "1_1"})', None),
    "tv_shufflenet_v2.py": ("from torchvision.models.shufflenetv2 import ShuffleNetV2", "TorchvisionShuffleNetV2",
                            "ShuffleNetV2", "(([4, 8, 4], [24, 116, 232, 464, 1024]), {})", None),
    "tv_vit_small.py": ("from torchvision.models.vision_transformer import VisionTransformer", "TorchvisionViTSmall",
                        "VisionTransformer", "((), dict(image_size=64, patch_size=8, num_layers=6, num_heads=4, "
                        "hidden_dim=128, mlp_dim=512))", "(16, 3, 64, 64)"),
    "timm_vit_tiny.py": ("from timm.models.vision_transformer import VisionTransformer", "TimmViTTiny",
                         "VisionTransformer", "((), dict(img_size=64, patch_size=8, embed_dim=192, depth=12, "
                         "num_heads=3))", "(16, 3, 64, 64)"),
    "timm_convnext_atto.py": ("from timm.models.convnext import ConvNeXt", "TimmConvNeXtAtto", "ConvNeXt",
                              "((), dict(depths=(2, 2, 6, 2), dims=(40, 80, 160, 320), conv_mlp=True))", None),
    "timm_mixer.py": ("from timm.models.mlp_mixer import MlpMixer", "TimmMixerSmall", "MlpMixer",
                      "((), dict(img_size=64, patch_size=8, num_blocks=8, embed_dim=256))", "(16, 3, 64, 64)"),
    "vitpytorch_vit.py": ("from vit_pytorch.vit import ViT", "VitPytorchViT", "ViT",
                          "((), dict(image_size=64, patch_size=8, num_classes=10, dim=128, depth=6, heads=4, "
                          "mlp_dim=256))", "(16, 3, 64, 64)"),
}


def env() -> dict:
    paths = [str(REPO / "src"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def timed(command: list, timeout: float = 900) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env(), cwd=REPO, timeout=timeout)
    return time.perf_counter() - started, result


def health(path: str, name: str) -> tuple[float, dict]:
    seconds, result = timed([sys.executable, "-m", "init_lint", "health", f"{path}::{name}", "--output-format", "json",
                             "--timeout", "600"])
    try:
        return seconds, json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"init-lint health {path}::{name} printed no JSON:\n{result.stdout}\n{result.stderr}")


def baseline(path: str, name: str) -> tuple[float, dict]:
    seconds, result = timed([sys.executable, "-c", BASELINE, path, name])
    if result.returncode != 0:
        raise SystemExit(f"baseline {path}::{name} failed:\n{result.stderr}")
    return seconds, json.loads(result.stdout.strip().splitlines()[-1])


def cost(cases: list, reps: int) -> None:
    print(f"== cost: init-lint health vs one build + one forward pass (fresh process each, median of {reps}) ==")
    print(f"{'model':48} {'baseline s':>10} {'health s':>9} {'ratio':>6}   "
          f"{'plain fwd':>9} {'hooked fwd':>10} {'hooks x':>7}")
    ratios = []
    for path, name in cases:
        base_walls, health_walls, plain, hooked = [], [], [], []
        for _ in range(reps):  # alternate, so a busy moment of the machine hits both
            seconds, inside = baseline(path, name)
            base_walls.append(seconds)
            plain.append(inside["forward_s"])
            seconds, report = health(path, name)
            health_walls.append(seconds)
            hooked.append(report["files"][0]["models"][0]["forward_s"])
        b, h = statistics.median(base_walls), statistics.median(health_walls)
        ratios.append(h / b)
        p, k = statistics.median(plain), statistics.median(hooked)
        label = f"{Path(path).name}::{name}"
        overhead = k / p if p else float("nan")
        print(f"{label[:48]:48} {b:10.2f} {h:9.2f} {h / b:6.2f}   {p:9.3f} {k:10.3f} {overhead:7.2f}")
    print(f"ratio health / (build + forward): median {statistics.median(ratios):.2f}, "
          f"max {max(ratios):.2f} (goal <= 3)")


def _num(value) -> str:
    return value if isinstance(value, str) or value is None else f"{value:.3g}"


def write_corpus_models(folder: Path) -> list:
    (folder / "_corpus.py").write_text(CORPUS_HELPER.format(corpus=str(CORPUS), extra=EXTRA_PATH))
    written = []
    for file, (imports, name, base, args, inputs) in CORPUS_MODELS.items():
        text = f"import _corpus  # noqa: F401\n{imports}\n\n\nclass {name}({base}):\n    pass\n"
        if args:
            text += f"\n\nINIT_LINT_ARGS = {{{name!r}: {args}}}\n"
        if inputs:
            text += f"INIT_LINT_INPUTS = {{{name!r}: {inputs}}}\n"
        (folder / file).write_text(text)
        written.append((str(folder / file), name))
    return written


def corpus(folder: Path) -> None:
    print(f"\n== real models from {CORPUS} (random init, small configs, one health run each) ==")
    if not CORPUS.is_dir():
        print("corpus not found: skipped")
        return
    for path, name in write_corpus_models(folder):
        seconds, report = health(path, name)
        file = report["files"][0]
        model = file["models"][0] if file["models"] else None
        if file["error"] or model is None or model["status"] in ("error", "skipped"):
            print(f"{name:30} skipped ({file['error'] or (model and model['detail'])})"[:200])
            continue
        depth = model["std_through_depth"]
        print(f"{name:30} {seconds:6.1f} s (build {model['build_s']:.2f} s, forward {model['forward_s']:.2f} s)  "
              f"{model['status']:8} {len(depth) - 1:3} layers, std {_num(depth[0])} -> {_num(depth[-1])}")
        for flag in model["flags"]:
            cause = flag["cause"] or {}
            print(f"    {flag['kind']} at {flag['layer']}: {flag['detail']}")
            print(f"      constructor {flag['constructor']}; blamed {cause.get('layer')} ({cause.get('constructor')}); "
                  f"init: {cause.get('init')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--skip", action="append", default=[], choices=("cost", "corpus"))
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="init-lint-health-bench-") as folder:
        if "cost" not in args.skip:
            cases = list(FIXTURE_CASES)
            if CORPUS.is_dir():
                models = dict((name, path) for path, name in write_corpus_models(Path(folder)))
                cases += [(models[name], name) for name in ("TorchvisionResNet18", "TimmViTTiny")]
            cost(cases, args.reps)
        if "corpus" not in args.skip:
            corpus(Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

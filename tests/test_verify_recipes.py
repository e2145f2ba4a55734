"""The recipe self-test behind `init-lint verify --recipes`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from init_lint.catalogue import LAYERS  # noqa: E402
from init_lint.fixes.recipes import default_recipe  # noqa: E402
from init_lint.verify.command import add_verify_arguments, run_verify_command  # noqa: E402
from init_lint.verify.recipes import SELFTEST_CONFIGURATIONS, run_recipe_selftest  # noqa: E402

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_every_recipe_matches_the_installed_torch_quickly():
    started = time.perf_counter()
    report = run_recipe_selftest()
    elapsed = time.perf_counter() - started
    assert report.ok, report.format_text()
    assert elapsed < 5
    assert report.torch_version == torch.__version__
    assert len(report.results) == 4 * len(SELFTEST_CONFIGURATIONS)  # float32/float64 x literal/attribute fan_in


def test_the_self_test_covers_every_layer_with_a_recipe():
    tested = {name for name, _, _ in SELFTEST_CONFIGURATIONS}
    recipes = {name for name, spec in LAYERS.items() if not spec.lazy and name != "NonDynamicallyQuantizableLinear"}
    assert tested == recipes
    assert any(kwargs.get("groups", 1) > 1 for name, _, kwargs in SELFTEST_CONFIGURATIONS if name.startswith("ConvTranspose"))
    assert any(not kwargs.get("bias", True) for _, _, kwargs in SELFTEST_CONFIGURATIONS)


def test_a_recipe_with_the_uniform_simplification_fails_in_float64():
    def simplified(spec, layer, names, *, weight, bias, literal_args=None):
        statements = default_recipe(spec, layer, names, weight=weight, bias=bias, literal_args=literal_args)
        if spec.name == "Linear" and weight:
            bound = f"1 / math.sqrt({layer}.in_features)"
            statements[0] = f"{names.init}.uniform_({layer}.weight, -{bound}, {bound})"
        return statements

    report = run_recipe_selftest(recipe=simplified)
    failed = {result.configuration for result in report.failures}
    assert not report.ok
    assert "Linear(3, 4), float64, fan_in literal" in failed
    assert "Linear(3, 4), float32, fan_in literal" not in failed  # the two agree in float32
    assert all(result.layer == "Linear" for result in report.failures)
    assert "weight differs" in report.failures[0].detail


def test_a_recipe_that_forgets_the_bias_fails_on_values_and_rng_state():
    def no_bias(spec, layer, names, *, weight, bias, literal_args=None):
        return default_recipe(spec, layer, names, weight=weight, bias=False, literal_args=literal_args)

    report = run_recipe_selftest(recipe=no_bias)
    conv = next(r for r in report.failures if r.configuration.startswith("Conv2d(3, 8, 3), float32"))
    assert "bias differs" in conv.detail and "random generator" in conv.detail
    passing = {r.configuration.split(",")[0] for r in report.results if r.ok}
    assert passing == {"Linear(5", "Conv2d(6", "ConvTranspose3d(4", "Bilinear(2"}  # the bias=False configurations


def test_a_recipe_that_raises_is_a_failed_check_not_a_crash():
    def broken(spec, layer, names, **_):
        return [f"{layer}.no_such_parameter.uniform_()"]

    report = run_recipe_selftest(recipe=broken)
    assert not report.ok and all("AttributeError" in r.detail for r in report.results)


def test_the_caller_random_state_is_left_alone():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    run_recipe_selftest()
    assert torch.equal(before, torch.get_rng_state())


def parse(argv):
    import argparse

    parser = argparse.ArgumentParser()
    add_verify_arguments(parser)
    return parser.parse_args(argv)


def test_command_text_output(capsys):
    assert run_verify_command(parse(["--recipes"])) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 * len(SELFTEST_CONFIGURATIONS) + 1
    assert out[0].startswith("ok ") and "Linear(3, 4)" in out[0]
    assert out[-1] == f"recipe self-test against torch {torch.__version__}: {len(out) - 1} configurations, all match"


def test_command_json_output(capsys):
    assert run_verify_command(parse(["--recipes", "--output-format", "json"])) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["torch_version"] == torch.__version__ and data["ok"] is True
    assert {"layer", "configuration", "ok", "detail"} == set(data["results"][0])


def test_verify_modules_import_without_torch():
    blocked = "import sys; sys.modules['torch'] = None; "
    code = blocked + "import init_lint.verify, init_lint.verify.command, init_lint.verify.child, init_lint.fixes.recipes; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": SRC}, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_without_torch_the_command_says_how_to_install_it():
    code = "import sys; sys.modules['torch'] = None; from init_lint.verify.command import main; raise SystemExit(main(['--recipes']))"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": SRC}, capture_output=True, text=True)
    assert result.returncode == 2
    assert "pip install 'init-lint[verify]'" in result.stderr

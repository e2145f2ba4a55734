"""The recipe self-test behind `init-lint verify --recipes`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from init_lint.catalogue import LAYERS  # noqa: E402
from init_lint.fixes.recipes import default_recipe  # noqa: E402
from init_lint.verify.command import add_verify_arguments, run_verify_command  # noqa: E402
from init_lint.catalogue import MODULES  # noqa: E402
from init_lint.fixes.recipes import module_recipe  # noqa: E402
from init_lint.verify.recipes import (  # noqa: E402
    MODULE_SELFTEST_CONFIGURATIONS,
    SELFTEST_CONFIGURATIONS,
    run_recipe_selftest,
)

SRC = str(Path(__file__).resolve().parents[1] / "src")


#: float32/float64 x literal/attribute fan_in; the other modules also x skip-init/explicit
CHECKS = 4 * len(SELFTEST_CONFIGURATIONS) + 8 * len(MODULE_SELFTEST_CONFIGURATIONS)
CLASSIC = {name for name, _, _ in SELFTEST_CONFIGURATIONS}


def test_every_recipe_matches_the_installed_torch():
    report = run_recipe_selftest()
    assert report.ok, report.format_text()
    assert report.torch_version == torch.__version__
    assert len(report.results) == CHECKS


def test_the_self_test_covers_every_other_module_in_both_styles():
    tested = {name for name, _, _ in MODULE_SELFTEST_CONFIGURATIONS}
    others = {name for name, spec in MODULES.items() if not spec.lazy and name not in LAYERS}
    assert tested == others - {"LayerNorm"}  # LayerNorm draws nothing: it is checked inside the Transformer layers
    report = run_recipe_selftest()
    styles = {r.configuration.split(", ")[-2] for r in report.results if r.layer in tested}
    assert styles == {"skip-init", "explicit"}
    assert any(kwargs.get("padding_idx") for name, _, kwargs in MODULE_SELFTEST_CONFIGURATIONS if name == "Embedding")
    assert any(kwargs.get("proj_size") for name, _, kwargs in MODULE_SELFTEST_CONFIGURATIONS if name == "LSTM")
    assert any("kdim" in kwargs for name, _, kwargs in MODULE_SELFTEST_CONFIGURATIONS if name == "MultiheadAttention")


def test_a_replay_without_the_zeroed_child_draws_fails_on_the_generator_and_later_values():
    def without_child_draws(spec, layer, names, **kwargs):
        statements = module_recipe(spec, layer, names, **kwargs)
        if kwargs["style"] == "skip-init":
            statements = [s for s in statements if not s.startswith(f"init.uniform_({layer}.out_proj.bias")]
        return statements

    report = run_recipe_selftest(modules=without_child_draws)
    failed = {r.configuration for r in report.failures}
    assert "MultiheadAttention(8, 2), float64, skip-init, arguments literal" in failed
    assert "MultiheadAttention(8, 2, bias=False, add_bias_kv=True), float64, skip-init, arguments literal" not in failed
    assert all(r.layer == "MultiheadAttention" and "skip-init" in r.configuration for r in report.failures)
    assert any("random generator" in r.detail for r in report.failures)


def test_an_explicit_recipe_with_the_wrong_call_names_the_parameter_and_both_calls():
    def normal_embeddings_scaled(spec, layer, names, **kwargs):
        statements = module_recipe(spec, layer, names, **kwargs)
        return [s.replace(".weight)", ".weight, std=0.02)") if spec.name == "Embedding" else s for s in statements]

    report = run_recipe_selftest(modules=normal_embeddings_scaled)
    explicit = [r for r in report.failures if "explicit" in r.configuration]
    assert explicit and all(r.layer == "Embedding" for r in report.failures)
    assert "weight: normal_(" in explicit[0].detail and "std=0x1.47ae147ae147bp-6" in explicit[0].detail
    assert "where torch makes normal_(" in explicit[0].detail


def test_an_explicit_recipe_that_also_writes_another_parameter_fails():
    def lstm_writes_everything(spec, layer, names, **kwargs):
        if spec.name.startswith("LSTM") and kwargs["style"] == "explicit":
            kwargs = {**kwargs, "params": None}
        return module_recipe(spec, layer, names, **kwargs)

    report = run_recipe_selftest(modules=lstm_writes_everything)
    assert {r.layer for r in report.failures} == {"LSTM", "LSTMCell"}
    assert "writes other tensors" in report.failures[0].detail


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
    passing = {r.configuration.split(",")[0] for r in report.results if r.ok and r.layer in CLASSIC}
    assert passing == {"Linear(5", "Conv2d(6", "ConvTranspose3d(4", "Bilinear(2"}  # the bias=False configurations


def test_a_recipe_that_raises_is_a_failed_check_not_a_crash():
    def broken(spec, layer, names, **_):
        return [f"{layer}.no_such_parameter.uniform_()"]

    report = run_recipe_selftest(recipe=broken, modules=broken)
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
    assert len(out) == CHECKS + 1
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

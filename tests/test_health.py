"""`init-lint health`: the numbers of issue 13 reproduced on fixtures/health, flags pointed at their lines,
the output formats, exit codes, errors and timeouts, and `assert_healthy` in process."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from init_lint.config import ConfigError, load_settings
from init_lint.health import Thresholds, exit_code, format_text, health_file, to_json
from init_lint.health.command import add_health_arguments, thresholds_for
from init_lint.health.flags import find_flags
from init_lint.health.results import sparkline
from init_lint.health.static import SourceIndex

torch = pytest.importorskip("torch")

REPO = Path(__file__).resolve().parent.parent
HEALTH = REPO / "fixtures" / "health"
EXPECT = re.compile(r"^class (\w+)\(.*#\s*expect-health:\s*(\w+)(?:;\s*with span 1:\s*(\w+))?", re.MULTILINE)


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def _models(report) -> dict:
    return {m.name: m for m in report.models}


_stacks_report = None


@pytest.fixture(scope="module")
def stacks():
    global _stacks_report
    if _stacks_report is None:
        _stacks_report = health_file(HEALTH / "linear_stacks.py", timeout=300)
    return _stacks_report


@pytest.mark.parametrize("path", sorted(HEALTH.glob("*.py")), ids=lambda p: p.name)
def test_every_fixture_is_judged_as_its_comments_say(path: Path, stacks) -> None:
    expected = EXPECT.findall(path.read_text())
    assert expected, f"{path.name} declares no `# expect-health:`"
    report = _stacks_report if path.name == "linear_stacks.py" and _stacks_report else health_file(path, timeout=300)
    assert report.error is None, report.error
    models = _models(report)
    for thresholds, column in ((Thresholds(), 1), (Thresholds(span=1), 2)):
        for row in expected:
            name, want = row[0], row[column] or row[1]
            kinds = {f.kind for f in find_flags(models[name].layers, models[name].input_std, thresholds)}
            if want == "healthy":
                assert not kinds, (name, thresholds, format_text([report]))
            else:
                assert want in kinds, (name, want, format_text([report]))


def test_randn_stack_explodes_to_inf_around_layer_28_and_blames_the_first_layer(stacks) -> None:
    model = _models(stacks)["RandnStack"]
    flag = next(f for f in model.flags if f.kind == "explosion")
    assert model.layers[flag.cause]["name"] == "layers.0"
    line = _line_of(HEALTH / "linear_stacks.py", "nn.ModuleList([nn.Linear(")
    assert flag.cause_where == f"{HEALTH / 'linear_stacks.py'}:{line}"
    assert flag.where == flag.cause_where  # every layer of the stack comes from the same constructor
    assert "copy_(self.draw(width))" in flag.init
    first_broken = next(i for i, s in enumerate(model.stds()) if not (s < float("inf")))
    assert 26 <= first_broken <= 30, model.stds()[:32]
    assert 20 <= model.stds()[1] <= 25  # one layer: sqrt(512) = 22.6
    assert flag.cause is not None and abs(model.layers[flag.cause]["recipe_std"] - 1 / 512 ** 0.5) < 1e-9


def test_small_randn_stack_vanishes_to_exactly_zero(stacks) -> None:
    model = _models(stacks)["TinyRandnStack"]
    assert {"vanishing", "dead"} <= {f.kind for f in model.flags}
    assert model.stds()[-1] == 0.0
    assert 0.2 <= model.stds()[1] <= 0.25  # 0.01 * sqrt(512)


@pytest.mark.parametrize("name", ["ScaledRandnStack", "KaimingReluStack"])
def test_scaled_stacks_hold_the_std(stacks, name: str) -> None:
    model = _models(stacks)[name]
    assert model.status == "healthy", format_text([stacks])
    assert all(0.2 < s < 5 for s in model.stds()), model.stds()


def test_randn_first_layer_gives_std_28_and_span_1_blames_fc1() -> None:
    path = HEALTH / "first_layer_randn.py"
    report = health_file(path, thresholds=Thresholds(span=1))
    model = _models(report)["RandnFirstLayer"]
    assert 27 <= model.layers[0]["std"] <= 30
    flag = next(f for f in model.flags if f.kind == "explosion")
    assert model.layers[flag.cause]["name"] == "fc1"
    assert flag.cause_where.endswith(f":{_line_of(path, 'self.fc1 = nn.Linear(784, 50)')}")
    assert flag.init.endswith(f":{_line_of(path, 'self.fc1.weight.copy_')}")
    # fc1 feeds a functional relu the hooks do not see: the recipe is for no activation (gain 1)
    assert model.layers[flag.cause]["gain_name"] == "linear"


def test_sigmoid_mlps_forward_pass_and_where_their_weights_come_from() -> None:
    path = HEALTH / "sigmoid_mlp.py"
    models = _models(health_file(path))
    default, xavier = models["DefaultSigmoidMLP"], models["XavierSigmoidMLP"]
    assert default.stds()[-2] < xavier.stds()[-2]  # the default init shrinks the signal more
    assert default.layers[0]["activation"] == "Sigmoid"
    assert abs(default.layers[0]["gain"] - 1.0) < 1e-12  # calculate_gain('sigmoid')
    index = SourceIndex(path)
    # the layers come from a helper unpacked into a Sequential: the class's one Linear constructor
    assert "INI001" in index.weight_init("DefaultSigmoidMLP", "net.0", "Linear")
    assert "xavier_uniform_" in index.weight_init("XavierSigmoidMLP", "net.2", "Linear")
    assert index.constructor_line("XavierSigmoidMLP", "net.2", "Linear") == _line_of(path, "nn.Linear(fan_in, fan_out)")
    assert index.constructor_line("DefaultSigmoidMLP", "net.1") == _line_of(path, "self.net = nn.Sequential")


def test_cli_json_plot_and_exit_codes_without_torch_in_the_parent(tmp_path: Path) -> None:
    png = tmp_path / "health.png"
    script = textwrap.dedent(f"""
        import json, sys
        from init_lint.cli import main
        code = main(["health", {str(HEALTH / 'first_layer_randn.py')!r} + "::RandnFirstLayer", "--span", "1",
                     "--output-format", "json", "--plot", {str(png)!r}])
        print("exit", code, "torch" in sys.modules, file=sys.stderr)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "exit 1 False" in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["exit_code"] == 1 and report["thresholds"]["span"] == 1
    model = report["files"][0]["models"][0]
    assert set(model) >= {"name", "status", "input", "input_std", "std_through_depth", "flags", "layers"}
    flag = model["flags"][0]
    assert flag["kind"] == "explosion" and flag["cause"]["layer"] == "fc1"
    assert flag["cause"]["constructor"].endswith(":" + str(_line_of(HEALTH / "first_layer_randn.py", "self.fc1 =")))
    assert set(model["layers"][0]) >= {"name", "kind", "mean", "std", "zeros", "saturated", "nonfinite"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000

    healthy = subprocess.run([sys.executable, "-m", "init_lint", "health", str(HEALTH / "sigmoid_mlp.py")],
                             capture_output=True, text=True, timeout=300)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "std through depth" in healthy.stdout


def test_non_finite_numbers_are_strings_in_json(stacks) -> None:
    text = json.dumps(to_json([stacks]), allow_nan=False)  # raises on a bare NaN or Infinity
    assert '"nan"' in text


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "model.py"
    path.write_text("import torch\nfrom torch import nn\n\n" + textwrap.dedent(body))
    return path


def test_a_constructor_that_raises_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, """
        class Broken(nn.Module):
            def __init__(self):
                super().__init__()
                raise ValueError("bad config")
    """)
    report = health_file(path)
    model = _models(report)["Broken"]
    assert model.status == "error"
    assert model.detail == "building it failed: ValueError: bad config (line 8)"
    assert exit_code([report]) == 2


def test_a_forward_pass_that_hangs_times_out(tmp_path: Path) -> None:
    path = _write(tmp_path, """
        class Hangs(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                while True:
                    pass
    """)
    report = health_file(path, timeout=3)
    assert report.error.startswith("timed out after 3 s while running Hangs on randn(16, 4)"), report.error
    assert exit_code([report]) == 2


def test_inputs_declared_inferred_and_overridden(tmp_path: Path) -> None:
    path = _write(tmp_path, """
        class Declared(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

            def forward(self, x, y):
                return self.fc(x) + y


        class Tokens(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(50, 8)

            def forward(self, ids):
                assert ids.dtype == torch.long and int(ids.max()) < 50
                return self.emb(ids)


        class Image(nn.Module):
            example_input_array = torch.zeros(2, 3, 8, 8)

            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 4, 3)

            def forward(self, x):
                return self.conv(x)


        class Inferred(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(2, 4, 3)

            def forward(self, x):
                return self.conv(x)


        class TwoArguments(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

            def forward(self, x, y):
                return self.fc(x) + y


        class NoLayers(nn.Module):
            def forward(self, x):
                return x


        INIT_LINT_INPUTS = {"Declared": lambda: (torch.randn(4, 8), torch.ones(4, 8))}
    """)
    models = _models(health_file(path))
    assert models["Declared"].input == "INIT_LINT_INPUTS['Declared']()" and models["Declared"].status == "healthy"
    assert models["Tokens"].input.startswith("randint(0, 50, (16, 32))")
    assert models["Image"].input.startswith("model.example_input_array")
    assert 0.9 < models["Image"].input_std < 1.1  # redrawn at unit variance, not zeros
    assert models["Inferred"].input.startswith("randn(16, 2, 128)")
    assert models["NoLayers"].status == "error" and "INIT_LINT_INPUTS" in models["NoLayers"].detail
    assert models["TwoArguments"].detail.startswith("running its forward pass failed: TypeError: ")
    assert models["TwoArguments"].detail.endswith(
        "on randn(16, 8) (from fc: Linear.in_features): declare INIT_LINT_INPUTS or pass --input-shape")
    shaped = _models(health_file(f"{path}", class_name="Inferred", input_shape=(3, 2, 10)))
    assert list(shaped) == ["Inferred"] and shaped["Inferred"].layers[0]["shape"] == [3, 4, 8]


def test_config_table_and_options_set_the_thresholds(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.init-lint.health]\nspan = 1\nexplosion-factor = 20.0\n")
    model = tmp_path / "m.py"
    model.write_text("")
    parser = argparse.ArgumentParser()
    add_health_arguments(parser)
    assert thresholds_for(parser.parse_args([str(model)])) == Thresholds(explosion=20.0, span=1)
    assert thresholds_for(parser.parse_args([str(model), "--span", "4"])) == Thresholds(explosion=20.0, span=4)
    assert thresholds_for(parser.parse_args([str(model), "--isolated"])) == Thresholds()
    (tmp_path / "pyproject.toml").write_text("[tool.init-lint.health]\nspan = 1.5\n")
    with pytest.raises(ConfigError, match="span must be an integer"):
        load_settings(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text("[tool.init-lint.health]\nexplode = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'explode'"):
        load_settings(tmp_path / "pyproject.toml")


def test_assert_healthy_in_process() -> None:
    from init_lint.health import assert_healthy

    torch.manual_seed(0)
    good = torch.nn.Sequential(*[torch.nn.Linear(64, 64) for _ in range(6)])
    default = assert_healthy(good, torch.randn(8, 64), thresholds=Thresholds(vanishing=0.01))
    assert default.stds()[-1] < 0.2  # PyTorch's default shrinks the std by sqrt(3) per layer: 0.1x after 6
    with pytest.raises(AssertionError, match="vanishing"):
        assert_healthy(good, torch.randn(8, 64))
    with torch.no_grad():
        for layer in good:
            layer.weight.normal_(0, 64 ** -0.5)
    report = assert_healthy(good, torch.randn(8, 64))
    assert report.status == "healthy" and good.training  # the mode is restored
    bad = torch.nn.Sequential(*[torch.nn.Linear(64, 64) for _ in range(6)])
    with torch.no_grad():
        for layer in bad:
            layer.weight.normal_()
    recipe = r"keep the variance: normal_\(weight, std=calculate_gain\('linear'\) / math.sqrt\(64\)\)"
    with pytest.raises(AssertionError, match=r"explosion at 2: .*\n(.|\n)*" + recipe):
        assert_healthy(bad, torch.randn(8, 64))


def test_flags_and_sparkline_on_numbers() -> None:
    layers = [{"name": f"l{i}", "kind": "Linear", "weighted": True, "measured": True, "std": s, "zeros": 0.0,
               "numel": 10, "nonfinite": 0.0} for i, s in enumerate([3.0, 9.0, 27.0, 81.0])]
    flags = find_flags(layers, 1.0, Thresholds())
    assert [(f.kind, f.at) for f in flags] == [("explosion", 2)]
    assert find_flags(layers, 1.0, Thresholds(explosion=100)) == []
    # a norm between the layers sets the scale anew: no window spans it, none ends on it
    normed = layers[:2] + [{**layers[1], "name": "norm", "kind": "LayerNorm", "norm": True, "std": 1.0}] + layers[2:]
    assert find_flags(normed, 1.0, Thresholds()) == []
    # a layer whose weight is all zeros (a zero-initialized head) and the zeros it makes are not judged
    head = [{**layers[0], "weight_std": 0.0, "std": 0.0, "zeros": 1.0},
            {"name": "act", "kind": "ReLU", "weighted": False, "measured": True, "std": 0.0, "zeros": 1.0, "numel": 10,
             "nonfinite": 0.0}]
    assert find_flags(layers[:1] + layers[:1] + layers[:1] + head, 1.0, Thresholds(explosion=1e9)) == []
    assert [f.kind for f in find_flags(layers[:1] * 3 + [{**head[0], "weight_std": 0.5}] + head[1:], 3.0,
                                       Thresholds(explosion=1e9))] == ["vanishing", "dead"]
    line = sparkline([1.0, 10.0, 100.0, float("inf"), 0.0, None])
    assert line[0] == "▁" and line[2] == "█" and line[3:] == "!0 "
    assert set(sparkline([1.0, 1.01, 0.99])) <= {"▄", "▅"}  # noise does not fill the height


def test_a_fresh_interpreter_runs_it_when_no_fork_server_can(tmp_path: Path, monkeypatch) -> None:
    from init_lint.verify import processes

    monkeypatch.setattr(processes._fork_server, "_unusable", True)
    path = _write(tmp_path, """
        class Small(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

            def forward(self, x):
                return self.fc(x)
    """)
    report = health_file(path, timeout=120)
    assert report.error is None and _models(report)["Small"].status == "healthy", format_text([report])


def test_saturated_tanh_and_dead_relu_are_flagged_at_their_layers() -> None:
    from init_lint.health import assert_healthy

    torch.manual_seed(0)
    tanh = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.Tanh(), torch.nn.Linear(256, 256), torch.nn.Tanh())
    relu = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU())
    with torch.no_grad():
        for layer in tanh[::2]:
            layer.weight.normal_(0, 2)  # pre-activations of std 32: 93% of tanh outputs within 0.01 of +-1
        relu[2].bias.fill_(-10.0)  # every unit of the second layer below zero
    with pytest.raises(AssertionError) as saturated:
        assert_healthy(tanh, torch.randn(32, 256), thresholds=Thresholds(explosion=1e9))
    assert re.search(r"saturation at 1: 9\d% of its outputs are within 0.01 of the bounds", str(saturated.value))
    assert "keep the variance: normal_(weight, std=calculate_gain('tanh') / math.sqrt(256)) = 0.1042" in str(
        saturated.value)
    with pytest.raises(AssertionError) as dead:
        assert_healthy(relu, torch.randn(32, 64))
    # the ReLU is dead; the Linear that feeds it (bias -10) is the layer to fix
    assert "dead at 3: 100% of its outputs are exactly 0\n    from 2 (Linear)" in str(dead.value)
    assert "calculate_gain('relu')" in str(dead.value)
    held = r"its outputs have mean -10.* against std 0.\d+: a bias or shift holds them below zero"
    assert re.search(held, str(dead.value))


def test_a_notebook_runs_its_cells_up_to_the_classes_and_flags_point_at_cells(tmp_path: Path) -> None:
    import nbformat

    cells = [
        "import torch\nfrom torch import nn",
        "class Stack(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.layers = nn.Sequential(*[nn.Linear(64, 64, bias=False) for _ in range(12)])\n"
        "        with torch.no_grad():\n"
        "            for layer in self.layers:\n"
        "                layer.weight.copy_(torch.randn(64, 64))\n"
        "\n"
        "    def forward(self, x):\n"
        "        return self.layers(x)",
        "while True:  # a training loop the health run must never reach\n    pass",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path = tmp_path / "lesson.ipynb"
    path.write_text(nbformat.writes(notebook))
    model = _models(health_file(path, timeout=240))["Stack"]
    assert model.status == "flagged" and model.flags[0].kind == "explosion"
    assert model.flags[0].cause_where == f"{path}:cell 2:4"  # the Sequential's line, counted in its cell

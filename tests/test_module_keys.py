"""The coverage keys of every module against the installed torch: `cover_keys` + `key_exists` are the
`named_parameters()` names, and `defaulted_keys` are exactly the parameters whose last write in the
constructor is an implicit default (kaiming_uniform_, uniform_, normal_), as torch's own calls show."""

from __future__ import annotations

import re

import pytest

torch = pytest.importorskip("torch")

from test_catalogue import MODULE_CONFIGURATIONS, bound_arguments, build, configuration_id, module_class  # noqa: E402

from init_lint.catalogue import (  # noqa: E402
    CLONE, MODULES, cover_keys, defaulted_keys, key_exists, key_ndim, key_template,
)
from init_lint.verify.recorded import constructor_last_calls  # noqa: E402

IMPLICIT_CALLS = {"kaiming_uniform_", "uniform_", "normal_"}


def as_key(name: str) -> str:
    """`encoder.layers.3.linear1.bias` -> `encoder.layers.*.linear1.bias` (one key for every clone)."""
    return re.sub(r"\.layers\.\d+\.", f".layers.{CLONE}.", name)


@pytest.mark.parametrize("configuration", MODULE_CONFIGURATIONS, ids=configuration_id)
def test_cover_keys_that_exist_are_the_named_parameters(configuration):
    name, args, kwargs = configuration
    spec = MODULES[name]
    arguments = bound_arguments(name, args, kwargs)
    module = build(name, args, kwargs)
    expected = list(dict.fromkeys(as_key(n) for n, _ in module.named_parameters()))
    keys = cover_keys(spec, arguments)
    assert [k for k in keys if key_exists(spec, k, arguments)] == expected
    for key in keys:
        assert key_template(spec, key) in cover_keys(spec)  # every key has its spec-level template
    for parameter_name, value in module.named_parameters():
        ndim = key_ndim(spec, as_key(parameter_name))
        assert ndim in (None, value.dim()), parameter_name


@pytest.mark.parametrize("configuration", MODULE_CONFIGURATIONS, ids=configuration_id)
def test_defaulted_keys_are_the_parameters_left_at_an_implicit_default(configuration):
    name, args, kwargs = configuration
    spec = MODULES[name]
    last = constructor_last_calls(module_class, name, args, kwargs, torch.float32)
    defaulted = defaulted_keys(spec)
    module = build(name, args, kwargs)
    for parameter_name, _ in module.named_parameters():
        function = last[parameter_name][0]
        template = key_template(spec, as_key(parameter_name))
        assert (template in defaulted) == (function in IMPLICIT_CALLS), (parameter_name, function)


def test_what_each_rule_reports_by_default():
    assert defaulted_keys(MODULES["MultiheadAttention"]) == {"out_proj.weight"}
    assert defaulted_keys(MODULES["Transformer"]) == {
        f"{side}.layers.*.{linear}.bias" for side in ("encoder", "decoder") for linear in ("linear1", "linear2")}
    assert defaulted_keys(MODULES["Embedding"]) == {"weight"}
    assert defaulted_keys(MODULES["GRUCell"]) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}

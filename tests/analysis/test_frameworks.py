"""frameworks.py: the table of frameworks whose base classes initialize a model's layers."""

from init_lint.analysis.frameworks import (FRAMEWORKS, framework_of_base, is_init_function_module,
                                           is_named_apply)


def test_a_base_is_found_by_its_qualified_name_or_a_suffix_row():
    assert framework_of_base("lightning.LightningModule").name == "lightning"
    suffixed = [(f, b) for f in FRAMEWORKS for b in f.bases if b.startswith(".")]
    assert suffixed, "the table has suffix rows"
    framework, suffix = suffixed[0]
    assert framework_of_base("some.package" + suffix) is framework
    assert framework_of_base(suffix[1:]) is None  # a suffix matches after a dot only
    assert framework_of_base("torch.nn.Module") is None


def test_init_function_modules_count_public_lowercase_functions_only():
    assert is_init_function_module("timm.layers.weight_init.trunc_normal_")
    assert not is_init_function_module("timm.layers.weight_init._no_grad_trunc_normal_")
    assert not is_init_function_module("timm.layers.weight_init.SomeClass")
    assert not is_init_function_module("timm.layers.trunc_normal_")  # another module
    assert not is_init_function_module("trunc_normal_")


def test_named_apply_by_qualified_name_or_by_its_spelling():
    assert is_named_apply("timm.models._manipulate.named_apply", None)
    assert is_named_apply(None, "helpers.named_apply")  # a function of that name defined elsewhere
    assert not is_named_apply("timm.models.apply", "apply")

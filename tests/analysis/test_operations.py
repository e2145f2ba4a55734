"""operations.py: join, choice, truth, comparison, isinstance on abstract values."""

import libcst as cst

from init_lint.analysis.operations import (
    choice, compare, elements_by_kind, is_plain, isinstance_of, join, ndim, string_method, truth,
)
from init_lint.analysis.values import (
    UNKNOWN, ChoiceValue, ContainerValue, DispatchModule, DispatchTensor, External, LayerValue, TorchClass,
)
from init_lint.catalogue import LAYERS


def test_join_merges_layers_and_drops_none():
    a, b = LayerValue(("s1",)), LayerValue(("s2",))
    assert join([a, None, b]).sites == ("s1", "s2")
    assert join([None]) is None
    assert join([1]) == 1
    assert isinstance(join([1, 2]), ChoiceValue)


def test_choice_of_one_is_itself():
    assert choice(5) == 5
    assert isinstance(choice(1, 2), ChoiceValue)


def test_truth():
    assert truth(0) is False and truth("x") is True and truth(None) is False
    assert truth(UNKNOWN) is None
    assert truth(TorchClass("Linear")) is True


def test_compare_bias_is_not_none_on_a_layer():
    tensor = DispatchTensor(LAYERS["Linear"], "bias")
    assert compare(tensor, cst.IsNot(), None) is True
    assert compare(1, cst.LessThan(), 2) is True
    assert compare(UNKNOWN, cst.Equal(), 2) is UNKNOWN
    assert compare(TorchClass("Linear"), cst.In(), ContainerValue([TorchClass("Conv2d")])) is False


def test_isinstance_of_a_dispatch_variable():
    linear = DispatchModule(LAYERS["Linear"])
    assert isinstance_of(linear, TorchClass("Linear")) is True
    assert isinstance_of(linear, (TorchClass("Conv2d"),)) is False
    assert isinstance_of(linear, External("torch.nn.LayerNorm")) is False
    assert isinstance_of(linear, External("mylib.Thing")) is False
    # A class of another library with a torch layer's name may be a subclass of it: undecided.
    assert isinstance_of(linear, External("mylib.Linear")) is UNKNOWN


def test_elements_by_kind_groups_layers():
    items = [LayerValue((type("S", (), {"spec": LAYERS["Linear"]})(),)) for _ in range(3)]
    assert len(elements_by_kind(ContainerValue(items))) == 1


def test_ndim_and_strings():
    assert ndim(DispatchTensor(LAYERS["Conv2d"], "weight")) == 4
    assert ndim(DispatchTensor(LAYERS["Conv2d"], "bias")) == 1
    assert string_method("head.fc", "startswith", ["head"]) is True
    assert is_plain((1, "a", None)) and not is_plain((1, UNKNOWN))

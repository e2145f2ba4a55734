"""tree.py: who builds whom, and the verdict along every way down from a model."""

import time

from init_lint.analysis.values import Tri

from helpers import analyzed


def test_a_model_dispatch_covers_the_submodules_it_builds_first():
    analysis = analyzed("""
        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.weight)
        """)
    (fc,) = analysis.facts.sites
    assert analysis.tree.verdict(fc, "weight").level == Tri.YES
    assert analysis.tree.verdict(fc, "bias").level == Tri.NO
    assert analysis.tree.verdict(fc, "bias").models == ["Net"]


def test_two_models_one_covering():
    analysis = analyzed("""
        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)

        class Good(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.zeros_(m.weight)

        class Bad(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
        """)
    (fc,) = analysis.facts.sites
    verdict = analysis.tree.verdict(fc, "weight")
    assert verdict.level == Tri.NO and verdict.models == ["Bad"]


def test_classes_building_each_other_in_a_loop_build_nothing_real():
    analysis = analyzed("""
        class A(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
                self.b = B()

        class B(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = A()
        """)
    (fc,) = analysis.facts.sites
    # A builds B which builds A: no model builds either without an endless recursion at run time.
    assert analysis.tree.verdict(fc, "weight").level == Tri.YES


def test_doubling_builds_are_walked_once_each():
    classes = 40
    source = "class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n"
    for i in range(1, classes):
        source += (f"\nclass C{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                   f"        self.a = C{i - 1}()\n        self.b = C{i - 1}()\n")
    analysis = analyzed(source)
    (fc,) = analysis.facts.sites
    start = time.perf_counter()
    verdict = analysis.tree.verdict(fc, "weight")
    # 2**39 ways down: only a memoized walk finishes (generous limit, not a speed goal).
    assert time.perf_counter() - start < 30
    assert verdict.level == Tri.NO and verdict.models == [f"C{classes - 1}"]


# ---------------------------------------------------------------------------- keys the dispatches treat alike

_BUILT_THROUGH_A_VARIABLE = """
    import torch.nn as nn
    from blocks import make_block

    class Stage(nn.Module):
        def __init__(self, block_cls):
            super().__init__()
            self.block = block_cls(8)
            self.conv = nn.Conv2d(3, 8, 3)
            self.apply(self._init)

        def _init(self, m):
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.weight)
            elif isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)

    class Net(nn.Module):
        def __init__(self, fork):
            super().__init__()
            self.stage = Stage(make_block)
            if fork:
                self.apply(lambda m: nn.init.normal_(m.weight) if isinstance(m, nn.Embedding) else None)
    """


def test_keys_no_dispatch_tells_apart_share_one_solver_key():
    tree = analyzed(_BUILT_THROUGH_A_VARIABLE).tree
    untouched = {tree.solver_key(spec, param) for spec, param in [("GRU", "weight"), ("LSTM", "bias"), ("Conv1d", "weight")]}
    assert len(untouched) == 1
    weights = {tree.solver_key("Linear", "weight"), tree.solver_key("Conv2d", "weight")}
    assert len(weights) == 1 and untouched.isdisjoint(weights)  # both initialized by the same dispatch
    assert {tree.solver_key("Linear", "bias"), tree.solver_key("Conv2d", "bias")} <= untouched
    assert tree.solver_key("Embedding", "weight") not in untouched | weights


def test_exports_with_shared_keys_equal_those_solved_key_by_key():
    from init_lint.analysis.tree import _EXPORTED_KEYS, ModuleTree

    analysis = analyzed(_BUILT_THROUGH_A_VARIABLE)
    shared = analysis.tree.exported_unknown_builds()

    class KeyByKey(ModuleTree):
        def solver_key(self, spec_name, param):
            return (spec_name, param)

    alone = KeyByKey(analysis.facts, analysis.classes).exported_unknown_builds()
    assert shared == alone and len(shared[0]) == len(_EXPORTED_KEYS)
    assert any(ways for ways in shared[0].values()) and any(not ways for ways in shared[0].values())



def test_a_module_kept_by_a_method_a_base_from_elsewhere_may_call_is_unverified():
    # RTMDet-Ins (issue 11, mmdet F17-F18): the base of another file calls `_init_layers` and its
    # `init_weights` draws every Conv2d; the module kept there is unverified, as a layer built there is.
    analysis = analyzed("""
        import torch.nn as nn
        from heads.base import DenseHead

        class MaskModule(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(8, 8, 1)

        class InstanceHead(DenseHead):
            def _init_layers(self):
                self.mask_head = MaskModule()
                self.extra = nn.ModuleList([MaskModule()])
        """)
    (conv,) = analysis.facts.sites
    assert analysis.tree.verdict(conv, "weight").level == Tri.MAYBE
    assert analysis.tree.verdict(conv, "bias").level == Tri.MAYBE


def test_a_module_a_method_returns_is_no_module_the_base_initializes():
    # A task class (`build_model` of an `AbsTask` from elsewhere, espnet2/tasks) builds a model and returns
    # it: the base calling the method gets the model, not a submodule it would initialize.
    analysis = analyzed("""
        import torch.nn as nn
        from tasks.abs_task import AbsTask

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

        class Task(AbsTask):
            def build_model(self):
                return Model()
        """)
    (fc,) = analysis.facts.sites
    assert analysis.tree.verdict(fc, "weight").level == Tri.NO

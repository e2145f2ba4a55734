"""calls.py: layers built, functions inlined, init calls recorded as facts, the work budget."""

from init_lint.analysis.frame import ENTRY_CALL_BUDGET

from helpers import analyzed, cover, site


def test_a_helper_function_is_run_inline_with_its_arguments():
    analysis = analyzed("""
        def init_layer(layer, std):
            nn.init.normal_(layer.weight, std=std)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                init_layer(self.fc, 0.02)
        """)
    assert cover(analysis, "self.fc") == {"weight": 3, "bias": 0}


def test_every_init_call_is_one_fact():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                nn.init.constant_(self.fc.weight, 0.5)
                self.fc.bias.data.fill_(0)
        """)
    calls = analysis.facts.init_calls
    assert [(c.function, c.method, c.params) for c in calls] == [("constant_", False, ("weight",)),
                                                                  ("fill_", True, ("bias",))]
    assert calls[0].fill_value() == 0.5 and calls[1].fill_value() == 0
    assert calls[0].sites == (site(analysis, "self.fc"),)


def test_a_whole_module_init_helper_writes_both_parameters():
    analysis = analyzed("""
        from mmcv.cnn import constant_init
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                constant_init(self.fc, 0)
        """)
    assert cover(analysis, "self.fc") == {"weight": 3, "bias": 3}
    assert analysis.facts.init_calls[0].params == ("weight", "bias")


def test_bias_is_maybe_behind_an_unknown_spread():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, **kwargs):
                super().__init__()
                self.fc = nn.Linear(3, 4, **kwargs)
        """)
    assert int(site(analysis, "self.fc").bias) == 2


def test_a_web_of_helpers_stops_at_the_budget_and_says_so():
    methods = 40
    helpers = "".join(
        f"    def h{i}(self, m):\n        self.h{(i + 1) % methods}(m)\n        self.h{(i + 2) % methods}(m)\n"
        f"        self.h{(i + 3) % methods}(m)\n" for i in range(methods))
    analysis = analyzed("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                        "        self.fc = nn.Linear(2, 2)\n        self.apply(self.h0)\n" + helpers)
    assert "Net.__init__" in analysis.facts.over_budget
    # Calls past the budget may initialize what they are given: the layer is no longer sure to default.
    assert cover(analysis, "self.fc")["weight"] == 2
    assert ENTRY_CALL_BUDGET >= 1000

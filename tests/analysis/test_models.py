"""models.py: the registry of external callables by qualified name, and the builtins."""

from init_lint.analysis.models import EXTERNAL_MODELS, find_model
from init_lint.analysis.values import OneDimTensor

from helpers import analyzed, cover, site


def test_registry_finds_models_by_name_and_by_family():
    assert find_model("functools.partial", "partial", True).handler == "_model_partial"
    assert find_model("torch.nn.modules.container.Sequential", "Sequential", False).handler == "_model_container"
    assert find_model("torch.zeros", "zeros", True).handler == "_model_tensor_factory"
    assert find_model("torch.zeros", "zeros", False) is None  # needs arguments
    assert find_model("mylib.Sequential", "Sequential", True) is None
    assert len({m.handler for m in EXTERNAL_MODELS}) == len(EXTERNAL_MODELS)


def test_partial_of_a_layer_class_and_skip_init():
    analysis = analyzed("""
        import functools
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                make = functools.partial(nn.Linear, bias=False)
                self.fc = make(3, 4)
                self.raw = torch.nn.utils.skip_init(nn.Linear, 3, 4)
        """)
    assert int(site(analysis, "self.fc").bias) == 0
    raw = site(analysis, "self.raw")
    assert raw.skip_init and cover(analysis, "self.raw") == {"weight": 3, "bias": 3}


def test_one_dimensional_parameters():
    analysis = analyzed("""
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(torch.ones(8))
                nn.init.kaiming_uniform_(self.scale)
        """)
    (call,) = analysis.facts.init_calls
    assert call.one_dim and call.params == ()
    assert OneDimTensor is not None


def test_builtins_decide_dispatch_branches():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                self.apply(self._init)

            def _init(self, m):
                if type(m) == nn.Linear and hasattr(m, "bias") and len(m.weight) > 0:
                    nn.init.zeros_(m.weight)
        """)
    assert cover(analysis, "self.fc")["weight"] >= 1

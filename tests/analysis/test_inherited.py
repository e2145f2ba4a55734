"""inherited.py: super() calls, nn.Module's own methods, frameworks' init hooks."""

from helpers import analyzed, cover, site


def test_super_init_of_a_base_class_of_the_file_runs():
    analysis = analyzed("""
        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)

        class Net(Base):
            def __init__(self):
                super().__init__()
                nn.init.zeros_(self.fc.weight)
        """)
    sites = [s for s in analysis.facts.sites if s.owner == "Net"]
    assert int(sites[0].cover["weight"]) == 3


def test_sequential_subclass_children_by_position():
    analysis = analyzed("""
        class Block(nn.Sequential):
            def __init__(self):
                super().__init__(nn.Linear(3, 4), nn.ReLU())
        """)
    assert site(analysis, "self[0]").spec.name == "Linear"


def test_add_module_gives_an_attribute_address():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.add_module("proj", nn.Linear(3, 4))
        """)
    assert site(analysis, "self.proj")


def test_post_init_of_a_framework_applies_init_weights():
    analysis = analyzed("""
        import torch.nn as nn
        from transformers import PreTrainedModel

        class Model(PreTrainedModel):
            def __init__(self, config):
                super().__init__(config)
                self.fc = nn.Linear(3, 4)
                self.post_init()

            def _init_weights(self, module):
                if isinstance(module, nn.Linear):
                    module.weight.data.normal_(0, 0.02)
        """)
    assert cover(analysis, "self.fc")["weight"] == 3


def test_a_method_of_a_base_from_elsewhere_may_initialize_anything():
    analysis = analyzed("""
        import torch.nn as nn
        from mylib import Base

        class Net(Base):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                self.init_weights()
        """)
    assert cover(analysis, "self.fc") == {"weight": 2, "bias": 2}

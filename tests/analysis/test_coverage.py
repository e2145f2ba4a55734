"""coverage.py: apply / modules() / parameters() dispatches and what they cover, in code order."""

from helpers import analyzed, cover


def test_apply_covers_the_layer_types_its_function_initializes():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                self.conv = nn.Conv2d(3, 8, 3)
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.weight)
                    nn.init.zeros_(m.bias)
        """)
    assert cover(analysis, "self.fc") == {"weight": 3, "bias": 3}
    assert cover(analysis, "self.conv") == {"weight": 0, "bias": 0}
    (event,) = analysis.facts.dispatches
    assert int(event.coverage["Linear"]["weight"]) == 3 and int(event.coverage["LazyLinear"]["weight"]) == 3


def test_a_dispatch_covers_only_what_exists_when_it_runs():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.zeros_(m.weight)
                self.fc = nn.Linear(3, 4)
        """)
    assert cover(analysis, "self.fc")["weight"] == 0


def test_parameters_loop_writes_weight_and_bias():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                for p in self.parameters():
                    nn.init.normal_(p)
        """)
    assert cover(analysis, "self.fc") == {"weight": 3, "bias": 3}
    assert all(call.from_parameters for call in analysis.facts.init_calls)


def test_init_calls_inside_a_dispatch_name_the_dispatch():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.constant_(m.weight, 1.0)
        """)
    (call,) = analysis.facts.init_calls
    (event,) = analysis.facts.dispatches
    assert call.spec.name == "Linear" and call.dispatch_id == event.dispatch_id

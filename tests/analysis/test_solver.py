"""solver.py: one coverage solver, its cycle rule and its memo, for a file and for a project."""

from __future__ import annotations

import textwrap
from pathlib import Path

from init_lint.analysis.solver import Build, Group, Solver, Way
from init_lint.analysis.values import Tri
from init_lint.api import check_project
from init_lint.config import Settings

from helpers import analyzed

NO, FORK, MAYBE, YES = Tri.NO, Tri.FORK, Tri.MAYBE, Tri.YES
KEY = ("Linear", "weight")


class Toy:
    """A graph written out: node -> [(builder, level)], node -> [[(builder, level), ...] groups], bases."""

    def __init__(self, builds: dict, others: dict = (), bases: dict = ()) -> None:
        self.builds = builds
        self.others = dict(others)
        self.bases = dict(bases)
        self.asked: list = []

    def class_builds(self, node, key):
        self.asked.append(node)
        return [Build(parent, level) for parent, level in self.builds.get(node, ())]

    def other_builds(self, node, key):
        return [Group(tuple(Build(p, level) for p, level in group)) for group in self.others.get(node, ())]

    def base(self, node, key):
        return self.bases.get(node, NO)


# ---------------------------------------------------------------------------- the solver alone


def test_a_class_no_class_builds_is_its_own_model():
    solver = Solver(Toy({}, bases={"Net": FORK}))
    assert solver.ways("Net", KEY) == {"Net": NO}
    assert solver.level("Net", KEY) == FORK


def test_the_worst_way_counts_over_every_model():
    # Block is built by Good (which covers it) and by Bad (which does not): the way through Bad keeps the default.
    solver = Solver(Toy({"Block": [("Good", YES), ("Bad", NO)]}))
    assert solver.ways("Block", KEY) == {"Bad": NO}
    assert solver.level("Block", KEY) == NO


def test_a_way_back_onto_the_walk_builds_nothing():
    # A builds B builds A: no model builds either without an endless recursion; the loop adds no way.
    solver = Solver(Toy({"A": [("B", NO)], "B": [("A", NO)]}))
    assert solver.ways("A", KEY) == {}
    assert solver.level("A", KEY) == YES


def test_a_loop_beside_a_real_way_leaves_the_real_way():
    # Net builds A (covering it on one way only); A and B build each other.
    solver = Solver(Toy({"A": [("B", NO), ("Net", FORK)], "B": [("A", NO)]}))
    assert solver.ways("A", KEY) == {"Net": FORK}
    assert solver.ways("B", KEY) == {"Net": FORK}


def test_a_result_that_cut_a_loop_is_not_reused_from_another_start():
    # X is built by Y and by the model Q; Y only by X.  Walking from X, Y's ways are cut short (X is on the
    # walk): kept, that partial answer would say nothing builds Y, when Q builds it through X.
    solver = Solver(Toy({"X": [("Y", NO), ("Q", NO)], "Y": [("X", NO)]}))
    assert solver.ways("X", KEY) == {"Q": NO}
    assert solver.ways("Y", KEY) == {"Q": NO}
    assert solver.level("Y", KEY) == NO


def test_a_result_that_cut_a_loop_is_reused_from_its_own_start():
    graph = Toy({"X": [("Y", NO), ("Q", NO)], "Y": [("X", NO)]})
    solver = Solver(graph)
    first = solver.ways("X", KEY)
    asked = len(graph.asked)
    assert solver.ways("X", KEY) == first and len(graph.asked) == asked


def test_every_class_is_walked_once_per_key():
    # C_i builds C_(i-1) twice: 2**11 ways down from C11, each class asked once (without the memo, 4,095 asks).
    graph = Toy({f"C{i}": [(f"C{i + 1}", NO), (f"C{i + 1}", NO)] for i in range(11)})
    solver = Solver(graph)
    assert solver.ways("C0", KEY) == {"C11": NO}
    assert sorted(graph.asked) == sorted(f"C{i}" for i in range(12))
    solver.level("C5", KEY)
    assert len(graph.asked) == 12


def test_a_model_built_through_a_variable_gets_what_covers_it_there():
    # Block is passed around; Net builds it through a variable and covers it on one way only.  Whether
    # or not the variable builds Block, some way keeps the default (Net's other way, or Block built
    # by nothing that initializes it): a fork, not a doubt.
    assert Solver(Toy({}, others={"Block": [[("Net", FORK)]]})).level("Block", KEY) == FORK
    # Covered there on every way: the variable may build it, and then it is covered (silent, as before).
    assert Solver(Toy({}, others={"Block": [[("Net", YES)]]})).level("Block", KEY) == YES
    assert Solver(Toy({}, others={"Block": [[("Net", MAYBE)]]})).level("Block", KEY) == MAYBE


def test_a_builder_through_a_variable_that_its_model_builds_adds_nothing():
    # The model M is built through a variable in P, which M itself builds: that loop covers nothing.
    graph = Toy({"P": [("M", NO)]}, others={"M": [[("P", NO)]]}, bases={"M": FORK})
    solver = Solver(graph)
    assert solver.own("M", KEY) == FORK
    assert solver.level("P", KEY) == FORK


def test_a_models_own_coverage_is_kept_even_when_it_cut_a_loop():
    # Five models, each built through a variable in a class every other model builds (timm's blocks passed
    # around as values): each model's own coverage is worked out once, not once per order of the others.
    models = [f"M{i}" for i in range(5)]
    builds = {f"P{i}": [(m, NO) for m in models if m != f"M{i}"] for i in range(5)}
    others = {f"M{i}": [[(f"P{j}", NO)] for j in range(5) if j != i] for i in range(5)}

    class Counting(Toy):
        owned: list = []

        def other_builds(self, node, key):
            self.owned.append(node)
            return super().other_builds(node, key)

    graph = Counting(builds, others, bases={"M0": FORK})
    solver = Solver(graph)
    assert solver.level("P1", KEY) == NO
    assert sorted(graph.owned) == sorted(models)


def test_alternatives_take_the_worst_and_none_is_covered():
    solver = Solver(Toy({}, bases={"A": YES, "B": FORK}))
    assert solver.worst([Build("A", NO), Build("B", NO)], KEY) == FORK
    assert solver.worst([Build(None, MAYBE), Build("A", NO)], KEY) == MAYBE
    assert solver.worst([], KEY) == YES


def test_a_way_is_plain_data():
    import json

    way = Way("Net", int(NO), int(FORK))
    assert Way(*json.loads(json.dumps(way))) == way


# ---------------------------------------------------------------------------- one file


def test_classes_building_each_other_in_a_file_use_the_cycle_rule():
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

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = A()
        """)
    (fc,) = analysis.facts.sites
    verdict = analysis.tree.verdict(fc, "weight")
    # The loop A -> B -> A builds nothing; Net's way keeps the default.
    assert verdict.level == Tri.NO and verdict.models == ["Net"]


def test_a_subclass_built_by_a_covering_model_covers_its_bases_layers():
    analysis = analyzed("""
        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

        class Child(Base):
            pass

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.child = Child()
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.weight)
        """)
    fc = next(s for s in analysis.facts.sites if s.owner == "Base")
    assert analysis.tree.is_abstract_base("Base")
    child = [s for s in analysis.facts.sites if s.owner == "Child"]
    assert [analysis.tree.verdict(s, "weight").level for s in child] == [Tri.YES]
    assert analysis.tree.verdict(child[0], "bias").models == ["Net"]
    assert fc is not None


def test_a_factory_of_the_file_hands_its_class_to_whoever_calls_it():
    analysis = analyzed("""
        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

        def make_block():
            return Block()

        net = make_block()
        net.apply(init_fn)
        """)
    (fc,) = analysis.facts.sites
    # Built by no class: a model of its own, and what covers it is the script's apply of code out of sight.
    assert analysis.tree.verdict(fc, "weight").level == Tri.MAYBE


def test_a_model_handing_itself_out_of_sight_is_only_maybe_initialized():
    analysis = analyzed("""
        import torch.nn as nn
        from elsewhere import initialize

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                initialize(self)
        """)
    (fc,) = analysis.facts.sites
    verdict = analysis.tree.verdict(fc, "weight")
    assert verdict.level == Tri.MAYBE and verdict.alternatives == {"Net": Tri.MAYBE}


# ---------------------------------------------------------------------------- a project


def _write(root: Path, files: dict) -> list[str]:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        paths.append(str(path))
    return paths


BLOCK = """
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)
"""


def _found(paths: list[str]) -> set:
    return {(Path(f.path).name, f.line, f.code) for f in check_project(paths, Settings(), jobs=1)}


def test_a_class_covered_by_the_model_of_another_file(tmp_path: Path):
    paths = _write(tmp_path, {"pkg/__init__.py": "", "pkg/block.py": BLOCK, "pkg/net.py": """
        import torch.nn as nn
        from pkg.block import Block

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.apply(self._init)

            def _init(self, m):
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.weight)
                    nn.init.zeros_(m.bias)
        """})
    assert _found(paths) == set()


def test_a_class_built_in_another_file_by_a_model_that_does_not_cover_it(tmp_path: Path):
    paths = _write(tmp_path, {"pkg/__init__.py": "", "pkg/block.py": BLOCK, "pkg/net.py": """
        import torch.nn as nn
        from pkg.block import Block

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
        """})
    assert _found(paths) == {("block.py", 7, "INI001")}


def test_models_building_each_other_across_files_build_nothing(tmp_path: Path):
    # Block (in block.py) builds a Ring of ring.py, which builds a Block: the loop is cut, and the one real
    # way, the model Net's, covers the Linear.
    paths = _write(tmp_path, {"pkg/__init__.py": "", "pkg/block.py": """
        import torch.nn as nn

        class Block(nn.Module):
            def __init__(self, depth=0):
                super().__init__()
                self.fc = nn.Linear(2, 2)
                if depth:
                    from pkg.ring import Ring
                    self.ring = Ring()
        """, "pkg/ring.py": """
        import torch.nn as nn
        from pkg.block import Block

        class Ring(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
        """, "pkg/net.py": """
        import torch.nn as nn
        from pkg.block import Block

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block(2)
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.zeros_(m.weight)
                        nn.init.zeros_(m.bias)
        """})
    assert _found(paths) == set()


def test_a_class_handed_out_of_sight_by_its_importer_is_unverified(tmp_path: Path):
    paths = _write(tmp_path, {"pkg/__init__.py": "", "pkg/block.py": BLOCK, "pkg/net.py": """
        import torch.nn as nn
        from pkg.block import Block
        from elsewhere import register

        model = Block()
        register(model)
        """})
    strict = {(Path(f.path).name, f.line, f.code, f.strict)
              for f in check_project(paths, Settings(strict=True), jobs=1)}
    assert strict == {("block.py", 7, "INI001", True)}
    assert _found(paths) == set()

"""classes.py: which classes are modules, their MRO, long inheritance chains."""

import libcst as cst

from init_lint.analysis.classes import ClassTable
from init_lint.analysis.names import ImportTable
from init_lint.analysis.values import Tri


def table(source: str) -> ClassTable:
    module = cst.parse_module(source)
    return ClassTable.from_module(module, ImportTable.from_module(module))


def test_kinds_of_classes():
    classes = table("import torch.nn as nn\nfrom lib import Base\n"
                    "class A(nn.Module): pass\nclass B(A): pass\nclass C(Base): pass\nclass D: pass\n"
                    "class L(nn.Linear): pass\nclass S(nn.Sequential): pass\n")
    kinds = {name: info.is_module for name, info in classes.classes.items()}
    assert kinds == {"A": Tri.YES, "B": Tri.YES, "C": Tri.MAYBE, "D": Tri.NO, "L": Tri.YES, "S": Tri.YES}
    assert classes.get("L").layer_base == "Linear" and classes.get("S").container_base
    assert [info.name for info in classes.modules()] == ["A", "B", "C", "S"]


def test_mro_and_super_lookup():
    classes = table("import torch.nn as nn\nclass A(nn.Module):\n    def f(self): pass\n"
                    "class B(A):\n    def f(self): pass\nclass C(B): pass\n")
    c = classes.get("C")
    assert [i.name for i in classes.mro(c)] == ["C", "B", "A"]
    assert classes.find_method(c, "f")[0].name == "B"
    assert classes.find_method(c, "f", after=classes.get("B"))[0].name == "A"


def test_a_1000_class_chain_is_classified_without_recursion():
    source = "import torch.nn as nn\nclass B0(nn.Module): pass\n" + "".join(
        f"class B{i}(B{i - 1}): pass\n" for i in range(1, 1000))
    classes = table(source)
    assert classes.get("B999").is_module == Tri.YES
    assert len(classes.mro(classes.get("B999"))) == 1000


def test_a_loop_of_bases_terminates():
    classes = table("import torch.nn as nn\nclass A(B, nn.Module): pass\nclass B(A): pass\n")
    assert classes.get("A").is_module == Tri.YES

"""module_location.locate_module: the one answer project mode, verify and health share."""

from __future__ import annotations

from init_lint.module_location import ModuleLocation, locate_module


def test_a_module_inside_packages(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for init in ("pkg/__init__.py", "pkg/sub/__init__.py"):
        (tmp_path / init).write_text("")
    assert locate_module(tmp_path / "pkg" / "sub" / "mod.py") == ModuleLocation(str(tmp_path), "pkg.sub.mod", "pkg.sub")
    assert locate_module(tmp_path / "pkg" / "sub" / "__init__.py") == ModuleLocation(str(tmp_path), "pkg.sub", "pkg.sub")
    # a stub package's __init__.pyi names the package, as __init__.py does
    assert locate_module(tmp_path / "pkg" / "__init__.pyi").module == "pkg"


def test_outside_any_package(tmp_path):
    assert locate_module(tmp_path / "exp1" / "model.py") == ModuleLocation(str(tmp_path / "exp1"), "model", "")
    assert locate_module(tmp_path / "__init__.py").module == tmp_path.name


def test_links_are_not_followed(tmp_path):
    """The path as spelled, as the import system sees it: a linked file belongs to the link's package."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "mod.py").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "link.py").symlink_to(tmp_path / "real" / "mod.py")
    assert locate_module(tmp_path / "pkg" / "link.py") == ModuleLocation(str(tmp_path), "pkg.link", "pkg")
    assert locate_module((tmp_path / "pkg" / "link.py").resolve()) == ModuleLocation(str(tmp_path / "real"), "mod", "")

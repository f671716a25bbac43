"""Packaging: pyproject metadata matches the package, Python 3.9 syntax, standard library only."""

import ast
import sys
from pathlib import Path

import pytest

import shopfloor
from conftest import CLIENT_ROOT, SRC

PACKAGE = SRC / "shopfloor"


def _pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(CLIENT_ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_pyproject_describes_the_package():
    project = _pyproject()["project"]
    assert project["name"] == "shopfloor"
    assert project["version"] == shopfloor.__version__
    assert project["requires-python"] == ">=3.9"
    assert project.get("dependencies", []) == []  # nothing beyond the standard library at run time
    assert (CLIENT_ROOT / project["readme"]).is_file()


def test_the_package_is_imported_from_the_source_tree():
    assert Path(shopfloor.__file__).resolve().parent == PACKAGE.resolve()
    assert (PACKAGE / "py.typed").is_file()


def _modules():
    return sorted(PACKAGE.glob("*.py"))


def test_sources_parse_as_python_3_9():
    for path in _modules():
        ast.parse(path.read_text(), filename=str(path), feature_version=(3, 9))


def test_only_the_standard_library_is_imported():
    stdlib = getattr(sys, "stdlib_module_names", None)
    if stdlib is None:
        pytest.skip("needs Python 3.10+ to know the standard library's names")
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in stdlib or top == "__future__", "%s imports %s" % (path.name, name)


def test_public_names():
    for name in shopfloor.__all__:
        assert hasattr(shopfloor, name), name
    assert callable(shopfloor.connect)

"""The figure modules use only public names of other modules, and no module-level lookups."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import topiclab.outputs

OUTPUTS = Path(topiclab.outputs.__file__).resolve().parent
FIGURE_MODULES = ["plot_themes.py", "plot_terms.py"]


def _private_imports(tree: ast.AST) -> list[str]:
    """Names starting with ``_`` imported from another module, or read off an imported module."""
    found: list[str] = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not (node.attr.startswith("__") and node.attr.endswith("__"))
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("name", FIGURE_MODULES)
def test_figure_modules_import_no_private_name(name: str) -> None:
    tree = ast.parse((OUTPUTS / name).read_text(encoding="utf-8"))
    assert _private_imports(tree) == []
    # the shared helpers come from the one module that holds them
    sources = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "topiclab.outputs.plotting" in sources
    assert "topiclab.outputs.plot" not in sources


@pytest.mark.parametrize("name", FIGURE_MODULES)
def test_figure_modules_have_no_module_getattr(name: str) -> None:
    tree = ast.parse((OUTPUTS / name).read_text(encoding="utf-8"))
    top = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert "__getattr__" not in top


def test_the_check_finds_private_imports() -> None:
    """The checks above can fail: a private import or attribute read is reported."""
    tree = ast.parse(
        "from topiclab.outputs.plotting import _x, public\n"
        "import topiclab.outputs.fonts as fonts\n"
        "y = fonts._BUNDLED\n"
        "z = fonts.__name__\n"
    )
    assert _private_imports(tree) == ["topiclab.outputs.plotting._x", "fonts._BUNDLED"]


def test_old_plot_module_is_gone() -> None:
    assert not (OUTPUTS / "plot.py").exists()
    with pytest.raises(ModuleNotFoundError):
        __import__("topiclab.outputs.plot")

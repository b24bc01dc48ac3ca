"""The arrows between the layers point one way (DESIGN.md): the domain core knows no Qt, no SQL, no
printing and no pandas; the store knows no Qt; the window reaches the database only through the
store. Every import is read from the source, lazy ones inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ari_desktop

PACKAGE = Path(ari_desktop.__file__).parent

# layer -> the modules (top-level names, or ari_desktop sub-packages) it must never import
FORBIDDEN = {
    "core": {"PySide6", "sqlite3", "sqlite_utils", "reportlab", "pandas", "click",
             "ari_desktop.store", "ari_desktop.gui", "ari_desktop.cli", "ari_desktop.printing",
             "ari_desktop.reports"},
    "store": {"PySide6", "reportlab", "click", "ari_desktop.gui", "ari_desktop.cli", "ari_desktop.printing",
              "ari_desktop.reports"},
    "printing": {"PySide6", "sqlite3", "sqlite_utils", "click", "ari_desktop.gui", "ari_desktop.cli"},
    "reports": {"PySide6", "sqlite3", "click", "ari_desktop.gui", "ari_desktop.cli"},
    "gui": {"sqlite3", "sqlite_utils", "ari_desktop.cli"},
    "figures": {"PySide6", "sqlite3", "sqlite_utils", "click", "matplotlib.pyplot", "ari_desktop.gui",
                "ari_desktop.cli"},
}


def imports_of(path: Path, root: Path = PACKAGE) -> set[str]:
    """Absolute names of every module the file (inside the package at `root`) imports."""
    module = ".".join(("ari_desktop", *path.relative_to(root).with_suffix("").parts))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            names.add(source)
            names |= {f"{source}.{alias.name}" for alias in node.names}
    return names


def breaks(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_is_below_it(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules found in ari_desktop/{layer}"
    wrong = {f"{path.relative_to(PACKAGE)}: {name}"
             for path in files for name in imports_of(path) if breaks(name, FORBIDDEN[layer])}
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


# Beside the figures, the one module that shows them: the Analysis view puts each Figure in its Qt canvas.
FIGURE_CANVAS = "gui/analysis/analysis_view.py"


def test_matplotlib_is_imported_by_the_figures_only():
    """So that it stays off every path but drawing one, and its object API is used (no pyplot state)."""
    wrong = {str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py"))
             if path.relative_to(PACKAGE).parts[0] != "figures" and any(breaks(n, {"matplotlib"}) for n in
                                                                          imports_of(path))}
    assert wrong == {FIGURE_CANVAS}, wrong


def test_the_analysis_view_takes_only_the_qt_canvas_of_matplotlib():
    names = {n for n in imports_of(PACKAGE / FIGURE_CANVAS) if breaks(n, {"matplotlib"})}
    assert {n.removesuffix(".FigureCanvasQTAgg") for n in names} == {"matplotlib.backends.backend_qtagg"}, names


def test_the_layer_check_sees_a_forbidden_lazy_import(tmp_path):
    """The check itself: relative imports hidden in a function of a core module are found."""
    fake = tmp_path / "ari_desktop"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "rule.py").write_text("def f():\n    from ..store import Store\n    import PySide6\n")
    found = imports_of(fake / "core" / "rule.py", root=fake)
    assert {"ari_desktop.store", "PySide6"} <= found
    assert all(breaks(name, FORBIDDEN["core"]) for name in ("ari_desktop.store", "PySide6"))

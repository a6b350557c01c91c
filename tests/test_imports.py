"""No import circles: in pipeline/ (every import, at the top or inside a function) and in web/ (static
and dynamic imports). A circle means two modules that cannot be understood, or tested, one without the other."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.config import ROOT

from .test_web_modules import WEB, imports_of

PIPELINE = ROOT / "pipeline"


def pipeline_imports(path: Path) -> set[str]:
    """The pipeline modules `path` imports anywhere in its code (`from pipeline import x`, `from pipeline.x
    import y`, `import pipeline.x`)."""
    modules = {p.stem for p in PIPELINE.glob("*.py")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "pipeline":
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("pipeline.")}
    return found - {path.stem}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle of `graph` (module -> modules it imports), each as the path that closes it."""
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target in path:
                found.append(path[path.index(target) :] + [target])
            elif target not in done:
                visit(target, path + [target])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_in_pipeline():
    graph = {path.stem: pipeline_imports(path) for path in PIPELINE.glob("*.py")}
    assert graph["build"], "the walk found no imports: it is broken"
    assert circles(graph) == []


def test_no_import_circles_in_web():
    graph = {f"/{path.name}": set(imports_of(f"/{path.name}")) for path in WEB.glob("*.js")}
    assert graph["/main.js"], "the walk found no imports: it is broken"
    assert circles(graph) == []

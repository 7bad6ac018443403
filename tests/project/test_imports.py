"""The layout's directions, read from the import statements of every module (also imports
inside functions): no circle, `schemas` at the bottom, `pipelines` never reaching up into the
web app, and the pipeline stages importing only stages before them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "pipelines", "dashboards")
# Stages of pipelines/ in the order they may import each other: a module imports modules of
# its own stage or an earlier one, never a later one.
STAGES = (
    "pipelines.settings",
    "pipelines.warehouse",
    "pipelines.indicators",
    "pipelines.ops",  # locks, jobs, the scheduler and the app store: used by the stages after
    "pipelines.ingest",
    "pipelines.outputs",
    "pipelines.demo",
    "pipelines.run",
    "pipelines.cli",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the project modules it imports."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


GRAPH = _imports(_modules())


def _stage(module: str) -> int | None:
    for i, stage in enumerate(STAGES):
        if module == stage or module.startswith(stage + "."):
            return i
    return None


def test_the_graph_is_read():
    # The reader finds the project's real imports (guards against a test that passes on nothing).
    assert "pipelines.ingest.read" in GRAPH["pipelines.ingest.inbox"]
    assert "dashboards.auth" in GRAPH["app"]
    assert len(GRAPH) > 80


def test_no_circle():
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                circles.append(" → ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_schemas_are_the_bottom_layer():
    wrong = {m: t for m, ts in GRAPH.items() if m.startswith("schemas") for t in ts}
    assert {m: t for m, t in wrong.items() if not t.startswith("schemas")} == {}


def test_pipelines_never_import_the_web_app():
    # Only the command line starts the web server (`rehab-monitor serve`).
    wrong = {
        (m, t)
        for m, ts in GRAPH.items()
        if m.startswith("pipelines") and m != "pipelines.cli"
        for t in ts
        if t == "app" or t.startswith("dashboards")
    }
    assert wrong == set()
    assert GRAPH["pipelines.cli"] & {t for t in GRAPH if t.startswith("dashboards")} == set()


def test_the_app_and_the_pages_do_not_import_the_command_line():
    importers = {m for m, ts in GRAPH.items() if "pipelines.cli" in ts}
    assert importers == set()


def test_pipeline_stages_import_only_earlier_stages():
    wrong = []
    for module, targets in GRAPH.items():
        own = _stage(module)
        if own is None:
            continue
        for target in targets:
            theirs = _stage(target)
            if theirs is not None and theirs > own:
                wrong.append(f"{module} → {target}")
    assert sorted(wrong) == []

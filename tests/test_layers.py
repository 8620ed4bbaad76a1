"""The layers hold: storage and the CLI never import the chat face, and no module imports itself in a loop.

Read from the source (the AST of every module under bot, handlers, storage and messages), so a new import
that runs back up the layers or closes a loop fails here, whichever order the modules happen to load in.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "messages")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module a dotted name lives in (`storage.tasks.Task` is `storage.tasks`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, *, module_level_only: bool) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    targets: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PACKAGES and (target := _resolve(name)) and target != module:
                targets.add(target)
    return targets


def test_nothing_in_storage_or_the_cli_imports_the_chat_face():
    offenders = sorted(f"{module} imports {target}"
                       for module in MODULES if module.startswith(("storage", "bot.cli"))
                       for target in _imports(module, module_level_only=False)
                       if target == "handlers" or target.startswith("handlers."))
    assert offenders == []


def test_the_project_has_no_import_cycle():
    graph = {module: _imports(module, module_level_only=True) for module in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert [" -> ".join(c) for c in cycles] == []


FEATURES = sorted(path.parent.name for path in (ROOT / "storage").glob("*/__init__.py")
                  if path.parent.name not in ("models", "migrations"))


def test_each_feature_face_lists_its_names_and_none_hides_a_module_of_the_package():
    import importlib
    import pkgutil

    for feature in FEATURES:
        face = importlib.import_module(f"storage.{feature}")
        inside = {info.name for info in pkgutil.iter_modules(face.__path__)}
        assert set(face.__all__) <= set(vars(face)), feature
        assert inside & set(face.__all__) == set(), feature  # `from storage.x import views` would get the name

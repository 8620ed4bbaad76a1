"""Every outbox kind the code enqueues is given a lane on purpose (`storage.outbox.LANES`), and the lanes say
what the issue asks: lessons and survey invitations are broadcasts, reminders and digests scheduled, what
someone's action causes a notice.

The kinds are read from the source: every `kind=` given to `outbox.row`, `sealed_row`, `to_member` or
`enqueue`, followed through constants, dict lookups and the parameters of the helpers that pass it on."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

from storage.models.outbox import BROADCAST, NOTICE, SCHEDULED
from storage.outbox import LANES

ROOT = Path(__file__).resolve().parents[1]
ENQUEUERS = {"row", "sealed_row", "to_member", "enqueue"}


def _sources():
    for folder in ("storage", "handlers", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield module, ast.parse(path.read_text(), str(path))


def _name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


class Kinds:
    def __init__(self):
        self.trees = dict(_sources())
        self.found: dict[str, set[str]] = {}  # kind -> where

    def values(self, node: ast.expr, module: str, tree: ast.Module, scope: ast.AST | None) -> set[str]:
        """The strings an expression can be: a constant, a module constant, any value of a constant dict, or
        whatever the callers pass for a parameter."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Subscript):
            table = self._evaluate(node.value, module)
            assert isinstance(table, dict), f"{module}: kind from {ast.unparse(node)}"
            return set(table.values())
        if isinstance(node, ast.Name) and scope is not None and node.id in _params(scope):
            return self._passed(scope, node.id, module, tree)
        value = self._evaluate(node, module)
        assert isinstance(value, str), f"{module}: cannot tell the kind {ast.unparse(node)}"
        return {value}

    def _evaluate(self, node: ast.expr, module: str):
        return eval(compile(ast.Expression(node), module, "eval"), vars(importlib.import_module(module)))

    def _passed(self, function, param: str, module: str, tree: ast.Module) -> set[str]:
        args = function.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        defaults = dict(zip(reversed(positional), reversed(args.defaults)))
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        out = self.values(defaults[param], module, tree, None) if param in defaults else set()
        for caller_module, caller_tree in self.trees.items():
            for call, scope in _calls(caller_tree):
                if _name(call.func) != function.name:
                    continue
                for keyword in call.keywords:
                    if keyword.arg == param:
                        out |= self.values(keyword.value, caller_module, caller_tree, scope)
                index = positional.index(param) if param in positional else None
                if caller_module == module and index is not None and index < len(call.args):
                    out |= self.values(call.args[index], caller_module, caller_tree, scope)
        return out

    def collect(self) -> dict[str, set[str]]:
        for module, tree in self.trees.items():
            for call, scope in _calls(tree):
                if _name(call.func) not in ENQUEUERS or module == "storage.outbox":
                    continue
                for keyword in call.keywords:
                    if keyword.arg == "kind":
                        for kind in self.values(keyword.value, module, tree, scope):
                            self.found.setdefault(kind, set()).add(f"{module}:{call.lineno}")
        return self.found


def _params(function) -> set[str]:
    args = function.args
    return {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}


def _calls(tree: ast.Module):
    """Every call with the innermost function around it."""
    def walk(node, scope):
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope
            if isinstance(child, ast.Call):
                yield child, scope
            yield from walk(child, inner)
    yield from walk(tree, None)


def test_every_kind_the_code_enqueues_has_a_lane():
    found = Kinds().collect()
    missing = {kind: sorted(where) for kind, where in found.items() if kind not in LANES}
    assert not missing, f"kinds enqueued with no lane in storage.outbox.LANES: {missing}"
    assert len(found) >= 20, "the scan still finds the enqueuers"
    unused = set(LANES) - set(found) - {"message"}  # `message`: outbox.row's default
    assert not unused, f"LANES names kinds nothing enqueues: {unused}"


def test_broadcasts_reminders_and_notices_go_in_their_lanes():
    assert {LANES[k] for k in ("lesson.push", "survey.invite", "survey.shared")} == {BROADCAST}
    assert {LANES[k] for k in ("tasks.reminder", "lesson.reminder", "survey.reminder", "reception.reminder",
                               "tasks.digest", "feedback.digest", "tasks.alert")} == {SCHEDULED}
    assert {LANES[k] for k in ("tasks.reported", "tasks.assigned", "tasks.returned", "feedback.relay",
                               "feedback.notice", "reception.notice")} == {NOTICE}

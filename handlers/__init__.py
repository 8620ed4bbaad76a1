"""The chat face: one module per feature, each exposing `register(app)`; `register_all` adds them all.

Feature modules register first (in name order), `fallback` last: it catches what no feature took.
"""
from __future__ import annotations

import importlib
import pkgutil

from telegram.ext import Application

INFRASTRUCTURE = {"dialogs", "fallback", "files", "session"}


def feature_modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name not in INFRASTRUCTURE:
            module = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(module, "register"):
                yield module


def register_all(app: Application) -> None:
    for module in feature_modules():
        module.register(app)
    importlib.import_module(f"{__name__}.fallback").register(app)

"""All models: every module in this package is imported so `Base.metadata` knows every table.

One module per feature (org, outbox, audit, dialogs, tasks, surveys, ...); adding a module is enough.
"""
from __future__ import annotations

import importlib
import pkgutil

from storage.base import Base


def _import_all() -> None:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_import_all()

__all__ = ["Base"]

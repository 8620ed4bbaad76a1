"""Sample contexts for every template, so a test can render each one in both languages.

Each feature keeps its own module here with a `SAMPLES = {template_name: context}` dict.
"""
from __future__ import annotations

import importlib
import pkgutil


def all_samples() -> dict[str, dict]:
    merged: dict[str, dict] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, ctx in module.SAMPLES.items():
            if name in merged:
                raise ValueError(f"template sample {name} defined twice")
            merged[name] = ctx
    return merged

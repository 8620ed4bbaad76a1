"""The command line. Each module here adds its sub-commands with `register(subparsers)`.

Every command exits non-zero with a one-line reason on bad input, and changes nothing when it refuses.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import os
import pkgutil
import sys

from bot.config import ConfigError
from storage.errors import InvalidFile, Refused


class CliError(Exception):
    """A one-line reason to stop with."""


def cli_lang() -> str:
    lang = os.environ.get("TONGXIN_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if lang.lower().startswith("en") else "zh"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tongxin", description="Tongxin (同心) Party-and-mass work bot")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        sys.exit(2)
    try:
        result = func(args)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
    except (ConfigError, CliError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except Refused as exc:
        from messages import render

        print("error: " + " ".join(render(cli_lang(), exc.template, **exc.params).split()), file=sys.stderr)
        sys.exit(2)
    except InvalidFile as exc:
        from messages import render

        reasons = "; ".join(" ".join(render(cli_lang(), f"problem_{p.code}", **p.params).split())
                            if p.row is None else f"{p.row}: " + " ".join(
                                render(cli_lang(), f"problem_{p.code}", **p.params).split())
                            for p in exc.problems)
        print(f"error: {reasons}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)

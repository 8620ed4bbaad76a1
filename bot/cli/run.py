"""`run`, `sandbox` and `db upgrade`."""
from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from bot import config as config_module
from bot import logs
from bot.cli import CliError

log = logging.getLogger(__name__)


async def run_bot(cfg) -> None:
    from bot.app import PollingTaken, Runtime

    runtime = Runtime(cfg)
    try:
        await runtime.start()
    except PollingTaken as exc:
        raise CliError(str(exc)) from None
    runtime.start_scheduler()
    mode = "webhook" if cfg.webhook_mode else "polling"
    log.info("Tongxin running as @%s (%s)", runtime.bot.username, mode)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    await runtime.stop()


def cmd_run(args) -> None:
    logs.setup()
    cfg = config_module.load(need_token=True)
    asyncio.run(run_bot(cfg))


def cmd_sandbox(args) -> None:
    from bot.sandbox.session import run_sandbox

    logs.setup(logging.WARNING)
    lines = None
    if args.script:  # read before anything starts: a bad script is one line, not a traceback
        try:
            lines = Path(args.script).read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:  # a GBK file from Notepad, say
            raise CliError(f"the script {args.script} is not UTF-8 text") from None
        except OSError:  # missing, unreadable, a folder
            raise CliError(f"cannot read the script {args.script}") from None
    asyncio.run(run_sandbox(lines, fresh=args.fresh))


def cmd_db_upgrade(args) -> None:
    from storage import migrate

    cfg = config_module.load()
    migrate.upgrade_sync(cfg.database_url)
    print("database upgraded to head")


def register(sub) -> None:
    p = sub.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("sandbox", help="run the bot offline against a fake Bot API with a demo organisation")
    p.add_argument("--script", help="read terminal input from this file instead of the keyboard")
    p.add_argument("--fresh", action="store_true",
                   help="start over with new demo data (otherwise the data of the last run is kept)")
    p.set_defaults(func=cmd_sandbox)
    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply the migrations")
    up.set_defaults(func=cmd_db_upgrade)

"""Logging: INFO for us, WARNING for httpx/httpcore, which log full request URLs (the token with them)."""
from __future__ import annotations

import logging


def setup(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "apscheduler.scheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

"""The aiohttp server: the webhook (secret token checked in constant time), /health and /metrics.

The webhook answers 200 only once the update is committed to the inbox: Telegram redelivers anything not
acknowledged, and the inbox ignores what it already has. A body that is not an update gets 400.
"""
from __future__ import annotations

import hmac
import logging
import time
from urllib.parse import urlparse

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.update_payload import NotAnUpdate, parse
from storage import outbox
from storage.models.outbox import LANE_NAMES

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebServer:
    def __init__(self, runtime):
        self.runtime = runtime
        self.app = web.Application(client_max_size=10 * 1024 * 1024)
        path = urlparse(runtime.config.webhook_url).path if runtime.config.webhook_url else "/webhook"
        self.app.router.add_post(path or "/webhook", self.webhook)
        self.app.router.add_get("/health", self.health)
        self.app.router.add_get("/metrics", self.metrics)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str = "0.0.0.0") -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, self.runtime.config.http_port or 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 (the port when 0 was asked)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def webhook(self, request: web.Request) -> web.Response:
        expected = (self.runtime.config.webhook_secret or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            payload = parse(await request.read())
        except NotAnUpdate as exc:
            log.warning("webhook body refused: %s", exc)
            return web.Response(status=400, text=str(exc))
        try:
            await self.runtime.inbox.accept([payload])
        except Exception as exc:  # not recorded, so not acknowledged: Telegram sends it again
            log.error("webhook update %s not recorded: %s", payload["update_id"], exc)
            return web.Response(status=503)
        return web.Response(status=200)

    async def health(self, request: web.Request) -> web.Response:
        backlog = None
        try:
            async with self.runtime.db.session() as session:
                await session.execute(text("SELECT 1"))
                backlog = await outbox.backlog(session, self.runtime.ctx)
            db_ok = True
        except Exception:  # health reports, it does not raise
            db_ok = False
        last = self.runtime.last_tick_ok
        body = {"ok": db_ok, "database": db_ok, "updates_handled": self.runtime.processor.finished,
                "outbox_backlog": {LANE_NAMES[lane]: count for lane, (count, _) in (backlog or {}).items()},
                "outbox_oldest_seconds": max((age for _, age in (backlog or {}).values()), default=0.0),
                "last_tick_age_seconds": None if last is None else round(time.monotonic() - last, 3)}
        return web.json_response(body, status=200 if db_ok else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        """Prometheus text; the backlog gauges are read from the database at each scrape."""
        try:
            async with self.runtime.db.session() as session:
                self.runtime.metrics.show_backlog(await outbox.backlog(session, self.runtime.ctx))
        except Exception:  # the counters are still worth scraping
            log.warning("metrics: could not read the outbox backlog")
        return web.Response(body=self.runtime.metrics.text(),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

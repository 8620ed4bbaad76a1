"""Assembles the runtime: database, rules context, PTB Application, update inbox, sender and scheduler tick."""
from __future__ import annotations

import logging
import time

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

import handlers
from bot.budget import SendBudget
from bot.config import Config
from bot.inbox import InboxPump
from bot.metrics import Metrics
from bot.polling import Poller
from bot.replicas import Replicas
from bot.sender import Sender
from bot.updates import PerChatUpdateProcessor
from messages import render
from storage import locks, migrate, producers, settings
from storage.clock import Clock
from storage.context import Context
from storage.db import Database

log = logging.getLogger(__name__)


class PollingTaken(Exception):
    """Another process already polls for this bot."""


class Runtime:
    """Everything one bot process holds; handlers reach it as `context.bot_data["runtime"]`."""

    def __init__(self, config: Config, clock: Clock | None = None):
        self.config = config
        self.db = Database(config.database_url)
        self.ctx = Context(clock=clock or Clock(), tz=config.tz, secret=config.secret, admins=config.admins,
                           quiet_start=config.quiet_start, quiet_end=config.quiet_end,
                           overdue_escalate_days=config.overdue_escalate_days,
                           bot_username=config.bot_username)
        self.processor = PerChatUpdateProcessor()
        self.metrics = Metrics()
        # One send budget for every Bot API call of this bot: replies, callback answers, the outbox.
        self.budget = SendBudget(config.rate_per_second, config.chat_interval, headroom=config.broadcast_headroom,
                                 metrics=self.metrics)
        builder = (ApplicationBuilder().token(config.token or "")
                   .base_url(f"{config.api_url}/bot")
                   .base_file_url(f"{config.api_url}/file/bot")
                   .concurrent_updates(self.processor)
                   .connection_pool_size(64)
                   .pool_timeout(30)
                   .rate_limiter(self.budget)
                   # No Updater: updates come in through the inbox (bot/inbox.py), from the webhook or our poller.
                   .updater(None))
        self.application: Application = builder.build()
        self.application.bot_data["runtime"] = self
        self.application.add_error_handler(_on_error)
        producers.load_features()
        handlers.register_all(self.application)
        self.sender = Sender(self.application.bot, self.db, self.ctx, budget=self.budget,
                             lease_seconds=config.outbox_lease_seconds)
        # The replica lease is never longer than a claim's, so a dead sender's rows and its outbox lease lapse together.
        self.replicas = (Replicas(self.db, self.ctx, self.budget, self.sender, headroom=config.broadcast_headroom,
                                  lease_seconds=min(6.0, config.outbox_lease_seconds))
                         if self.db.is_postgres else None)
        self.scheduler = None
        self.web = None
        self.last_tick_ok: float | None = None  # monotonic time of the last tick whose producers all ran
        self.inbox = InboxPump(self)
        self.poller: Poller | None = None
        self._polling_lock: locks.ProcessLock | None = None

    @property
    def bot(self):
        return self.application.bot

    async def produce(self) -> dict:
        """The scheduler's tick: producers write what is due into the outbox (committing wakes the sender)."""
        started = time.monotonic()
        produced = await producers.run_all(self.db, self.ctx)
        self.metrics.tick_duration.observe(time.monotonic() - started)
        if all(n >= 0 for n in produced.values()):
            self.last_tick_ok = time.monotonic()
            self.metrics.last_tick.set_to_current_time()
        return produced

    async def tick(self) -> dict:
        """Producers, then a drain of everything due: what the tests call to move the world on."""
        produced = await self.produce()
        stats = await self.sender.drain()
        return {"produced": produced, "sent": stats.sent, "retried": stats.retried, "dead": stats.dead}

    async def start(self, *, polling: bool = True, upgrade: bool = True, sender: bool = True) -> None:
        """`sender=False` leaves the outbox to explicit `tick()`s (tests that step the world by hand)."""
        polling = polling and not self.config.webhook_mode
        if polling:
            await self._lock_polling()  # first: a second poller stops before it touches anything
        if upgrade:
            await migrate.upgrade(self.config.database_url)
        await self.application.initialize()
        username = self.application.bot.username
        async with self.db.session() as session:
            if username:
                await settings.put(session, "bot_username", username)
                self.ctx.bot_username = self.config.bot_username or username
        await self._default_menu()
        await self.application.start()
        if sender:
            if self.replicas is not None:
                await self.replicas.start()
            self.sender.start()
        await self.inbox.start(sole_consumer=polling)
        if self.config.webhook_mode:
            from bot.web import WebServer

            self.web = WebServer(self)
            await self.web.start()
            await self.application.bot.set_webhook(self.config.webhook_url, secret_token=self.config.webhook_secret,
                                                   allowed_updates=Update.ALL_TYPES)
        else:
            if self.config.http_port:
                from bot.web import WebServer

                self.web = WebServer(self)
                await self.web.start()
            if polling:
                self.poller = Poller(self)
                self.poller.start()

    async def _lock_polling(self) -> None:
        """Telegram allows one getUpdates consumer per bot: a second process refuses to start."""
        lock = locks.ProcessLock(self.db.engine, f"polling-{(self.config.token or '').split(':')[0]}")
        try:
            await lock.acquire()
        except locks.Busy:
            await self.db.dispose()
            raise PollingTaken("another process is already polling for this bot on this database; "
                               "stop it first, or run replicas in webhook mode") from None
        self._polling_lock = lock

    def start_scheduler(self) -> None:
        from bot.scheduler import start_scheduler

        self.scheduler = start_scheduler(self)

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        if self.poller is not None:
            await self.poller.stop()
            self.poller = None
        if self.web is not None:
            await self.web.stop()
            self.web = None
        if self.application.running:
            await self.inbox.stop()
        await self.sender.stop()
        if self.replicas is not None and self.replicas.started:
            await self.replicas.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        if self._polling_lock is not None:
            await self._polling_lock.release()
            self._polling_lock = None
        await self.db.dispose()

    async def _default_menu(self) -> None:
        """Strangers see /start and /help; each member's own menu is set per chat when they register."""
        for lang, code in (("zh", None), ("en", "en")):
            await self.application.bot.set_my_commands(
                [BotCommand("start", render(lang, "command_description", command="start")),
                 BotCommand("help", render(lang, "command_description", command="help"))],
                language_code=code,
            )


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        lang = "en" if (update.effective_user and (update.effective_user.language_code or "").startswith("en")) else "zh"
        try:
            await context.bot.send_message(update.effective_chat.id, render(lang, "error"))
        except Exception:  # the error reply is best effort; the log has the cause
            log.warning("could not tell the user about the error")

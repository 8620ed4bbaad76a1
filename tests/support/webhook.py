"""Telegram's side of webhook mode, for tests: the fake Bot API's queued updates posted to the bot's webhook,
one at a time, each again until it is answered 200 (as Telegram redelivers)."""
from __future__ import annotations

import asyncio

import aiohttp

from bot.web import SECRET_HEADER

SECRET = "s3cret-token"


async def post(url: str, body, secret: str = SECRET) -> int:
    """POST a body (bytes as they are, anything else as JSON) to the webhook; returns the status."""
    async with aiohttp.ClientSession() as http:
        kwargs = {"data": body} if isinstance(body, bytes) else {"json": body}
        async with http.post(url, headers={SECRET_HEADER: secret}, **kwargs) as response:
            return response.status


class Relay:
    def __init__(self, fake, url: str, secret: str = SECRET):
        self.fake, self.url, self.secret = fake, url, secret
        self.delivered: list[dict] = []
        self._task: asyncio.Task | None = None

    def start(self) -> "Relay":
        self._task = asyncio.create_task(self._loop())
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    await self.fake.wait_for(lambda: self.fake.pending, timeout=3600)
                except TimeoutError:
                    continue
                update = self.fake.pending[0]
                try:
                    async with http.post(self.url, json=update, headers={SECRET_HEADER: self.secret}) as r:
                        status = r.status
                except aiohttp.ClientError:
                    status = 0  # the bot is down: Telegram keeps the update and tries again
                if status == 200:
                    self.fake.pending.pop(0)
                    self.delivered.append(update)
                else:
                    await asyncio.sleep(0.05)

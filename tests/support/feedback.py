"""Helpers for the feedback tests: configuring routing, and submitting a ticket the way a person does."""
from __future__ import annotations

import re
from dataclasses import replace

from storage import feedback

TICKET = re.compile(r"#([23456789A-Z]{8})")


async def configure(env, **changes) -> None:
    async with env.db.session() as session:
        cfg = await feedback.load_config(session)
        await feedback.save_config(session, replace(cfg, **changes))


async def submit(person, category: str, text: str, *, anonymous: bool = True) -> str:
    """/feedback, pick the category, write, confirm; returns the ticket number the bot gave. The ticket is
    filed by the next tick (the writer's own transaction only queues it, sealed), which runs here."""
    await person.send("/feedback")
    await person.press(category)
    await person.send(text)
    press = await person.press("匿名提交" if anonymous else "署名提交")
    found = TICKET.search(press.text)
    assert found, press.text
    await person.env.tick()
    return found.group(1)


def ticket_in(text: str) -> str:
    found = TICKET.search(text)
    assert found, text
    return found.group(1)

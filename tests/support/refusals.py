"""What a refusal test asserts: the refusal's own text, and that the database is as it was before."""
from __future__ import annotations

import html

from sqlalchemy import select

from messages import render
from storage.tables import Base


def refusal(lang: str, template: str, **params) -> str:
    """The toast a refused press shows: the template rendered, as plain text (what Telegram displays)."""
    return html.unescape(render(lang, template, **params))[:200]


# The inbox records every update received, refused ones included: that is delivery, not a change.
NOT_STATE = {"inbox_updates"}


async def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: equal before and after means nothing was written."""
    rows: dict[str, list[tuple]] = {}
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_STATE:
                continue
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(repr(v) for v in row) for row in result.all()))
    return rows

"""Files people send: a `.csv`/`.xlsx` document is checked (kind, size), then downloaded and read outside the
database transaction and off the event loop, within the configured limits."""
from __future__ import annotations

from typing import Callable, TypeVar

from storage import tabular
from storage.errors import Refused
from storage.tabular import Limits

TABLE_SUFFIXES = (".csv", ".xlsx")
T = TypeVar("T")


async def table_from(turn, reader: Callable[[bytes, str, Limits], T]) -> T | None:
    """What `reader(content, filename, limits)` makes of the spreadsheet in this message (a storage function
    that reads and checks rows, touching no database), or None when no document was sent."""
    doc = turn.message.document if turn.message else None
    if doc is None:
        return None
    name = doc.file_name or "file"
    if not name.lower().endswith(TABLE_SUFFIXES):
        raise Refused("file_not_table", name=name)
    limits = turn.runtime.config.upload_limits
    if doc.file_size and doc.file_size > limits.max_bytes:
        raise Refused("file_too_big", name=name, limit=tabular.megabytes(limits.max_bytes))

    async def fetch_and_read() -> T:
        return await tabular.read_off_loop(reader, await bytes_of(turn, doc.file_id), name, limits)

    return await turn.outside(fetch_and_read)


async def bytes_of(turn, file_id: str) -> bytes:
    tg_file = await turn.context.bot.get_file(file_id)
    return bytes(await tg_file.download_as_bytearray())

"""Files people send: fetch the bytes of a `.csv`/`.xlsx` document, refusing other kinds up front."""
from __future__ import annotations

from storage.errors import Refused

MAX_BYTES = 5 * 1024 * 1024
TABLE_SUFFIXES = (".csv", ".xlsx")


async def table_from(turn) -> tuple[bytes, str] | None:
    """(content, filename) of the spreadsheet in this message, or None when no document was sent."""
    doc = turn.message.document if turn.message else None
    if doc is None:
        return None
    name = doc.file_name or "file"
    if not name.lower().endswith(TABLE_SUFFIXES):
        raise Refused("file_not_table", name=name)
    if doc.file_size and doc.file_size > MAX_BYTES:
        raise Refused("file_too_big", name=name)
    tg_file = await turn.context.bot.get_file(doc.file_id)
    return bytes(await tg_file.download_as_bytearray()), name


async def bytes_of(turn, file_id: str) -> bytes:
    tg_file = await turn.context.bot.get_file(file_id)
    return bytes(await tg_file.download_as_bytearray())

"""Evidence on a task note: a photo or a document sent with its caption as the note.

Only Telegram's file id is kept (the bot never downloads it): the secretary is re-sent the file by its id with
the report, through the outbox. The caption is the note, so a file without one is refused (a bare photo says
neither what was done nor which task it proves); a document above what Telegram lets a bot fetch is refused
too, so nothing is kept that could not be looked at later.
"""
from __future__ import annotations

from dataclasses import dataclass

from storage.errors import Refused

MAX_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download (getFile)
NAME_MAX = 255
KINDS = ("photo", "document")


@dataclass(frozen=True)
class Evidence:
    kind: str  # photo, document
    file_id: str
    name: str = ""
    size: int | None = None


def check(evidence: Evidence | None, kind: str, text: str) -> Evidence | None:
    """The evidence a note of `kind` may carry, or a refusal; None when nothing was sent with it."""
    if evidence is None:
        return None
    if kind not in ("progress", "done") or evidence.kind not in KINDS:
        raise Refused("tasks_evidence_not_here")
    if not text:
        raise Refused("tasks_evidence_needs_caption")
    if evidence.size is not None and evidence.size > MAX_BYTES:
        raise Refused("tasks_evidence_too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    if not evidence.file_id or len(evidence.file_id) > 255:
        raise Refused("tasks_evidence_not_here")
    return Evidence(evidence.kind, evidence.file_id, (evidence.name or "")[:NAME_MAX], evidence.size)


def of_note(note) -> Evidence | None:
    return Evidence(note.evidence_kind, note.evidence_file_id, note.evidence_name or "") \
        if note.evidence_file_id else None

"""Anonymity attacked the way someone with the database would: six members answer an anonymous survey and
three file anonymous tickets among ordinary traffic; then the tables are read as the bot's own database user
(PostgreSQL system columns included) and the SQLite file and its WAL are copied and scanned byte by byte.

The rule under attack (README, "Threat model"): an answer or ticket in the clear is written only by the
tick, in a transaction that names no writer and holds the whole batch; what waits before that is sealed.
"""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

from sqlalchemy import text

from storage.surveys import QuestionSpec
from tests.support.feedback import TICKET
from tests.support.surveys import BIG_ROSTER, invitation, join_all, publish

RESPONDENTS = ("1102", "1103", "1104", "1105", "1201", "1202")
TICKET_WRITERS = ("1106", "1107", "1203")
_WORD = dict(zip(RESPONDENTS + TICKET_WRITERS, "甲乙丙丁戊己庚辛壬"))


class _Secret:
    """A text only its writer typed, with nothing of them in it (an employee number would match itself)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def format(self, no: str) -> str:
        return f"{self.prefix}{_WORD[no]}号"


SECRET_ANSWER = _Secret("心里话暗号")
SECRET_TICKET = _Secret("反映暗号")


async def _traffic(people, no: str) -> None:
    """Ordinary use by someone who is not writing anything anonymous at that moment."""
    await people[no].send("/help")
    await people[no].send("/surveys")


async def _run(env) -> dict:
    """The organisation, the survey, the answers and the tickets; returns the people by employee number."""
    people = await join_all(env, BIG_ROSTER)
    await publish(env, title="匿名心声", audience="all", min_group_size=5, questions=[
        QuestionSpec("rating", "满意度"), QuestionSpec("text", "心里话")])
    await env.tick()
    for i, no in enumerate(RESPONDENTS):
        await _traffic(people, "1101")
        person = people[no]
        await person.press("开始答题", invitation(person))
        await person.press(str(1 + i % 5))
        await person.say(SECRET_ANSWER.format(no))
    for no in TICKET_WRITERS:
        await _traffic(people, "1101")
        person = people[no]
        await person.send("/feedback")
        await person.press("意见建议")
        await person.send(SECRET_TICKET.format(no))
        press = await person.press("匿名提交")
        assert TICKET.search(press.text), press.text
    return people


async def _writers(env) -> dict[str, dict]:
    """What names each writer: member id, employee number, name, Telegram and chat ids."""
    async with env.db.session() as s:
        rows = (await s.execute(text(
            "SELECT id, employee_no, name, telegram_user_id, chat_id FROM members"))).all()
    return {r.employee_no: {"id": r.id, "values": {str(v) for v in r if v is not None}} for r in rows
            if r.employee_no in RESPONDENTS + TICKET_WRITERS}


# --- PostgreSQL, as the bot's own user -----------------------------------------------------------------

ANONYMOUS_TABLES = ("survey_responses", "survey_answers", "feedback_tickets", "feedback_messages")


async def _system_rows(env, table: str) -> list[dict]:
    async with env.db.session() as s:
        result = await s.execute(text(f'SELECT xmin::text AS _xmin, xmax::text AS _xmax, ctid::text AS _ctid, * '
                                      f'FROM "{table}"'))
        return [dict(r._mapping) for r in result]


async def _tables(env) -> list[str]:
    async with env.db.session() as s:
        return list((await s.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).scalars())


async def test_reading_postgres_as_the_bot_user_links_no_answer_or_ticket_to_its_writer(pg_env):
    env = pg_env
    await _run(env)
    writers = await _writers(env)
    naming_values = {v for w in writers.values() for v in w["values"]}
    await env.tick()  # counts the batch, files the tickets

    # Every row of every table, system columns included. A row "names a writer" when any value in it is a
    # writer's member id in a member column, or their employee number, name, Telegram or chat id.
    naming_xids: dict[str, set[str]] = defaultdict(set)
    anonymous: dict[str, list[dict]] = {}
    for table in await _tables(env):
        rows = await _system_rows(env, table)
        if table in ANONYMOUS_TABLES:
            anonymous[table] = rows
            continue
        for row in rows:
            values = {str(v) for k, v in row.items() if not k.startswith("_") and v is not None}
            member_cols = {str(v) for k, v in row.items() if (k == "member_id" or k.endswith("_member_id")
                           or k == "actor_id" or (table == "members" and k == "id")) and v is not None}
            ids = {str(w["id"]) for w in writers.values()}
            if values & (naming_values - ids) or member_cols & ids:
                naming_xids[row["_xmin"]].add(table)
                if row["_xmax"] != "0":
                    naming_xids[row["_xmax"]].add(table)

    answers = [r for r in anonymous["survey_answers"] if r["text"]]
    assert sorted(r["text"] for r in answers) == sorted(SECRET_ANSWER.format(no) for no in RESPONDENTS)
    tickets = anonymous["feedback_tickets"]
    assert sorted(r["text"] for r in tickets) == sorted(SECRET_TICKET.format(no) for no in TICKET_WRITERS)

    # Equal xmin / xmax: no anonymous row was written (or locked) by a transaction that wrote a naming row.
    for table, rows in anonymous.items():
        for row in rows:
            for xid in (row["_xmin"], row["_xmax"]):
                assert xid == "0" or xid not in naming_xids, (table, naming_xids.get(xid))

    # Nearest xmin, row order, ctid: every answer and every ticket shares its transaction with the whole
    # batch, so ordering them or their neighbours in the transaction log tells them apart from no one.
    assert {r["_xmin"] for r in anonymous["survey_responses"]} == {r["_xmin"] for r in answers}
    assert len({r["_xmin"] for r in answers}) == 1 and len(answers) == len(RESPONDENTS)
    assert len({r["_xmin"] for r in tickets}) == 1
    # Ids are random, not a sequence; the only time on them is a date.
    assert all(len(r["id"]) == 32 for r in anonymous["survey_responses"])
    assert all(not str(r["id"]).isdigit() for r in tickets)
    async with env.db.session() as s:
        kinds = dict((await s.execute(text(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('survey_responses', 'survey_answers', 'survey_ballots', 'feedback_pending')"
        ))).all())
    assert not [c for c, kind in kinds.items() if "timestamp" in kind or "time" == kind], kinds

    # What waits is sealed: nothing left to read in the queues, and no plaintext in them before.
    for table in ("survey_ballots", "feedback_pending"):
        assert await _system_rows(env, table) == []
    # Audit and outbox rows of that moment carry no writer next to a ticket.
    async with env.db.session() as s:
        outbox = (await s.execute(text("SELECT chat_id, member_id, payload::text FROM outbox"))).all()
    ticket_ids = {r["id"] for r in tickets}
    for chat_id, member_id, payload in outbox:
        if any(t in payload for t in ticket_ids):
            assert str(chat_id) not in naming_values and str(member_id) not in {
                str(w["id"]) for w in writers.values()}


async def test_a_staff_reply_reaches_the_writer_through_a_sealed_outbox_row(pg_env):
    """The way back to the writer is sealed in the outbox too: the reply's row names no chat until sent."""
    env = pg_env
    office = env.admin()
    await office.send("/help")  # an admin from TONGXIN_ADMINS: tickets routed nowhere reach the admins
    people = await _run(env)
    await env.tick()
    secretary = office
    assert "新工单" in secretary.last["text"]
    await secretary.press("查看")
    await secretary.press("答复", secretary.find("标记已答复"))
    await secretary.say("已收到，马上处理。")
    async with env.db.session() as s:
        waiting = (await s.execute(text(
            "SELECT chat_id, member_id, payload::text FROM outbox WHERE kind = 'feedback.relay'"))).all()
    assert len(waiting) == 1
    chat_id, member_id, payload = waiting[0]
    assert chat_id == 0 and member_id is None and "马上处理" not in payload
    before = {no: len(people[no].messages) for no in TICKET_WRITERS}
    await env.tick()
    got = [no for no in TICKET_WRITERS if any("马上处理" in m.get("text", "")
                                              for m in people[no].messages[before[no]:])]
    assert len(got) == 1


# --- SQLite, a copy of the file and its WAL --------------------------------------------------------------

def _copy(db_path: Path, into: Path) -> tuple[bytes, bytes]:
    into.mkdir()
    shutil.copy(db_path, into / "db")
    wal = Path(f"{db_path}-wal")
    data_wal = wal.read_bytes() if wal.exists() else b""
    return (into / "db").read_bytes(), data_wal


def _mentions(page: bytes, value: bytes) -> bool:
    """The value stands in the page on its own (a number inside a random hex id is not a mention)."""
    return re.search(rb"(?<![0-9a-f])" + re.escape(value) + rb"(?![0-9a-f])", page) is not None


def _pages(data: bytes, size: int = 4096) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def _wal_commits(wal: bytes, page_size: int = 4096) -> list[list[bytes]]:
    """The WAL's frames grouped by commit (a frame with a database size marks the end of a transaction)."""
    commits, current = [], []
    offset = 32
    while offset + 24 + page_size <= len(wal):
        header, page = wal[offset:offset + 24], wal[offset + 24:offset + 24 + page_size]
        current.append(page)
        if int.from_bytes(header[4:8], "big"):
            commits.append(current)
            current = []
        offset += 24 + page_size
    return commits


async def test_a_copy_of_the_sqlite_file_and_wal_holds_no_answer_beside_its_writer(env, tmp_path):
    await _run(env)
    writers = await _writers(env)
    secrets = [SECRET_ANSWER.format(no).encode() for no in RESPONDENTS]
    secrets += [SECRET_TICKET.format(no).encode() for no in TICKET_WRITERS]
    db_path = Path(env.config.database_url.split("///", 1)[1])

    # Mid-run, before the tick: everything anonymous is sealed, so no text is anywhere in the clear.
    data, wal = _copy(db_path, tmp_path / "before")
    assert not [s for s in secrets if s in data or s in wal]

    await env.tick()
    data, wal = _copy(db_path, tmp_path / "after")
    names = {v.encode() for no, w in writers.items() for v in w["values"] if not v.isdigit() or len(v) >= 4}
    for page in _pages(data) + [p for commit in _wal_commits(wal) for p in commit]:
        if any(s in page for s in secrets):
            assert not [n for n in names if _mentions(page, n)], "an anonymous text shares a page with its writer"
    # Each transaction in the log that holds a text holds its whole batch: the six answers, the three tickets.
    for commit in _wal_commits(wal):
        blob = b"".join(commit)
        answers = [s for s in secrets[:len(RESPONDENTS)] if s in blob]
        tickets = [s for s in secrets[len(RESPONDENTS):] if s in blob]
        assert len(answers) in (0, len(RESPONDENTS)), answers
        assert len(tickets) in (0, len(TICKET_WRITERS)), tickets


async def test_a_restart_while_answering_and_drafting_loses_nothing(env):
    people = await join_all(env, BIG_ROSTER)
    await publish(env, title="匿名心声", audience="all", min_group_size=5, questions=[
        QuestionSpec("rating", "满意度"), QuestionSpec("text", "心里话")])
    await env.tick()
    wang, li = people["1102"], people["1103"]
    await wang.press("开始答题", invitation(wang))
    await wang.press("4")
    await li.send("/feedback")
    await li.press("意见建议")
    await li.send("重启前写下的意见")
    await env.restart()

    await wang.send("/surveys")
    resumed = await wang.press("继续答题")
    assert "第 2/2 题" in resumed.text  # the sealed first answer came back: they are on the second question
    assert "感谢参与" in await wang.say("重启后写完")
    press = await li.press("匿名提交")
    ticket = TICKET.search(press.text).group(1)
    await env.tick()
    async with env.db.session() as s:
        stored = (await s.execute(text("SELECT text FROM feedback_tickets WHERE id = :t"), {"t": ticket})).scalar()
    assert stored == "重启前写下的意见"


async def test_even_dead_rows_read_with_pageinspect_chain_no_writer_to_an_answer(pg_env):
    """As a superuser with pageinspect: the writer's transaction leaves dead rows (their dialog, their progress)
    and the tick deletes the sealed rows it opened. After the tick's vacuum no tuple, live or dead, leads from
    a transaction that touched a writer's row to the transaction that wrote the answers and tickets."""
    env = pg_env
    await _run(env)
    await env.tick()
    async with env.db.session() as s:
        await s.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    tuples: dict[str, list[tuple[int, int]]] = {}
    for table in await _tables(env):
        async with env.db.session() as s:
            blocks = (await s.execute(text(
                f"SELECT pg_relation_size('\"{table}\"') / current_setting('block_size')::int"))).scalar()
            rows = []
            for block in range(blocks):
                rows += (await s.execute(text(
                    # xmax of a row only locked (a foreign key check, FOR UPDATE) is no change: 0 here.
                    f"SELECT t_xmin::text::bigint, CASE WHEN t_infomask & 128 = 0 THEN t_xmax::text::bigint "
                    f"ELSE 0 END FROM heap_page_items(get_raw_page('{table}', {block})) "
                    f"WHERE t_xmin IS NOT NULL"))).all()
        tuples[table] = [tuple(r) for r in rows]
    anonymous = {x for t in ANONYMOUS_TABLES for x, _ in tuples[t]}
    writer_tables = ("members", "survey_completions", "survey_progress", "dialogs")
    writers_xids = {x for t in writer_tables for pair in tuples[t] for x in pair if x}
    chains = [(table, x, y) for table, pairs in tuples.items() for x, y in pairs
              if x in writers_xids and y in anonymous]
    assert not chains, chains
    assert not writers_xids & anonymous

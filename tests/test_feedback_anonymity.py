"""Anonymity as a property of the data: after a whole exchange, nothing in any table or in the logs leads
back to the writer without TONGXIN_SECRET, and after retention not even with it.

The checks read the schema (every table, every column, every foreign key to members), so a column added
later by anyone cannot slip past them.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timezone

from sqlalchemy import inspect, select, text

from storage import calendar, feedback
from storage.context import Context
from storage.models.org import Member
from tests.support.botenv import DEMO_ROSTER
from tests.support.feedback import configure, submit

WRITER_TG = 7340012345
TEXTS = ("三号线夜班连续加班两个月，身体吃不消", "排班表已经拍照", "希望能轮换")


@dataclass
class Writer:
    id: int
    telegram_id: int
    chat_id: int
    name: str
    employee_no: str

    def in_text(self, flat: str) -> bool:
        numbers = {str(self.telegram_id), str(self.chat_id), self.employee_no}
        return self.name in flat or any(re.search(rf"(?<!\d){n}(?!\d)", flat) for n in numbers)


async def dump(env) -> tuple[dict[str, list[dict]], dict[str, set[str]], dict[str, set[str]]]:
    """Every row of every table, the columns pointing at members, and the datetime columns, from the schema."""
    async with env.db.engine.connect() as conn:
        def schema(sync):
            insp = inspect(sync)
            tables = insp.get_table_names()
            fks = {t: {c for fk in insp.get_foreign_keys(t) if fk["referred_table"] == "members"
                       for c in fk["constrained_columns"]} for t in tables}
            stamps = {t: {c["name"] for c in insp.get_columns(t) if "DATETIME" in str(c["type"]).upper()}
                      for t in tables}
            return tables, fks, stamps

        tables, fks, stamps = await conn.run_sync(schema)
        rows = {t: [dict(r._mapping) for r in (await conn.execute(text(f'SELECT * FROM "{t}"'))).all()]
                for t in tables}
    return rows, fks, stamps


def rows_member_id(rows, employee_no: str) -> int:
    return next(r["id"] for r in rows["members"] if r["employee_no"] == employee_no)


def assert_no_link(rows, fks, writer: Writer, ticket: str) -> None:
    for table, table_rows in rows.items():
        for row in table_rows:
            flat = json.dumps(row, default=str, ensure_ascii=False)
            about_ticket = ticket in flat or any(t in flat for t in TEXTS)
            if table in ("members", "invites"):  # the roster itself: it must not know the ticket
                assert not about_ticket, (table, row)
                continue
            about_writer = writer.in_text(flat) or any(row.get(c) == writer.id for c in fks[table])
            assert not (about_ticket and about_writer), (table, row)
            if table.startswith("feedback_"):
                assert not about_writer, (table, row)


async def exchange(env, clock):
    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={"work": ["生产部"]})
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(WRITER_TG, "王芳", "1002")
    clock.advance(hours=5, minutes=17, seconds=3)  # 14:17:03 local: a moment that must not be kept
    ticket = await submit(wang, "工作与生产", TEXTS[0])
    await env.tick()
    await zhang.press("查看")
    await zhang.press("答复", zhang.find("标记已答复"))
    await zhang.say("已了解，请问是哪个班组？")
    await env.tick()
    await wang.press("回复")
    await wang.say(f"{TEXTS[1]}，{TEXTS[2]}。")
    await env.tick()
    await wang.press("⭐⭐⭐⭐⭐")
    await wang.press("已解决")
    await env.tick()
    await zhang.press("查看")
    await zhang.press("填写原因与改进措施")
    await zhang.say("排班只看产量，没有考虑连续夜班。")
    await zhang.say("排班规则增加连续夜班上限，每月公示。")
    await env.tick()
    await env.tick()  # the second tick deletes the private rows the first one sent
    async with env.db.session() as s:
        member = (await s.execute(select(Member).where(Member.employee_no == "1002"))).scalar_one()
    return ticket, Writer(member.id, WRITER_TG, member.chat_id, member.name, member.employee_no), wang


async def test_no_table_and_no_log_line_leads_back_to_the_writer(env, clock, caplog):
    caplog.set_level(logging.INFO)
    for ours in ("storage", "handlers", "bot"):
        caplog.set_level(logging.DEBUG, logger=ours)
    ticket, writer, wang = await exchange(env, clock)
    rows, fks, stamps = await dump(env)

    assert_no_link(rows, fks, writer, ticket)
    assert not rows["dialogs"], "no half-finished flow pairs the writer with the ticket"
    assert not [r for r in rows["outbox"] if r["kind"] in ("feedback.relay", "feedback.notice")]

    # The ticket and everything the writer did carry dates only.
    (ticket_row,) = rows["feedback_tickets"]
    assert ticket_row["writer_member_id"] is None and ticket_row["anonymous"] in (1, True)
    assert ticket_row["unit_id"] is None  # 生产部 has 3 members, fewer than 5
    assert {c for c in stamps["feedback_tickets"]} == {"first_reply_at"}  # the office's moment, nothing else
    # The writer's actions reach the audit trail only the next day, shuffled, dated at midnight, no actor:
    # their ids must not sit between that moment's identified events (the writer's own among them).
    about = [r for r in rows["audit_events"] if r["object_id"] == ticket]
    assert about and all(r["actor_member_id"] == rows_member_id(rows, "1001") for r in about)
    assert len(rows["feedback_audit_queue"]) == 4
    clock.advance(days=1)
    await env.tick()
    rows, fks, _ = await dump(env)
    assert_no_link(rows, fks, writer, ticket)
    assert rows["feedback_audit_queue"] == []
    writer_events = [r for r in rows["audit_events"] if r["object_id"] == ticket and r["actor_member_id"] is None]
    assert sorted(r["action"] for r in writer_events) == sorted(
        ["feedback.submitted", "feedback.writer_message", "feedback.rated", "feedback.resolved_by_writer"])
    assert max(r["id"] for r in rows["audit_events"]) == max(r["id"] for r in writer_events)  # a block at the end
    for r in writer_events:
        at = r["at"] if isinstance(r["at"], datetime) else datetime.fromisoformat(str(r["at"]))
        local = calendar.local(at.replace(tzinfo=at.tzinfo or timezone.utc), env.ctx)
        assert local.time() == time(0), r

    # Only the secret opens the route.
    async with env.db.session() as s:
        assert await feedback.writer_id(s, env.ctx, ticket) == writer.id
        stranger = Context(clock=env.ctx.clock, secret=b"another-secret-entirely")
        assert await feedback.writer_id(s, stranger, ticket) is None

    for record in caplog.records:
        message = record.getMessage()
        assert not writer.in_text(message), message


async def test_after_retention_not_even_the_secret_leads_back(env, clock):
    ticket, writer, wang = await exchange(env, clock)
    clock.advance(days=29)
    await env.tick()
    assert ticket in await wang.say("/mytickets")  # still within retention
    clock.advance(days=2)
    await env.tick()
    rows, fks, _ = await dump(env)
    assert rows["feedback_routes"] == []
    assert_no_link(rows, fks, writer, ticket)
    async with env.db.session() as s:
        assert await feedback.writer_id(s, env.ctx, ticket) is None
    assert "您还没有工单" in await wang.say("/mytickets")
    # The ticket itself stays for the KPIs and the digest.
    assert [r["id"] for r in rows["feedback_tickets"]] == [ticket]

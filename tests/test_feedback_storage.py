"""Unit tests of the feedback rules on SQLite: KPI figures, configuration, sealed routes and refusals."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage import feedback, members, roster, units
from storage.context import Context
from storage.errors import Refused
from storage.feedback import FeedbackTicket, kpi_figures
from tests.support.botenv import DEMO_ROSTER


async def org(db, ctx):
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(DEMO_ROSTER.encode(), "roster.csv"))
        for i, no in enumerate(("1001", "1002", "1003", "1004", "1005")):
            m = await members.by_employee_no(s, no)
            m.telegram_user_id = m.chat_id = 500 + i
        cfg = await feedback.load_config(s)
        await feedback.save_config(s, replace(cfg, routing={"dispute": ["生产部"], "work": ["财务部"]}))


async def member(s, no):
    return await members.by_employee_no(s, no)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock moment in December 2026, as UTC."""
    return datetime(2026, 12, day, hour - 8, minute, tzinfo=timezone.utc)


async def test_kpi_figures_over_a_period(db, ctx, clock):
    await org(db, ctx)
    clock.set(at(3, 9))  # Thursday
    async with db.session() as s:
        wang = await member(s, "1002")
        t1 = (await feedback.submit(s, ctx, wang, category="dispute", text="排班纠纷")).id
        t2 = (await feedback.submit(s, ctx, wang, category="dispute", text="调岗纠纷")).id
        t3 = (await feedback.submit(s, ctx, wang, category="work", text="设备")).id
        await feedback.submit(s, ctx, wang, category="work", text="照明")  # t4: never answered, past due
        await feedback.apply_pending(s, ctx)  # the tick files what the writer queued
    steps = [
        (at(3, 10), lambda s, z, l: feedback.office_message(s, ctx, z, t1, "已调解")),      # 2 h
        (at(4, 8), lambda s, z, l: feedback.office_message(s, ctx, z, t2, "请说明", question=True)),  # 24 h
        (at(9, 12), lambda s, z, l: feedback.office_message(s, ctx, l, t3, "已报修")),      # 148 h, late
        (at(10, 9), lambda s, z, l: feedback.resolve(s, ctx, z, t1, root_cause="沟通少", measure="每周例会")),
        (at(10, 9), lambda s, z, l: feedback.close_unresolved(s, ctx, z, t2, "超出职权")),
    ]
    for moment, step in steps:
        clock.set(moment)
        async with db.session() as s:
            await step(s, await member(s, "1001"), await member(s, "1004"))
    async with db.session() as s:
        wang = await member(s, "1002")
        await feedback.rate(s, ctx, wang, t1, 5)
        await feedback.rate(s, ctx, wang, t2, 2)
        await feedback.apply_pending(s, ctx)
        start = datetime(2026, 12, 1, tzinfo=ctx.tz)
        figures = await kpi_figures(s, ctx, unit_ids=None, start=start, end=start + timedelta(days=31))
        production = (await units.by_name(s, "department", "生产部")).id
        scoped = await kpi_figures(s, ctx, unit_ids={production}, start=start, end=start + timedelta(days=31))
        november = await kpi_figures(s, ctx, unit_ids=None, start=start - timedelta(days=30), end=start)
    assert figures["tickets_received"] == 4
    # In working days from the Thursday they came: t1 the same day, t2 on Friday, t3 the next Wednesday (4).
    assert figures["first_reply_days"] == {"0": 1, "1": 1, "2": 0, "3+": 1}
    assert figures["answered_in_time_rate"] == pytest.approx(0.5)   # t1, t2 of t1..t4 (t4 is past due)
    assert figures["resolution_rate"] == pytest.approx(0.25)
    assert figures["satisfaction_avg"] == pytest.approx(3.5)
    assert figures["dispute_mediation_rate"] == pytest.approx(0.5)  # t1 resolved and rated 5; t2 closed
    assert scoped["tickets_received"] == 2 and scoped["dispute_mediation_rate"] == pytest.approx(0.5)
    assert november["tickets_received"] == 0 and november["first_reply_days"] == {"0": 0, "1": 0, "2": 0, "3+": 0}


async def test_refusals_store_nothing(db, ctx):
    await org(db, ctx)
    async with db.session() as s:
        wang = await member(s, "1002")
        for kwargs, template in (({"category": "gossip", "text": "x"}, "feedback_unknown_category"),
                                 ({"category": "work", "text": "   "}, "feedback_need_text"),
                                 ({"category": "work", "text": "x" * 20001}, "feedback_text_too_long")):
            with pytest.raises(Refused) as refused:
                await feedback.submit(s, ctx, wang, **kwargs)
            assert refused.value.template == template
        assert (await s.execute(select(func.count()).select_from(FeedbackTicket))).scalar_one() == 0


async def test_config_is_checked_and_changes_the_rules(db, ctx):
    await org(db, ctx)
    async with db.session() as s:
        cfg = await feedback.load_config(s)
        with pytest.raises(Refused):
            await feedback.save_config(s, replace(cfg, routing={"work": ["没有这个部门"]}))
        with pytest.raises(Refused):
            await feedback.save_config(s, replace(cfg, daily_limit=0))
        with pytest.raises(Refused):
            await feedback.save_config(s, replace(cfg, categories=["work", "a:b"], routing={}))
        await feedback.save_config(s, replace(cfg, categories=["canteen", "other"], daily_limit=1, routing={},
                                              pdca_optional=[], labels={"canteen": {"zh": "食堂", "en": "Canteen"}}))
    async with db.session() as s:
        cfg = await feedback.load_config(s)
        assert feedback.category_name(cfg, "zh", "canteen") == "食堂"
        assert feedback.category_name(cfg, "en", "other") == "Other"
        wang = await member(s, "1002")
        await feedback.submit(s, ctx, wang, category="canteen", text="太咸")
        with pytest.raises(Refused) as refused:
            await feedback.submit(s, ctx, wang, category="other", text="再来一条")
        assert refused.value.template == "feedback_limit_reached"


async def test_a_route_opens_only_with_its_secret_and_its_ticket(db, ctx):
    await org(db, ctx)
    async with db.session() as s:
        wang = await member(s, "1002")
        ticket = await feedback.submit(s, ctx, wang, category="work", text="x")
        route = feedback.new_route(ctx, ticket.id, wang.id)
        assert feedback.writer_of(ctx, route) == wang.id
        moved = feedback.new_route(ctx, ticket.id, wang.id)
        moved.ticket_id = "OTHER123"
        assert feedback.writer_of(ctx, moved) is None  # bound to its ticket number
        other = Context(clock=ctx.clock, secret=b"x" * 32)
        assert feedback.writer_of(other, route) is None
        assert await feedback.tickets_of(s, other, wang.id) == []
        draft = feedback.seal_draft(ctx, wang.id, {"t": ticket.id})
        assert ticket.id not in str(draft)
        assert feedback.open_draft(ctx, wang.id, draft) == {"t": ticket.id}
        assert feedback.open_draft(ctx, wang.id + 1, draft) == {}


async def test_ticket_views_fit_one_message_whatever_was_typed(db, ctx):
    from messages import render

    await org(db, ctx)
    async with db.session() as s:
        wang, zhang = await member(s, "1002"), await member(s, "1001")
        ticket = await feedback.submit(s, ctx, wang, category="dispute", text="&<>\"'" * 4000)
        await feedback.apply_pending(s, ctx)
        for _ in range(10):
            await feedback.office_message(s, ctx, zhang, ticket.id, "&" * 5000)
            await feedback.writer_message(s, ctx, wang, ticket.id, "<" * 5000)
            await feedback.apply_pending(s, ctx)
        await feedback.resolve(s, ctx, zhang, ticket.id, root_cause="&" * 2000, measure=">" * 2000)
        for lang in ("zh", "en"):
            staff = render(lang, "feedback_ticket_staff", note="answered",
                           **await feedback.staff_view(s, ticket, lang))
            writer = render(lang, "feedback_ticket_writer", note="resolved",
                            **await feedback.writer_view(s, ticket, lang))
            assert len(staff) <= 4096 and len(writer) <= 4096, (len(staff), len(writer))
        other = await feedback.submit(s, ctx, wang, category="dispute", text="x")
        await feedback.apply_pending(s, ctx)
        await feedback.office_message(s, ctx, zhang, other.id, "ok")
        with pytest.raises(Refused) as refused:
            await feedback.resolve(s, ctx, zhang, other.id, root_cause="x", measure="y" * 2001)
        assert refused.value.template == "feedback_text_too_long"

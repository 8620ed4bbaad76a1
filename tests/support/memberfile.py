"""Set-up for the member file (一人一档) tests: a year of 王芳's activity, signed and anonymous, seeded so that
anything anonymous carries a phrase that must never reach a member file."""
from __future__ import annotations

import secrets
from datetime import date, time, timedelta

from sqlalchemy import select, update

from storage import lessons, reception
from storage.feedback import FeedbackTicket
from storage.lessons import LessonAssignment
from storage.models.org import Member
from storage.reception import Booking, ReceptionSlot
from storage.surveys import Survey, SurveyAnswer, SurveyCompletion, SurveyQuestion, SurveyResponse
from storage.tasks import Task
from tests.support.feedback import submit
from tests.support.lessons import publish
from tests.support.tasks import import_tasks

SECRET_TICKET = "匿名暗号甲乙丙"
SECRET_ANSWER = "问卷暗号丁戊己"
SIGNED = "署名提的食堂建议"


async def ids(env) -> dict[str, int]:
    async with env.db.session() as s:
        return dict((await s.execute(select(Member.employee_no, Member.id))).all())


async def seed_year(env, c) -> None:
    """王芳 (1002): a lesson learned with a quiz score, 9 points, one survey completed, two tasks (one done on
    time), one reception booking resolved, one signed ticket; and around her anonymous tickets and answers."""
    who = await ids(env)
    lesson_id = await publish(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-06,", "T-2,整理台账,生产部,,1002,2026-12-05,")
    await submit(c.wang, "意见建议", SIGNED, anonymous=False)
    await submit(c.wang, "意见建议", SECRET_TICKET + "（王芳匿名提交）")
    ctx = env.ctx
    async with env.db.session() as s:
        now = ctx.now()
        await s.execute(update(LessonAssignment).where(LessonAssignment.member_id == who["1002"])
                        .values(learned_at=now, first_score=67, score=67))
        await lessons.award(s, ctx, who["1002"], lesson_id, "learned", 5)
        await lessons.award(s, ctx, who["1002"], lesson_id, "quiz", 4)
        await lessons.award(s, ctx, who["1001"], lesson_id, "learned", 5)
        await s.execute(update(Task).where(Task.task_no == "T-2")
                        .values(status="done", reported_at=now, confirmed_at=now))
        [day] = await reception.create(s, ctx, reception.DaySpec(
            leader_no="1006", day=date(2026, 12, 15), start=time(14), end=time(15), slot_minutes=30, capacity=1,
            place="办公楼 301"), actor_id=None)
        slot = (await s.execute(select(ReceptionSlot).where(ReceptionSlot.day_id == day.id)
                                .order_by(ReceptionSlot.position))).scalars().first()
        s.add(Booking(day_id=day.id, slot_id=slot.id, member_id=who["1002"], topic="班组排班", status="booked",
                      created_at=now, booked_at=now, attended=True, outcome="resolved"))
        # Anonymous rows as the features store them: no member anywhere on them.
        s.add(FeedbackTicket(id="ANON" + secrets.token_hex(2).upper(), category="意见建议", anonymous=True,
                             writer_member_id=None, unit_id=None, text=SECRET_TICKET, status="open",
                             received_on=date(2026, 12, 2), deadline_on=date(2026, 12, 9)))
        survey = Survey(title="食堂调查", audience="all", opens_at=now - timedelta(days=1),
                        closes_at=now + timedelta(days=3), anonymous=True, min_group_size=3, created_at=now,
                        opened_at=now - timedelta(days=1))
        s.add(survey)
        await s.flush()
        question = SurveyQuestion(survey_id=survey.id, position=1, kind="text", text="建议", options=[])
        s.add(question)
        s.add(SurveyCompletion(survey_id=survey.id, member_id=who["1002"], done=True))
        s.add(SurveyCompletion(survey_id=survey.id, member_id=who["1003"], done=False))
        response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id, unit_id=None,
                                  submitted_on=date(2026, 12, 2))
        s.add(response)
        await s.flush()
        s.add(SurveyAnswer(response_id=response.id, question_id=question.id, text=SECRET_ANSWER))

"""The demo organisation the sandbox starts with: two departments, two branches, a dozen people."""
from __future__ import annotations

from dataclasses import dataclass

DEMO_ROSTER = """工号,姓名,部门,支部,党员,角色
1001,张伟,生产部,第一支部,是,书记
1002,王芳,生产部,第一支部,是,员工
1003,李强,生产部,第一支部,否,员工
1004,刘洋,生产部,第一支部,是,员工
1005,陈静,生产部,第一支部,否,员工
1006,杨帆,财务部,第二支部,是,书记
1007,赵磊,财务部,第二支部,否,员工
1008,黄敏,财务部,第二支部,是,员工
1009,周杰,财务部,第二支部,否,员工
1010,吴刚,办公室,第二支部,是,领导
1011,Emily Zhou,财务部,第二支部,否,员工
1012,孙丽,办公室,第二支部,是,员工
"""

ADMIN_TELEGRAM_ID = 777000


@dataclass(frozen=True)
class Persona:
    number: int
    telegram_id: int
    name: str
    employee_no: str | None
    language: str = "zh-hans"


def personas() -> list[Persona]:
    people = [Persona(1, ADMIN_TELEGRAM_ID, "管理员 (admin)", None)]
    for i, line in enumerate(DEMO_ROSTER.strip().splitlines()[1:], start=2):
        no, name = line.split(",")[:2]
        people.append(Persona(i, 700000 + int(no), name, no, "en" if name.isascii() else "zh-hans"))
    return people


DEMO_LESSON = """# 微党课：党群工作的“五个一”

做好党群工作，关键在于把每一件事落到人、落到时、落到数据上。

## 要点
- **目标明确**：每项工作都有可衡量的目标；
- **责任到人**：责任清单上每项任务都有主责部门、责任人和完成时限；
- **监测预警**：临近时限提醒，逾期即时预警；
- **数据说话**：覆盖率、满意度、按时完成率来自系统数据；
- **闭环改进**：每一条意见都经过“计划—执行—检查—改进”。

## Quiz
Q: 责任清单上的每项任务必须有什么？
- [x] 主责部门、责任人和完成时限
- [ ] 只要有任务名称
> 每项任务都要“事事有人管、件件有时限”。

Q: 员工反映的问题应当如何处理？
- [ ] 收到即可
- [x] 经过 PDCA 闭环，直到问题解决并检验效果
"""


async def seed_activities(session, ctx) -> list[str]:
    """Something to try in every feature: tasks around their deadlines, a lesson, a survey, a reception day."""
    from datetime import timedelta

    from storage import lessons, members, reception, surveys, tasks, units
    from storage.lessons import parse
    from storage.surveys import builtin

    today = ctx.local_now().date()
    production = await units.by_name(session, "department", "生产部")
    finance = await units.by_name(session, "department", "财务部")
    made = []
    for title, unit, owner_no, days in (("安全生产月度检查", production, "1002", 2),
                                       ("班组学习记录整理", production, "1003", -1),
                                       ("年度预算执行情况报告", finance, "1007", 10)):
        owner = await members.by_employee_no(session, owner_no)
        task = await tasks.create_task(session, ctx, title=title, lead_unit_id=unit.id, owner_id=owner.id,
                                       deadline=today + timedelta(days=days))
        made.append(f"task {task.task_no} ({title})")
    lesson = await lessons.create(session, ctx, parse(DEMO_LESSON), audience="branch:第一支部",
                                  due_on=today + timedelta(days=7))
    made.append(f"lesson {lesson.id} to branch:第一支部")
    title, tag, questions = builtin("satisfaction", "zh")
    survey = await surveys.publish(session, ctx, title=title, audience="all", questions=questions, tag=tag,
                                   closes_at=ctx.now() + timedelta(days=7))
    made.append(f"survey {survey.id} to all")
    day = today + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    from datetime import time

    days = await reception.create(session, ctx, reception.DaySpec(
        leader_no="1010", day=day, start=time(14, 0), end=time(16, 0), slot_minutes=30, capacity=1,
        place="办公楼 301 会议室", notice_days=2), actor_id=None)
    made.append(f"reception day {days[0].day.isoformat()} with 吴刚")
    return made


@dataclass(frozen=True)
class Standing:
    """What `who` shows of a persona: as the database has them now."""

    roles: str
    unit: str
    registered: bool
    active: bool = True


async def is_seeded(session) -> bool:
    """Whether this database already holds the demo organisation (a restart without --fresh)."""
    from storage import members

    return await members.by_employee_no(session, DEMO_ROSTER.splitlines()[1].split(",")[0]) is not None


async def standings(session) -> dict[int, Standing]:
    """Each persona's roles, department / branch and whether they have registered, by Telegram id."""
    from sqlalchemy import or_, select

    from storage import units
    from storage.models.org import Member

    people = personas()
    numbers = [p.employee_no for p in people if p.employee_no]
    rows = (await session.execute(select(Member).where(or_(
        Member.employee_no.in_(numbers), Member.telegram_user_id.in_([p.telegram_id for p in people]))))).scalars()
    rows = list(rows)
    names = await units.names(session, {u for m in rows for u in (m.unit_id, m.branch_id) if u is not None})
    by_no = {m.employee_no: m for m in rows}
    by_tg = {m.telegram_user_id: m for m in rows if m.telegram_user_id is not None}
    out = {}
    for p in people:
        m = by_tg.get(p.telegram_id) or by_no.get(p.employee_no or "")
        if m is None:
            out[p.telegram_id] = Standing("admin" if p.employee_no is None else "", "", False)
            continue
        unit = " / ".join(names[u] for u in (m.unit_id, m.branch_id) if u is not None and u in names)
        roles = [r for r in m.roles.split(",") if r and r != "employee"] or ["employee"]
        out[p.telegram_id] = Standing("+".join(roles), unit, m.telegram_user_id is not None, m.active)
    return out


async def fresh_codes(session, ctx) -> dict[str, str]:
    """New invite codes for the personas not registered yet (only a hash of a code is stored, so a restarted
    sandbox cannot show the old ones; the new codes replace them)."""
    from sqlalchemy import select

    from storage import invites
    from storage.models.org import Member

    numbers = [p.employee_no for p in personas() if p.employee_no]
    waiting = (await session.execute(select(Member.id, Member.employee_no).where(
        Member.employee_no.in_(numbers), Member.telegram_user_id.is_(None), Member.active.is_(True)))).all()
    codes = await invites.issue_many(session, ctx, [r.id for r in waiting])
    return {r.employee_no: codes[r.id] for r in waiting}


async def last_update_id(session) -> int:
    """The highest update id the bot's inbox remembers: a restarted fake Bot API numbers on from there, or
    the bot would take new updates for ones it has already handled."""
    from sqlalchemy import func, select

    from storage.models.inbox import InboxUpdate

    return (await session.execute(select(func.max(InboxUpdate.update_id)))).scalar() or 0

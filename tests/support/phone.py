"""Set-up for the phone tests (issue 15): the demo organisation with a few more people sharing surnames."""
from __future__ import annotations

from sqlalchemy import func, select

from storage.models.dialogs import Dialog
from storage.models.org import Member
from storage.tasks import Task
from tests.support.botenv import DEMO_ROSTER
from tests.support.tasks import Cast

MORE = ("1008,王磊,财务部,第二支部,否,employee\n"
        "1009,王静,办公室,第二支部,否,employee\n")
NINE_LIS = "".join(f"20{i:02d},李{n},财务部,第二支部,否,employee\n" for i, n in enumerate("一二三四五六七八九"))


async def cast(env, extra: str = "") -> Cast:
    await env.import_roster(DEMO_ROSTER + MORE + extra)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    liu = await env.join(104, "刘洋", "1004")
    admin = env.admin()
    await admin.send("/help")
    return Cast(zhang, wang, li, liu, admin)


async def task_count(env) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(func.count(Task.id)))).scalar_one()


async def dialog_step(env, person) -> str | None:
    async with env.db.session() as s:
        member = (await s.execute(select(Member).where(Member.telegram_user_id == person.id))).scalar_one()
        dialog = await s.get(Dialog, member.id)
        return dialog.step if dialog else None

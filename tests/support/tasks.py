"""Helpers for the responsibility-list tests: a task sheet builder and the cast of the demo organisation."""
from __future__ import annotations

from dataclasses import dataclass

from tests.support.botenv import DEMO_ROSTER

HEADER = "task_no,title,lead_department,cooperating_departments,owner_employee_no,deadline,description"


def sheet(*rows: str, header: str = HEADER) -> bytes:
    """A CSV as a secretary saves it from Excel (UTF-8 with BOM)."""
    return ("\n".join([header, *rows]) + "\n").encode("utf-8-sig")


@dataclass
class Cast:
    zhang: object  # secretary of 生产部 / 第一支部
    wang: object   # employee of 生产部, owner of most tasks
    li: object     # employee of 生产部
    liu: object    # secretary of 财务部 / 第二支部
    admin: object


async def cast(env) -> Cast:
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    li = await env.join(103, "李强", "1003")
    liu = await env.join(104, "刘洋", "1004")
    admin = env.admin()
    await admin.send("/help")  # the admin's record is made on their first message
    return Cast(zhang, wang, li, liu, admin)


async def import_tasks(person, *rows: str, filename: str = "清单.csv") -> str:
    """Upload a sheet with the /importtasks caption; the bot's last reply."""
    new = await person.upload(filename, sheet(*rows), caption="/importtasks")
    return new[-1].get("text", "") if new else ""


def texts_since(person, before: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in person.messages[before:]]


async def open_task(person, title: str) -> dict:
    """/tasks, then the task's button: its card (text and buttons), as the owner or a secretary sees it."""
    listing = (await person.send("/tasks"))[-1]
    press = await person.press(title, listing)
    return press.new[-1]

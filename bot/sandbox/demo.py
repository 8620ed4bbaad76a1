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

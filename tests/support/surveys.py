"""Helpers for the survey tests: questionnaires, a bigger organisation, and reading what the bot sent."""
from __future__ import annotations

from storage import surveys
from storage.surveys import QuestionSpec

FOUR_QUESTIONS = (
    "类型,题目,选项,必答\n"
    "单选,食堂饭菜怎么样？,好|一般|差,是\n"
    "多选,希望增加哪些菜？,面食|川菜|素食,是\n"
    "评分,总体满意度,,是\n"
    "文本,其他建议,,否\n"
)

# 生产部 has 7 people (1101 secretary), 财务部 3: enough to cross and miss a minimum group of 5.
BIG_ROSTER = "employee_no,name,department,branch,party_member,roles\n" + "".join(
    f"{1100 + i},生产{i},生产部,第一支部,是,{'secretary' if i == 1 else 'employee'}\n" for i in range(1, 8)
) + "".join(f"{1200 + i},财务{i},财务部,第二支部,否,employee\n" for i in range(1, 4))


def rating_survey(**overrides) -> dict:
    base = dict(title="食堂评分", audience="all", questions=[QuestionSpec("rating", "食堂打几分？")])
    base.update(overrides)
    return base


async def publish(env, **fields):
    """Publish through the storage service (what the CLI does); returns the survey id."""
    async with env.db.session() as session:
        survey = await surveys.publish(session, env.ctx, **fields)
        return survey.id


def invitation(person) -> dict:
    """The newest message with a Start / Continue button."""
    for label in ("开始答题", "继续答题", "Start", "Continue"):
        try:
            return person.find(label)
        except LookupError:
            continue
    raise LookupError(f"{person.name} has no survey invitation")


async def join_all(env, roster_csv: str, first_user_id: int = 500) -> dict:
    """Import a roster and register everyone on it; employee_no -> Person."""
    await env.import_roster(roster_csv)
    people = {}
    for i, line in enumerate(roster_csv.strip().splitlines()[1:]):
        employee_no, name = line.split(",")[:2]
        people[employee_no] = await env.join(first_user_id + i, name, employee_no)
    return people

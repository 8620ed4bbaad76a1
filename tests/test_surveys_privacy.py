"""Anonymous means anonymous: small groups show nothing, and no stored answer leads back to a person."""
from __future__ import annotations

import re

from sqlalchemy import inspect, select, text

from storage.models.org import Member, Unit
from storage.surveys import SurveyResponse
from storage.surveys import QuestionSpec
from tests.support.surveys import BIG_ROSTER, invitation, join_all, publish, rating_survey

ANSWER_TABLES = {
    # every column an answer row may have; a new column fails this test until someone decides it is safe
    "survey_ballots": {"id", "survey_id", "sealed", "unit_id", "submitted_on", "answers"},
    "survey_responses": {"id", "survey_id", "unit_id", "submitted_on"},
    "survey_answers": {"response_id", "question_id", "number", "choices", "text"},
}


async def _rate(person, score: str) -> None:
    await person.press("开始答题", invitation(person))
    await person.press(score)


async def _results(secretary, survey_id: int) -> str:
    out = await secretary.send(f"/results {survey_id}")
    return "\n".join(m.get("text", "") for m in out)


async def _dump(env) -> tuple[dict, dict]:
    """Every table's columns and foreign keys, and every row, read from the schema (so new ones count too)."""
    async with env.db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: {
            name: ([col["name"] for col in inspect(c).get_columns(name)], inspect(c).get_foreign_keys(name))
            for name in inspect(c).get_table_names()})
        content = {name: [tuple(r) for r in (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()]
                   for name in tables}
    return tables, content


async def _identifying(env) -> set[str]:
    async with env.db.session() as s:
        members = (await s.execute(select(Member))).scalars().all()
    return {str(v) for m in members for v in (m.telegram_user_id, m.chat_id, m.employee_no, m.name) if v is not None}


async def test_results_appear_only_from_five_respondents_and_per_department_too(env):
    people = await join_all(env, BIG_ROSTER)
    secretary = people["1101"]
    survey_id = await publish(env, **rating_survey(audience="all"))
    await env.tick()
    for no in ("1101", "1102", "1103", "1104"):
        await _rate(people[no], "4")

    text = await _results(secretary, survey_id)
    assert "只有 4 份答卷，少于 5 份" in text
    assert "平均分" not in text and "4：" not in text

    await _rate(people["1105"], "2")
    text = await _results(secretary, survey_id)
    assert "平均分：3.60（5 人）" in text and "4：4（80%）" in text
    assert "生产部：5/7（71%） · 第1题均分 3.6" in text
    assert "财务部：0/3（0%） ⚠️ 🔒" in text

    # One more answer waits for a batch of five, so a look before and after it cannot tell it apart.
    await _rate(people["1201"], "1")
    text = await _results(secretary, survey_id)
    assert "平均分：3.60（5 人）" in text and "另有 1 份答卷将在累计满 5 份后一并计入" in text

    # Four more make a batch. 财务部's three answers are shown in the total; 生产部 is withheld as well, since
    # 财务部 could be worked out as total minus 生产部.
    for no in ("1106", "1107", "1202", "1203"):
        await _rate(people[no], "3")
    text = await _results(secretary, survey_id)
    assert "平均分：3.10（10 人）" in text and "另有" not in text
    assert "第1题均分" not in text
    assert "生产部：7/7（100%） 🔒" in text and "财务部：3/3（100%） 🔒" in text
    # 财务部 was asked with only 3 people, too few to ever be shown apart: its answers carry no department.
    async with env.db.session() as s:
        filed = (await s.execute(select(SurveyResponse.unit_id).where(SurveyResponse.survey_id == survey_id)
                                 )).scalars().all()
        production = (await s.execute(select(Unit.id).where(Unit.name == "生产部"))).scalar_one()
    assert sorted(filed, key=str) == [production] * 7 + [None] * 3


async def test_a_few_answers_left_at_close_stay_uncounted_once_results_were_counted(env):
    people = await join_all(env, BIG_ROSTER)
    secretary = people["1101"]
    counted = await publish(env, **rating_survey(title="已看过", audience="unit:生产部"))
    never_read = await publish(env, **rating_survey(title="没看过", audience="unit:生产部", min_group_size=3))
    await env.tick()
    for no in ("1101", "1102", "1103", "1104", "1105", "1106"):
        p = people[no]
        await p.press("开始答题：已看过", await _listing(p))
        await p.press("4" if no != "1106" else "1")
        if no == "1105":
            assert "平均分：4.00（5 人）" in await _results(secretary, counted)
    for no in ("1101", "1102"):
        await people[no].press("开始答题：没看过", await _listing(people[no]))
        await people[no].press("5")

    env.clock.advance(days=8)
    await env.tick()
    # The sixth answer alone would be the difference from what was read before: it stays sealed.
    text = await _results(secretary, counted)
    assert "已截止" in text and "平均分：4.00（5 人）" in text and "另有 1 份答卷未计入" in text
    # Nothing was counted before close: the last ones count (and are still withheld below the minimum).
    text = await _results(secretary, never_read)
    assert "只有 2 份答卷，少于 3 份" in text and "未计入" not in text


async def _listing(person) -> dict:
    await person.send("/surveys")
    return person.last


async def test_the_same_rule_holds_for_optional_questions_and_text_lists(env):
    people = await join_all(env, BIG_ROSTER)
    survey_id = await publish(env, title="建议", audience="unit:生产部", questions=[
        QuestionSpec("rating", "打分"), QuestionSpec("text", "建议", required=False)])
    await env.tick()
    for i, no in enumerate(("1101", "1102", "1103", "1104", "1105")):
        await _rate(people[no], "5")
        if i < 4:
            await people[no].say(f"建议{i}")
        else:
            await people[no].press("跳过")
    text = await _results(people["1101"], survey_id)
    assert "平均分：5.00（5 人）" in text
    assert "只有 4 人回答此题" in text and "建议0" not in text


async def test_no_stored_row_of_an_anonymous_answer_leads_back_to_a_member(env):
    people = await join_all(env, BIG_ROSTER)
    await publish(env, title="匿名调查", audience="all", min_group_size=3, questions=[
        QuestionSpec("single", "选一个", ["甲", "乙"]), QuestionSpec("multi", "选几个", ["丙", "丁"]),
        QuestionSpec("scale10", "推荐度"), QuestionSpec("text", "心里话")])
    await env.tick()
    secrets = {}
    for no in ("1102", "1103", "1201"):
        p = people[no]
        await p.press("开始答题", invitation(p))
        await p.press("乙")
        await p.press("丁")
        await p.press("选好了")
        await p.press("7")
        secrets[no] = f"秘密心里话-{no}"
        await p.say(secrets[no])
    # Submitted, sealed: the ballots hold the answers, with no column or value leading to a member.
    tables, content = await _dump(env)
    assert len(content["survey_ballots"]) == 3 and content["survey_responses"] == []
    columns, foreign_keys = tables["survey_ballots"]
    assert set(columns) <= ANSWER_TABLES["survey_ballots"]
    assert all(fk["referred_table"] != "members" for fk in foreign_keys)
    assert not {str(v) for row in content["survey_ballots"] for v in row} & await _identifying(env)
    # Sealed: nothing but the survey and ciphertext of one length, whatever the length of the text inside.
    sealed_at = columns.index("sealed")
    assert len({len(row[sealed_at]) for row in content["survey_ballots"]}) == 1
    assert all(row[i] is None for row in content["survey_ballots"]
               for i, c in enumerate(columns) if c in ("unit_id", "submitted_on", "answers"))
    assert not any(secret.encode() in row[sealed_at] for row in content["survey_ballots"] for secret in secrets.values())
    await _results(people["1101"], 1)  # three ballots make a batch (min 3): counted together, then deleted
    # One more is half-way: their in-progress answers are theirs until they submit.
    await people["1104"].press("开始答题", invitation(people["1104"]))
    await people["1104"].press("甲")

    tables, content = await _dump(env)
    identifying = await _identifying(env)

    # The answer tables have only the columns we know to be safe, and no reference to a member.
    for name, allowed in ANSWER_TABLES.items():
        columns, foreign_keys = tables[name]
        assert set(columns) <= allowed, f"{name} grew a column: {set(columns) - allowed}"
        assert all(fk["referred_table"] != "members" for fk in foreign_keys)
        for row in content[name]:
            assert not {str(v) for v in row} & identifying
    # The only time on a response is its date: no time of day.
    day = tables["survey_responses"][0].index("submitted_on")
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(row[day])) for row in content["survey_responses"])
    assert len(content["survey_responses"]) == 3

    # No table but the answer tables holds a submitted text or a response id.
    response_ids = {row[0] for row in content["survey_responses"]}
    for name, rows in content.items():
        for row in rows:
            cells = " ".join(str(v) for v in row)
            if any(secret in cells for secret in secrets.values()):
                assert name in ("survey_answers", "survey_ballots"), f"an answer text is kept in {name}"
            if name not in ANSWER_TABLES:
                assert not any(rid in cells for rid in response_ids), f"{name} links a response"

    # Who is done says only "done"; progress is kept for the one still answering, under them, until submit.
    assert set(tables["survey_completions"][0]) == {"survey_id", "member_id", "done"}
    progress = content["survey_progress"]
    assert len(progress) == 1
    assert content["survey_named_responses"] == []

    # The submitted ones' answers are nowhere under their names.
    assert not any(secret in " ".join(map(str, progress[0])) for secret in secrets.values())

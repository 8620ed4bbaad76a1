"""Issue 15, item 8: after voting. A one-question poll made with /newsurvey shows its current results to those
who voted once enough have (min_group_size), and everyone who voted is told once when it closes; the wizard says
exactly that before publishing, and can keep the results from respondents. Thursday 2026-12-03."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from storage.surveys import Survey
from tests.support.orglife import local
from tests.support.refusals import refusal, snapshot
from tests.support.surveys import BIG_ROSTER, join_all


async def poll_by_wizard(secretary, *, keep_results: bool = False) -> str:
    """The secretary makes a one-question poll with /newsurvey; the confirm screen's text."""
    await secretary.send("/newsurvey")
    await secretary.send("周五团建去哪里？")
    await secretary.send("爬山|看电影")
    await secretary.press("全体")
    confirm = (await secretary.press("3 天后")).text
    if keep_results:
        confirm = (await secretary.press("不给作答人看结果")).text
    assert "已发布" in (await secretary.press("发布")).text
    return confirm


async def survey(env) -> Survey:
    async with env.db.session() as s:
        return (await s.execute(select(Survey))).scalar_one()


async def test_a_poll_shows_voters_its_current_results_from_five_votes_and_tells_them_at_the_close(env, clock):
    people = await join_all(env, BIG_ROSTER)
    confirm = await poll_by_wizard(people["1101"])
    assert "作答人看结果：投票后即可查看当前结果，截止时再通知（满 5 人才显示，不足则不公布）" in confirm
    await env.tick()
    voters = [people[no] for no in ("1102", "1103", "1104", "1105", "1106")]
    for i, p in enumerate(voters):
        done = await p.press("开始答题")
        done = await p.press("爬山" if i < 3 else "看电影")
        assert "作答满 5 人后，点下面的按钮可查看当前结果" in done.text
    first = voters[0]
    # Five votes are in (counted as one batch); 1107 has not voted.
    shown = await first.press("查看当前结果")
    text = "\n".join(m.get("text", "") for m in shown.new)
    assert "进行中" in text and "爬山：3（60%）\n看电影：2（40%）" in text
    outsider = people["1107"]
    before = await snapshot(env.db)
    forged = await outsider.press_data(f"svy:{(await survey(env)).id}:shared")
    assert forged.toast == refusal("zh", "survey_results_not_yours")
    assert await snapshot(env.db) == before

    clock.set((await survey(env)).closes_at + timedelta(minutes=1))
    await env.tick()
    for p in voters:
        assert sum("已结束" in (m.get("text") or "") for m in p.messages) == 1
    assert not any("已结束" in t for t in outsider.texts())


async def test_too_few_votes_show_nothing_and_say_why(env):
    people = await join_all(env, BIG_ROSTER)
    await poll_by_wizard(people["1101"])
    await env.tick()
    early = people["1102"]
    await early.press("开始答题")
    await early.press("爬山")
    before = await snapshot(env.db)
    look = await early.press("查看当前结果")
    assert look.toast == refusal("zh", "survey_shared_withheld", minimum=5, still_open=True)
    assert "暂不显示结果" in look.toast
    assert not look.new and await snapshot(env.db) == before


async def test_the_organiser_can_keep_a_polls_results_from_respondents(env):
    people = await join_all(env, BIG_ROSTER)
    confirm = await poll_by_wizard(people["1101"], keep_results=True)
    assert "作答人看结果：不公布（仅组织者可看）" in confirm
    assert (await survey(env)).results_to_respondents is False
    await env.tick()
    voter = people["1102"]
    await voter.press("开始答题")
    done = await voter.press("爬山")
    assert "查看当前结果" not in done.text and not (done.new or [done.message])[-1].get("reply_markup")
    before = await snapshot(env.db)
    forged = await voter.press_data(f"svy:{(await survey(env)).id}:shared")
    assert forged.toast == refusal("zh", "survey_results_not_shared", title="周五团建去哪里？")
    assert await snapshot(env.db) == before


async def test_a_questionnaire_shares_nothing_unless_the_organiser_says_so_and_then_only_at_the_close(env):
    people = await join_all(env, BIG_ROSTER)
    secretary = people["1101"]
    await secretary.send("/newsurvey")
    await secretary.press("用模板：满意度调查")
    await secretary.press("用：")
    await secretary.press("全体")
    confirm = (await secretary.press("7 天后")).text
    assert "作答人看结果：不公布（仅组织者可看）" in confirm
    confirm = (await secretary.press("让作答人看结果")).text
    assert "作答人看结果：截止时通知作答人（满 5 人才显示，不足则不公布）" in confirm
    await secretary.press("发布")
    assert (await survey(env)).results_to_respondents is True


async def test_results_of_a_poll_closing_in_quiet_hours_are_announced_after_them(env, clock):
    """The announcement is a broadcast like the invitation: a poll closing at 23:00 tells its voters at 08:00."""
    people = await join_all(env, BIG_ROSTER)
    await poll_by_wizard(people["1101"])
    await env.tick()
    voters = [people[no] for no in ("1102", "1103", "1104", "1105", "1106")]
    for p in voters:
        await p.press("开始答题")
        await p.press("爬山")
    night = local(date(2026, 12, 4), 23, 0)
    async with env.db.session() as s:
        await s.execute(update(Survey).values(closes_at=night))
    clock.set(night + timedelta(minutes=1))
    await env.tick()
    assert not any("已结束" in t for p in voters for t in p.texts())
    clock.set(local(date(2026, 12, 5), 8, 1))
    await env.tick()
    for p in voters:
        assert sum("已结束" in (m.get("text") or "") for m in p.messages) == 1

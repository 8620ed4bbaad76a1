"""SMART targets on the seeded organisation of tests/test_kpi_figures.py (December 2026; read on Monday
2027-01-04 10:00 in Shanghai): the indicator registry, setting targets in chat (admins) and reading them
(secretaries, their units), refusals that write nothing, and the weekly early warning."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from storage import kpi, targets, units
from storage.targets import Target
from storage.tasks import Task
from tests.test_kpi_figures import flat, seed


async def count_targets(env) -> int:
    async with env.db.session() as s:
        return (await s.execute(select(func.count(Target.id)))).scalar_one()


async def test_every_registered_indicator_is_a_figure_of_the_board_and_answers_are_withheld_below_the_floor(
        env, clock):
    await seed(env, clock)
    _, start, end = kpi.period_bounds("2026-12", env.ctx)
    async with env.db.session() as s:
        board = await kpi.collect(s, env.ctx, unit_ids=None, start=start, end=end)
    keys = [m.key for m in kpi.catalogue()]
    assert set(keys) <= set(flat(board))
    for key in ("lessons.coverage", "surveys.satisfaction_avg", "feedback.dispute_mediation_rate",
                "tasks.on_time_rate", "tasks.overdue", "reception.attended"):
        assert key in keys
    assert keys.index("tasks.on_time_rate") < keys.index("lessons.coverage")  # board order
    m = kpi.MEASURES
    assert m["lessons.coverage"].value(board) == 4 / 10 and m["lessons.coverage"].unit == "%"
    assert m["tasks.overdue"].better == "lower" and m["tasks.overdue"].value(board) == 2
    # Two ratings of tickets: below the group-size floor of 3, so the writers' satisfaction is withheld.
    assert m["feedback.satisfaction_avg"].answers and m["feedback.satisfaction_avg"].value(board) is None
    assert m["lessons.coverage"].name("zh") == "党员教育覆盖率" and m["lessons.coverage"].name("en")


async def test_an_admin_sets_a_target_in_chat_and_the_secretaries_read_their_units(env, clock):
    await seed(env, clock)  # now Monday 2027-01-04 10:00
    admin = env.admin()
    zhang, liu = env.person(701, "张伟"), env.person(704, "刘洋")

    # Refused, each with its reason, and nothing written.
    assert "不在今天之后" in await admin.say("/targets tasks.on_time_rate 生产部 90 2027-01-04")
    assert "没有目标值" in await admin.say("/targets tasks.on_time_rate 生产部")
    assert "没有完成日期" in await admin.say("/targets tasks.on_time_rate 生产部 90")
    assert "不是已登记的指标" in await admin.say("/targets tasks.rate 生产部 90 2027-03-31")
    assert "找不到单位“后勤部”" in await admin.say("/targets tasks.on_time_rate 后勤部 90 2027-03-31")
    assert "不能作为" in await admin.say("/targets tasks.on_time_rate 生产部 很多 2027-03-31")
    await zhang.say("/targets tasks.on_time_rate 生产部 90 2027-03-31")  # a secretary only reads
    assert await count_targets(env) == 0

    # The baseline is the last 30 days (12-05 to 01-04) by hand: 生产部's tasks due A, B, D, G; on time A, G.
    reply = await admin.say("/targets tasks.on_time_rate 生产部 90 2027-03-31")
    assert "已设定目标：责任清单按时完成率（生产部）到 2027-03-31 达到 90.0%。起点（近 30 天）：50.0%" in reply
    assert "已设定目标：党员教育覆盖率（全公司）" in await admin.say("/targets lessons.coverage 全公司 80 2027-06-30")
    assert await count_targets(env) == 2

    board = await zhang.say("/targets")
    assert "责任清单按时完成率（生产部）：实际 50.0%，目标 90.0%（2027-03-31），目前应达 50.0%" in board
    assert "党员教育覆盖率" not in board  # the organisation's target is the admins'
    assert "还没有设定目标" in await liu.say("/targets")
    assert "党员教育覆盖率（全公司）" in await admin.say("/targets")


async def test_an_admin_who_knows_no_codes_sets_a_target_by_the_indicators_chinese_name(env, clock):
    await seed(env, clock)  # now Monday 2027-01-04 10:00
    admin = env.admin()
    hint = await admin.say("/targets")
    assert "例如 /targets 责任清单按时完成率 生产部 90 2027-06-30" in hint and "tasks." not in hint
    refused = await admin.say("/targets 按时率 生产部 90 2027-03-31")
    assert "“按时率”不是已登记的指标。请写指标名称，可用指标：责任清单按时完成率、逾期任务数" in refused
    assert "tasks." not in refused and await count_targets(env) == 0
    reply = await admin.say("/targets 责任清单按时完成率 生产部 90 2027-03-31")
    assert "已设定目标：责任清单按时完成率（生产部）到 2027-03-31 达到 90.0%。起点（近 30 天）：50.0%" in reply
    listed = await admin.say("/targets")  # the list, then the hint on a line of its own
    assert "目前应达 50.0%\n设定目标：/targets 指标名称" in listed
    # The same target again by its code replaces it rather than adding a second one.
    await admin.say("/targets tasks.on_time_rate 生产部 95 2027-03-31")
    assert await count_targets(env) == 1


async def put_targets(env) -> None:
    """Two targets set on 2026-12-01 with a known baseline: 生产部 behind, 财务部 on track."""
    async with env.db.session() as s:
        production = await units.by_name(s, "department", "生产部")
        finance = await units.by_name(s, "department", "财务部")
        for key, unit, value, baseline in (("tasks.on_time_rate", production, 0.9, 0.5),
                                           ("tasks.overdue", finance, 0, 1)):
            s.add(Target(key=key, unit_id=unit.id, value=value, due_on=date(2027, 3, 31), baseline=baseline,
                         set_on=date(2026, 12, 1), set_at=env.ctx.now()))


async def test_off_track_targets_warn_the_right_secretaries_once_a_week_and_never_in_quiet_hours(env, clock):
    org = await seed(env, clock)  # Monday 2027-01-04 10:00
    admin = env.admin()
    await admin.say("/targets")  # the admin's record exists
    zhang, liu = env.person(701, "张伟"), env.person(704, "刘洋")
    await put_targets(env)
    before = {p: len(p.texts()) for p in (zhang, liu, admin)}

    def warnings(person) -> list[str]:
        return [t for t in person.texts() if t.startswith("预警")]

    await env.tick()
    await env.tick()  # the same week: nothing more
    new = {p: [t for t in p.texts()[before[p]:] if t.startswith("预警")] for p in (zhang, liu, admin)}
    # 生产部 should be at 0.5 + 0.4 × 34/120 = 61.3% on 01-04; it is at 2/4 = 50% over the last 30 days.
    line = "责任清单按时完成率（生产部）：实际 50.0%，目标 90.0%（2027-03-31），目前应达 61.3%，差 11.3 个百分点"
    assert len(new[zhang]) == 1 and line in new[zhang][0] and "预警" in new[zhang][0]
    assert new[zhang][0].startswith("预警（2027-01-04 当周）：您负责单位") and "2027-W01" not in new[zhang][0]
    assert new[liu] == []  # 财务部: no task overdue now, under the 0.72 its trajectory allows
    assert len(new[admin]) == 1 and line in new[admin][0] and "财务部" not in new[admin][0]

    # 张伟 puts a corrective measure on the responsibility list with the warning's button, once a week.
    press = await zhang.press("列入责任清单：责任清单按时完成率（生产部）")
    assert "已列入责任清单" in press.toast and "整改：责任清单按时完成率（生产部）落后于目标进度" in press.toast
    assert "时限 2027-01-18" in press.toast
    again = await zhang.press("列入责任清单：责任清单按时完成率（生产部）")
    assert "本周已为此目标列入整改任务" in again.toast
    async with env.db.session() as s:
        made = (await s.execute(select(Task).where(Task.source.like("target:%")))).scalars().all()
        assert [(t.title, t.due_date, t.owner_id) for t in made] == [
            ("整改：责任清单按时完成率（生产部）落后于目标进度", date(2027, 1, 18), (await org.member(s, "1001")).id)]
        production_target = made[0].source.split(":")[1]
    # 刘洋 (财务部) may not, whatever his client sends.
    forged = await liu.press_data(f"tgt:{production_target}:task", zhang.find("列入责任清单"))
    assert "列入责任清单" not in forged.toast

    # The next Monday: nothing at 07:30 (quiet hours, and before 09:00); at 09:30 the new week's warning.
    org.at("2027-01-11 07:30")
    await env.tick()
    assert len(warnings(zhang)) == 1
    org.at("2027-01-11 09:30")
    await env.tick()
    assert len(warnings(zhang)) == 2 and len(warnings(liu)) == 0
    # Due 12-12 to 01-10: B, G, D and F (01-10, not done); on time only G.
    assert "实际 25.0%，目标 90.0%（2027-03-31），目前应达 63.7%，差 38.7 个百分点" in warnings(zhang)[-1]
    async with env.db.session() as s:
        assert [t.key for t in await targets.targets_in(s, None)] == ["tasks.on_time_rate", "tasks.overdue"]

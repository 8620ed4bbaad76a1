"""The weekly warning's second test: a target still on its trajectory whose figure got worse than the 30 days
before by more than its margin. 生产部's tasks: two due in November, both on time; two due in December, one
late. Read on Monday 2026-12-28: the last 30 days hold T3 and T4 (1 of 2 on time, 50%), the 30 before T1 and
T2 (2 of 2, 100%): 50 points worse, over the default margin of 5 points, while the target (40% → 50% by
2027-06-30) is met."""
from __future__ import annotations

from datetime import date

from storage import units
from storage.targets import Target
from tests.support.botenv import DEMO_ROSTER
from tests.test_kpi_figures import Org

WORSE = "📉 责任清单按时完成率（生产部）：实际 50.0%，上期 100.0%，变差 50.0 个百分点（允许幅度 5.0 个百分点）"


async def organisation(env, clock, margin=None) -> Org:
    org = Org(env, clock)
    org.at("2026-11-02 09:00")
    await env.import_roster(DEMO_ROSTER)
    for i, (no, name) in enumerate((("1001", "张伟"), ("1002", "王芳"), ("1003", "李强"), ("1004", "刘洋"))):
        await env.join(701 + i, name, no)
    t1 = await org.task("T1 十一月", "生产部", "1002", date(2026, 11, 20))
    t2 = await org.task("T2 十一月", "生产部", "1003", date(2026, 11, 25))
    t3 = await org.task("T3 十二月", "生产部", "1002", date(2026, 12, 15))
    t4 = await org.task("T4 十二月", "生产部", "1003", date(2026, 12, 20))
    async with env.db.session() as s:
        production = await units.by_name(s, "department", "生产部")
        s.add(Target(key="tasks.on_time_rate", unit_id=production.id, value=0.5, due_on=date(2027, 6, 30),
                     baseline=0.4, set_on=date(2026, 11, 1), set_at=env.ctx.now(), margin=margin))
    await org.done(t1, "2026-11-18 10:00")
    await org.done(t2, "2026-11-24 10:00")
    await org.done(t3, "2026-12-14 10:00")
    await org.done(t4, "2026-12-22 10:00")  # two days late
    return org


def warnings(person) -> list[str]:
    return [t for t in person.texts() if t.startswith("预警")]


async def test_a_target_worse_than_the_month_before_warns_its_secretary_once_a_week_not_in_quiet_hours(env, clock):
    org = await organisation(env, clock)
    zhang, liu, admin = env.person(701, "张伟"), env.person(704, "刘洋"), env.admin()
    await admin.say("/targets")  # the admin's record exists

    org.at("2026-12-28 07:30")  # Monday, in quiet hours and before 09:00
    await env.tick()
    assert warnings(zhang) == []
    org.at("2026-12-28 10:00")
    await env.tick()
    await env.tick()  # the same week: nothing more
    assert len(warnings(zhang)) == 1 and WORSE in warnings(zhang)[0]
    assert "落后于目标进度" not in warnings(zhang)[0]  # on its trajectory: only the slip is said
    assert zhang.find("列入责任清单：责任清单按时完成率（生产部）")
    assert warnings(liu) == []  # 财务部's secretary: not his unit
    assert len(warnings(admin)) == 1 and WORSE in warnings(admin)[0]
    org.at("2026-12-28 16:00")
    await env.tick()
    assert len(warnings(zhang)) == 1


async def test_a_targets_own_margin_replaces_the_default(env, clock):
    org = await organisation(env, clock, margin=0.6)  # 60 points allowed: 50 worse says nothing
    zhang = env.person(701, "张伟")
    org.at("2026-12-28 10:00")
    await env.tick()
    assert warnings(zhang) == []


def test_targets_set_takes_a_margin_on_the_command_line_and_refuses_a_bad_one(tmp_path, run):
    import sqlite3

    
    (tmp_path / "roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(tmp_path / "roster.csv")).returncode == 0
    base = ("targets", "set", "lessons.coverage", "--unit", "生产部", "--value", "90", "--by", "2099-06-30")
    out = run(tmp_path, *base, "--margin", "很多")
    assert out.returncode == 2 and "不能作为指标“党员教育覆盖率”的变差幅度" in out.stderr
    for number in ("nan", "inf"):  # numbers to float(), but no margin: NaN would never warn at all
        out = run(tmp_path, *base, "--margin", number)
        assert out.returncode == 2 and "不能作为指标“党员教育覆盖率”的变差幅度" in out.stderr
    out = run(tmp_path, "targets", "set", "tasks.overdue", "--unit", "生产部", "--value", "nan", "--by", "2099-06-30")
    assert out.returncode == 2 and "“nan”不能作为指标" in out.stderr  # a count's value too
    with sqlite3.connect(tmp_path / "tongxin.db") as conn:
        assert conn.execute("select count(*) from kpi_targets").fetchone() == (0,)
    assert run(tmp_path, *base, "--margin", "10").returncode == 0
    with sqlite3.connect(tmp_path / "tongxin.db") as conn:
        assert conn.execute("select margin from kpi_targets").fetchone() == (0.1,)


def test_a_target_file_may_give_each_target_its_margin(tmp_path, run):
    import sqlite3

    
    (tmp_path / "roster.csv").write_text(DEMO_ROSTER, encoding="utf-8")
    assert run(tmp_path, "roster", "import", str(tmp_path / "roster.csv")).returncode == 0
    sheet = tmp_path / "targets.csv"
    sheet.write_text("指标,单位,目标值,完成日期,变差幅度\nlessons.coverage,生产部,90,2099-06-30,10\n"
                     "tasks.overdue,财务部,0,2099-06-30,\n", encoding="utf-8-sig")
    out = run(tmp_path, "targets", "import", str(sheet))
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(tmp_path / "tongxin.db") as conn:
        assert conn.execute("select key, margin from kpi_targets order by key").fetchall() == [
            ("lessons.coverage", 0.1), ("tasks.overdue", None)]


def test_worse_is_measured_in_the_direction_that_is_better_and_the_margin_falls_back_by_unit():
    from dataclasses import replace

    from storage import kpi

    coverage, overdue = kpi.measure("lessons.coverage"), kpi.measure("tasks.overdue")
    assert coverage.worsened(0.5, 1.0) == 0.5 and coverage.worsened(1.0, 0.5) == -0.5  # higher is better
    assert overdue.worsened(5, 2) == 3 and overdue.worsened(2, 5) == -3  # lower is better
    assert coverage.worse_margin == kpi.MARGINS["%"] == 0.05 and overdue.worse_margin == kpi.MARGINS["count"]
    assert replace(coverage, margin=0.2).worse_margin == 0.2  # an indicator's own margin

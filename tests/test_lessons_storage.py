"""The lesson rules on their own: the Markdown file format, splitting, points with the daily cap, KPIs, the CLI."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.cli import main as cli_main
from storage import lessons, roster
from storage.errors import InvalidFile, Refused
from storage.lessons import from_entities, parse, split_html, tg_len, to_html
from storage.lessons import Lesson, LessonAssignment, LessonPoints
from storage.models.org import Member
from storage.models.outbox import Outbox
from tests.support.botenv import DEMO_ROSTER
from tests.support.lessons import LESSON_MD


# --- the file format ------------------------------------------------------------------------------

def test_lesson_file_gives_title_body_and_quiz():
    lesson = parse(LESSON_MD)
    assert lesson.title == "学习党章：党员的义务"
    assert lesson.body.startswith("党章规定") and "## Quiz" not in lesson.body
    assert [q["answer"] for q in lesson.quiz] == [1, 0, 0]
    assert lesson.quiz[0]["options"] == ["六项", "八项", "十项"]
    assert lesson.quiz[0]["explanation"] == "党章第三条规定了党员的八项义务。"
    assert lesson.quiz[2]["explanation"] is None


def test_every_problem_of_a_bad_file_is_reported_with_its_line():
    bad = "\n前言\n# 标题\n正文\n## 测验\n- [x] 孤立选项\nQ: 一个选项\n- [x] 甲\nQ: 没有对的\n- [ ] 甲\n- [ ] 乙\nQ: 好题\n- [x] 对\n- [ ] 错\n乱写\n"
    with pytest.raises(InvalidFile) as caught:
        parse(bad)
    found = [(p.code, p.params["line"]) for p in caught.value.problems]
    assert found == [("lesson_no_title", 2), ("lesson_quiz_bad_line", 6), ("lesson_quiz_bad_line", 15),
                     ("lesson_quiz_options", 7), ("lesson_quiz_answer", 9)]


def test_title_without_body_and_empty_quiz_are_refused():
    with pytest.raises(InvalidFile) as caught:
        parse("# 只有标题\n\n")
    assert [p.code for p in caught.value.problems] == ["lesson_empty"]
    with pytest.raises(InvalidFile) as caught:
        parse("# 标题\n正文\n## Quiz\n\n")
    assert [p.code for p in caught.value.problems] == ["lesson_quiz_empty"]


def test_markdown_becomes_a_safe_subset_of_telegram_html():
    html = to_html("# 小标题\n**粗** *斜* `a<b>` [站](https://x.cn/?a=1&b=2) [坏](javascript:alert(1))\n"
                   "<script>x</script> & 5 > 3\n- 一\n2. 二\n```\nif a < b:\n```")
    assert "<b>小标题</b>" in html and "<b>粗</b>" in html and "<i>斜</i>" in html
    assert "<code>a&lt;b&gt;</code>" in html
    assert '<a href="https://x.cn/?a=1&amp;b=2">站</a>' in html
    assert "javascript" not in html and "坏" in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; 5 &gt; 3" in html
    assert "• 一" in html and "2. 二" in html and "<pre>if a &lt; b:</pre>" in html


def test_split_never_cuts_a_tag_or_an_entity_and_keeps_everything_in_order():
    text = "\n".join(f"<b>{i}</b> " + "&amp;字" * 200 + f"<i>尾{i}</i>" for i in range(40))
    text += "\n<pre>" + "\n".join(f"line {i} &lt;" for i in range(800)) + "</pre>"
    parts = split_html(text)
    assert len(parts) > 3
    for part in parts:
        assert tg_len(part) <= 4096
        assert not re.search(r"&\w*$", part) and not re.search(r"<[^>]*$", part)
        for tag in ("b", "i", "pre"):
            assert part.count(f"<{tag}>") == part.count(f"</{tag}>")
    visible = lambda s: re.sub(r"<[^>]+>", "", s).replace("\n", "")  # noqa: E731
    assert visible("".join(parts)) == visible(text)


def test_split_counts_utf16_like_telegram():
    text = "😀" * 3000  # 6,000 UTF-16 units
    parts = split_html(text)
    assert len(parts) == 2 and all(tg_len(p) <= 4096 for p in parts)


def test_formatting_entities_of_a_typed_message_become_the_lesson_markdown():
    text = "😀 粗体与斜体，见链接或坏链接。\n两行\n加粗\n看 a<b 的代码"
    spans = {"粗体": "bold", "斜体": "italic", "链接": "text_link", "坏链接": "text_link", "两行\n加粗": "bold",
             "a<b": "code", "看": "underline"}

    def entity(part, kind):
        start = text.index(part)
        url = "javascript:alert(1)" if part == "坏链接" else "https://x.cn"
        return (kind, len(text[:start].encode("utf-16-le")) // 2, len(part.encode("utf-16-le")) // 2, url)

    markdown = from_entities(text, [entity(p, k) for p, k in spans.items()])
    assert markdown == "😀 **粗体**与*斜体*，见[链接](https://x.cn)或坏链接。\n**两行**\n**加粗**\n看 `a<b` 的代码"
    html = to_html(markdown)
    assert "<b>粗体</b>" in html and "<i>斜体</i>" in html and '<a href="https://x.cn">链接</a>' in html
    assert "<code>a&lt;b</code>" in html and "javascript" not in html
    code = "代码：x = 1\ny = 2"
    assert from_entities(code, [("pre", 3, 11, None)]) == "代码：\n```\nx = 1\ny = 2\n```"
    assert from_entities("no entities", []) == "no entities"


def test_default_reading_time_follows_the_length():
    short = parse("# 短\n" + "字" * 100)
    long = parse("# 长\n" + "字" * 3000)
    assert lessons.default_min_read(short) == 20
    assert lessons.default_min_read(long) == 600


# --- storage with a database -------------------------------------------------------------------

async def _org(db, ctx):
    async with db.session() as s:
        await roster.apply(s, ctx, roster.check(DEMO_ROSTER.encode(), "roster.csv"))
        for m in (await s.execute(select(Member))).scalars():
            m.chat_id, m.telegram_user_id = 5000 + m.id, 5000 + m.id


async def _publish(db, ctx, audience="all", **options) -> int:
    async with db.session() as s:
        lesson = await lessons.create(s, ctx, parse(LESSON_MD), audience=audience, **options)
    async with db.session() as s:
        await lessons.publish_due(s, ctx)
    return lesson.id


async def _deliver(db, ctx):
    async with db.session() as s:
        for row in (await s.execute(select(Outbox))).scalars():
            row.status, row.sent_at = "sent", ctx.now()


async def test_publishing_twice_or_on_two_ticks_pushes_each_member_once(db, ctx):
    await _org(db, ctx)
    lesson_id = await _publish(db, ctx)
    async with db.session() as s:
        assert await lessons.publish_due(s, ctx) == 0
        lesson = await s.get(Lesson, lesson_id)
        await lessons.publish(s, ctx, lesson)  # even forced again: dedupe keys hold
        pushes = (await s.execute(select(func.count()).select_from(Outbox))).scalar_one()
        assigned = (await s.execute(select(func.count()).select_from(LessonAssignment))).scalar_one()
    assert pushes == 7 and assigned == 7


async def test_bad_options_are_refused_and_nothing_is_stored(db, ctx, clock):
    await _org(db, ctx)
    cases = [dict(audience="branch:第九支部"), dict(audience="role:nobody"),
             dict(audience="all", publish_at=clock.now() - timedelta(hours=1)),
             dict(audience="all", due_on=date(2026, 12, 1)),
             dict(audience="all", min_read=-5), dict(audience="role:leader,branch:不存在")]
    for options in cases:
        with pytest.raises(Refused):
            async with db.session() as s:
                await lessons.create(s, ctx, parse(LESSON_MD), **options)
    async with db.session() as s:
        assert (await s.execute(select(func.count()).select_from(Lesson))).scalar_one() == 0
    with pytest.raises(Refused):
        lessons.parse_when("下周三", ctx)
    assert lessons.parse_when("2026-12-05", ctx) == datetime(2026, 12, 5, 1, 0, tzinfo=timezone.utc)


async def test_points_stop_at_the_daily_cap_and_start_again_the_next_day(db, ctx, clock):
    await _org(db, ctx)
    ids = [await _publish(db, ctx, min_read=0) for _ in range(5)]
    await _deliver(db, ctx)
    async with db.session() as s:
        wang = await s.get(Member, 2)
        credited = []
        for lesson_id in ids[:4]:
            credited.append((await lessons.mark_learned(s, ctx, wang, lesson_id)).points)
        assert credited == [5, 5, 5, 5]
        assert await lessons.totals(s, ctx, 2) == (20, 20)
        # The cap is full: a fifth lesson is learned, but earns nothing today, and never later.
        done = await lessons.mark_learned(s, ctx, wang, ids[4])
        assert done.status == "learned" and done.points == 0
    clock.advance(days=1)
    async with db.session() as s:
        assert await lessons.totals(s, ctx, 2) == (20, 0)
        rows = (await s.execute(select(LessonPoints.earned, LessonPoints.points)
                                .where(LessonPoints.lesson_id == ids[4]))).all()
    assert rows == [(5, 0)]


async def test_two_presses_of_the_same_answer_count_once(db, ctx):
    await _org(db, ctx)
    lesson_id = await _publish(db, ctx)
    async with db.session() as s:
        li = await s.get(Member, 3)
        view = await lessons.start_quiz(s, ctx, li, lesson_id)
        await lessons.answer(s, ctx, li, view.attempt_id, 0, 1)
        with pytest.raises(Refused):
            await lessons.answer(s, ctx, li, view.attempt_id, 0, 1)
        with pytest.raises(Refused):
            await lessons.answer(s, ctx, li, view.attempt_id, 1, 9)  # no such option
        again = await lessons.start_quiz(s, ctx, li, lesson_id)
    assert again.attempt_id == view.attempt_id and again.position == 1, "an open attempt resumes"


async def test_coverage_per_branch_per_unit_and_per_period(db, ctx, clock):
    await _org(db, ctx)
    first = await _publish(db, ctx, min_read=0)
    await _deliver(db, ctx)
    async with db.session() as s:
        for member_id in (2, 5, 7):  # 王芳 (第一支部), 陈静 and Emily (第二支部)
            await lessons.mark_learned(s, ctx, await s.get(Member, member_id), first)
        li = await s.get(Member, 3)
        await lessons.start_quiz(s, ctx, li, first)
        view = await lessons.start_quiz(s, ctx, li, first)
        for pos, option in enumerate((1, 0, 1)):  # two of three right
            await lessons.answer(s, ctx, li, view.attempt_id, pos, option)
    clock.advance(days=40)
    second = await _publish(db, ctx, audience="branch:第一支部")

    async with db.session() as s:
        total = await lessons.lesson_figures(s, first)
        assert (total.audience, total.delivered, total.learned, total.avg_score) == (7, 7, 4, 67.0)
        by_branch = {name: (f.audience, f.learned) for _, name, f in await lessons.lesson_breakdown(s, first)}
        assert by_branch == {"第一支部": (3, 2), "第二支部": (4, 2)}
        by_unit = {name: f.audience for _, name, f in await lessons.lesson_breakdown(s, first, group="unit")}
        assert by_unit == {"办公室": 1, "生产部": 3, "财务部": 3}

        start = datetime(2026, 12, 1, tzinfo=timezone.utc)
        end = start + timedelta(days=31)
        everything = await lessons.kpi_figures(s, ctx, unit_ids=None, start=start, end=end)
        assert everything == {"lessons_published": 1, "audience": 7, "learned": 4, "coverage": 4 / 7,
                              "avg_score": 67.0}
        branch_two = (await s.execute(select(Member.branch_id).where(Member.id == 5))).scalar_one()
        scoped = await lessons.kpi_figures(s, ctx, unit_ids={branch_two}, start=start, end=end)
        assert scoped["audience"] == 4 and scoped["learned"] == 2 and scoped["coverage"] == 0.5
        both = await lessons.kpi_figures(s, ctx, unit_ids=None, start=start, end=end + timedelta(days=60))
        assert both["lessons_published"] == 2 and both["audience"] == 10
        empty = await lessons.kpi_figures(s, ctx, unit_ids=None, start=end + timedelta(days=90),
                                              end=end + timedelta(days=120))
        assert empty == {"lessons_published": 0, "audience": 0, "learned": 0, "coverage": None,
                         "avg_score": None}
    assert second != first


# --- the command line ------------------------------------------------------------------------------

def _run_cli(monkeypatch, capsys, url, tmp_path, *argv) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TONGXIN_SECRET", "test-secret-not-for-production")
    monkeypatch.setenv("TONGXIN_LANG", "zh")
    with pytest.raises(SystemExit) as caught:
        cli_main(list(argv))
    out = capsys.readouterr()
    return caught.value.code, out.out, out.err


async def test_cli_publishes_a_lesson_file_and_refuses_a_bad_one_with_line_numbers(db, ctx, sqlite_url, tmp_path,
                                                                                   monkeypatch, capsys):
    import asyncio

    await _org(db, ctx)
    good = tmp_path / "lesson.md"
    good.write_text(LESSON_MD, encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text("# 标题\n正文\n## Quiz\nQ: 题\n- [ ] 甲\n- [ ] 乙\n", encoding="utf-8")

    code, out, err = await asyncio.to_thread(_run_cli, monkeypatch, capsys, sqlite_url, tmp_path, "lessons",
                                             "publish", str(bad), "--audience", "all")
    assert code == 2 and "第 4 行" in err
    code, out, err = await asyncio.to_thread(_run_cli, monkeypatch, capsys, sqlite_url, tmp_path, "lessons",
                                             "publish", str(good), "--audience", "branch:第二支部",
                                             "--at", "2099-01-01", "--due", "2099-01-08", "--min-read", "90",
                                             "--pass-percent", "80")
    assert code == 0 and "4 members" in out, err
    code, out, err = await asyncio.to_thread(_run_cli, monkeypatch, capsys, sqlite_url, tmp_path, "lessons",
                                             "publish", str(good), "--audience", "branch:第九支部")
    assert code == 2 and "第九支部" in err
    code, out, err = await asyncio.to_thread(_run_cli, monkeypatch, capsys, sqlite_url, tmp_path, "lessons",
                                             "publish", str(good), "--audience", "all", "--pass-percent", "0")
    assert code == 2 and "及格线" in err
    async with db.session() as s:
        stored = (await s.execute(select(Lesson))).scalars().all()
    assert len(stored) == 1
    assert (stored[0].audience, stored[0].min_read_seconds, stored[0].due_on, stored[0].pass_percent) == (
        "branch:第二支部", 90, date(2099, 1, 8), 80)


async def test_period_breakdown_sums_each_branch_over_the_lessons_of_the_period(db, ctx, clock):
    await _org(db, ctx)
    first = await _publish(db, ctx, min_read=0)
    second = await _publish(db, ctx, audience="branch:第一支部", min_read=0)
    await _deliver(db, ctx)
    async with db.session() as s:
        for lesson_id, member_id in ((first, 2), (second, 2), (second, 3), (first, 5)):
            await lessons.mark_learned(s, ctx, await s.get(Member, member_id), lesson_id)
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    async with db.session() as s:
        rows = await lessons.period_breakdown(s, start=start, end=start + timedelta(days=31))
        by_unit = await lessons.period_breakdown(s, start=start, end=start + timedelta(days=31), group="unit")
        later = await lessons.period_breakdown(s, start=start + timedelta(days=31),
                                                   end=start + timedelta(days=62))
    figures = {name: (f.audience, f.learned, f.coverage_percent) for _, name, f in rows}
    assert figures == {"第一支部": (6, 3, 50), "第二支部": (4, 1, 25)}
    assert {name: f.audience for _, name, f in by_unit} == {"办公室": 1, "生产部": 6, "财务部": 3}
    assert later == []


async def test_pass_mark_is_the_authors_and_must_be_a_percentage(db, ctx):
    await _org(db, ctx)
    for bad in (0, 101):
        with pytest.raises(Refused) as caught:
            async with db.session() as s:
                await lessons.create(s, ctx, parse(LESSON_MD), audience="all", pass_percent=bad)
        assert caught.value.template == "lesson_bad_pass"
    lesson_id = await _publish(db, ctx, pass_percent=100)
    async with db.session() as s:
        li = await s.get(Member, 3)
        view = await lessons.start_quiz(s, ctx, li, lesson_id)
        for position, option in enumerate((1, 0, 1)):  # two of three right: 67%, under the mark
            done = await lessons.answer(s, ctx, li, view.attempt_id, position, option)
    assert done.result.score == 67 and not done.result.passed and done.result.pass_mark == 100


async def test_only_the_first_attempt_passes_scores_and_earns(db, ctx):
    await _org(db, ctx)
    lesson_id = await _publish(db, ctx)
    async with db.session() as s:
        li = await s.get(Member, 3)
        view = await lessons.start_quiz(s, ctx, li, lesson_id)
        for position, option in enumerate((0, 1, 1)):  # all three wrong
            first = await lessons.answer(s, ctx, li, view.attempt_id, position, option)
        practice = await lessons.retry(s, ctx, li, view.attempt_id)
        assert practice.practice and practice.total == 3
        for position, option in enumerate((1, 0, 0)):  # all three right, after being shown the answers
            again = await lessons.answer(s, ctx, li, practice.attempt_id, position, option)
        a = (await s.execute(select(LessonAssignment).where(LessonAssignment.member_id == 3))).scalar_one()
        earned = (await s.execute(select(func.coalesce(func.sum(LessonPoints.points), 0))
                                  .where(LessonPoints.member_id == 3))).scalar_one()
        nothing_left = await lessons.start_quiz(s, ctx, li, lesson_id)
    assert (first.result.score, first.result.passed, first.result.practice) == (0, False, False)
    assert (again.result.score, again.result.passed, again.result.practice) == (0, False, True)
    assert (again.result.right, again.result.points, again.result.newly_learned) == (3, 0, False)
    assert (a.first_score, a.learned_at, earned) == (0, None, 0)
    assert (nothing_left.score, nothing_left.passed) == (0, False)

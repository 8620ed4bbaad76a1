"""Cross-cutting checks of the design's rules over every feature: every update goes through the session
wrapper, an employee reaches no secretary's action whatever they forge or type, and texts are escaped once
(HTML where Telegram reads HTML, plain text on buttons and in stored data)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from messages.buttons import Prefix, pattern
from handlers.session import handler
from storage.models.org import Member
from storage.tasks import Task, TaskNote
from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import refusal, snapshot
from tests.support.surveys import invitation, publish, rating_survey
from tests.support.tasks import cast, import_tasks, open_task

SURVEY_CLOSES = datetime(2026, 12, 10, 15, 59, tzinfo=timezone.utc)  # Thursday 23:59 in Shanghai


def _buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_every_registered_callback_goes_through_the_session_wrapper(env):
    @handler()
    async def probe(turn):  # the wrapper's code object is shared by every wrapped callback
        pass

    registered = [h for group in env.runtime.application.handlers.values() for h in group]
    assert registered
    for h in registered:
        assert isinstance(h, (CommandHandler, CallbackQueryHandler, MessageHandler)), h
        assert getattr(h.callback, "__code__", None) is probe.__code__, \
            f"{h.callback.__module__}.{h.callback.__qualname__} is not wrapped by handlers.session.handler"
    # Every prefix that buttons are built with has its own handler (the fallback answers anything else).
    patterns = {h.pattern.pattern for h in registered if isinstance(h, CallbackQueryHandler) and h.pattern}
    for prefix in Prefix:
        assert pattern(prefix) in patterns, prefix


async def test_a_task_owner_cannot_confirm_or_return_their_own_task_by_forging_the_secretarys_buttons(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    await open_task(c.wang, "T-1")
    await c.wang.press("完成")
    await c.wang.say("完成了")  # reported: the secretary's confirm / return buttons are now live
    async with env.db.session() as s:
        task_id = (await s.execute(select(Task.id))).scalar_one()

    for action in ("confirm", "return"):
        press = await c.wang.press_data(f"tsk:{task_id}:{action}")
        assert "仅限书记或管理员" in press.toast, action
        assert not press.new, action
    await c.wang.send("被退回了吗")  # no return dialog was opened for the owner
    async with env.db.session() as s:
        task = await s.get(Task, task_id)
        kinds = list((await s.execute(select(TaskNote.kind).where(TaskNote.task_id == task_id))).scalars())
    assert task.status == "reported" and task.confirmed_by_id is None and kinds == ["done"]

    press = await c.zhang.press_data(f"tsk:{task_id}:confirm")  # the lead unit's secretary may
    assert "已确认" in press.text or "确认" in press.text


async def test_a_respondent_cannot_open_results_the_organiser_kept_by_forging_the_results_button(env, clock):
    await env.import_roster(DEMO_ROSTER)
    zhang, wang, li = [await env.join(200 + i, f"p{i}", no) for i, no in enumerate(("1001", "1002", "1003"))]
    survey_id = await publish(env, **rating_survey(closes_at=SURVEY_CLOSES, min_group_size=3))  # kept: default
    await env.tick()
    for person, score in ((zhang, "5"), (wang, "4"), (li, "3")):
        await person.press("开始答题", invitation(person))
        await person.press(score)
    clock.set(SURVEY_CLOSES)
    await env.tick()  # closed: three answers, enough for a group, but nothing is announced to respondents
    assert not any("查看结果" in str(m.get("reply_markup")) for m in wang.messages)

    before = await snapshot(env.db)
    forged = await wang.press_data(f"svy:{survey_id}:shared")
    assert forged.toast == refusal("zh", "survey_results_not_shared", title="食堂评分")
    assert not forged.new and not any("平均分" in t for t in wang.texts())
    assert await snapshot(env.db) == before

    # The survey's staff read them as before: the secretary it asked, with /results.
    shown = await zhang.send(f"/results {survey_id}")
    assert any("平均分：4.00（3 人）" in m.get("text", "") for m in shown)


async def test_a_secretary_who_loses_the_role_mid_newtask_can_type_nothing_further_into_it(env):
    c = await cast(env)
    await c.zhang.send("/newtask")
    await c.zhang.say("新任务标题")
    async with env.db.session() as s:
        await s.execute(update(Member).where(Member.employee_no == "1001").values(roles="employee"))

    reply = await c.zhang.say("生产部")
    assert "仅限书记或管理员" in reply
    reply = await c.zhang.say("1003")  # an employee number would have shown that person's name
    assert "李强" not in reply
    from storage import dialogs

    async with env.db.session() as s:
        member = (await s.execute(select(Member).where(Member.employee_no == "1001"))).scalar_one()
        dialog = await dialogs.get(s, member.id)
    assert dialog is None or dialog.step == "lead"


async def test_button_labels_are_plain_text_not_html_entities(env):
    from tests.support.lessons import publish as publish_lesson
    from tests.support.surveys import publish as publish_survey, rating_survey

    await env.import_roster(DEMO_ROSTER)
    wang = await env.join(102, "王芳", "1002")
    await publish_lesson(env, "# R&D <安全> 课\n\n正文。\n", min_read=0)
    await publish_survey(env, **rating_survey(title="A&B \"食堂\" 评分", closes_at=datetime(2026, 12, 10,
                                                                                          tzinfo=timezone.utc)))
    await env.tick()

    labels = [b["text"] for m in await wang.send("/lessons") for b in _buttons(m)]
    labels += [b["text"] for m in await wang.send("/surveys") for b in _buttons(m)]
    assert any("R&D <安全> 课" in t for t in labels), labels
    assert any('A&B "食堂" 评分' in t for t in labels), labels
    assert not any("&amp;" in t or "&lt;" in t or "&#34;" in t for t in labels), labels
    # The HTML texts are still escaped, once.
    assert any("R&amp;D &lt;安全&gt; 课" in t for t in wang.texts())


async def test_an_import_refusal_quotes_the_bad_value_escaped_once(env):
    c = await cast(env)
    reply = await import_tasks(c.zhang, "T-1,安全培训,R&D <部>,,1002,2026-12-20,")
    assert "R&amp;D &lt;部&gt;" in reply
    assert "&amp;amp;" not in reply and "&amp;lt;" not in reply


async def test_a_reception_matter_turned_into_a_task_is_stored_as_typed(env, clock):
    from storage.reception import Booking
    from storage.reception import book
    from storage.reception import record_task
    from tests.support.reception import make_day

    await env.import_roster(DEMO_ROSTER)
    slots = await make_day(env)
    async with env.db.session() as s:
        wang = (await s.execute(select(Member).where(Member.employee_no == "1002"))).scalar_one()
        await book(s, env.ctx, wang, slots[0], "R&D 部门 <加班> 问题")
    clock.set(datetime(2026, 12, 15, 9, tzinfo=timezone.utc))  # the day is over
    async with env.db.session() as s:
        secretary = (await s.execute(select(Member).where(Member.employee_no == "1004"))).scalar_one()
        booking_id = (await s.execute(select(Booking.id))).scalar_one()
        _, info = await record_task(s, env.ctx, secretary, booking_id, "1003 生产部 2026-12-31")
    async with env.db.session() as s:
        task = (await s.execute(select(Task).where(Task.task_no == info["no"]))).scalar_one()
    assert "R&D 部门 <加班> 问题" in task.title and "R&D 部门 <加班> 问题" in task.description
    assert "&amp;" not in task.title + task.description


async def test_a_feedback_measure_turned_into_a_task_is_stored_as_typed(env):
    from tests.support.feedback import configure
    from tests.test_feedback_pdca import handled

    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={"safety": ["生产部"]})
    zhang = await env.join(101, "张伟", "1001")
    wang = await env.join(102, "王芳", "1002")
    await handled(env, zhang, wang, "安全隐患", "叉车通道没有划线。")
    await zhang.press("办结（已解决）")
    await zhang.say("R&D 通道 <标识> 缺失。")
    await zhang.say("全厂 A&B 通道划线。")
    await zhang.press("改进措施转为任务")
    for answer in ("1003", "生产部", "2026-12-31"):
        reply = await zhang.say(answer)
    assert "已创建任务" in reply, zhang.texts()[-6:]
    async with env.db.session() as s:
        task = (await s.execute(select(Task).where(Task.source.like("feedback:%")))).scalar_one()
    assert "R&D 通道 <标识> 缺失。" in task.description and "全厂 A&B 通道划线。" in task.description
    assert "&amp;" not in task.description + task.title


def test_the_configuration_never_shows_its_secrets_when_printed_or_logged(tmp_path):
    from bot.config import load

    config = load({"TELEGRAM_BOT_TOKEN": "123456:SECRET-token-value", "TONGXIN_SECRET": "sealing-key-value",
                   "WEBHOOK_URL": "https://example.org/hook", "WEBHOOK_SECRET": "hook-secret-value",
                   "TONGXIN_DATA_DIR": str(tmp_path)})
    assert config.token == "123456:SECRET-token-value"
    shown = repr(config) + str(config)
    for secret in ("SECRET-token-value", "sealing-key-value", "hook-secret-value"):
        assert secret not in shown


async def test_a_forged_press_naming_an_id_past_postgresqls_integer_is_an_expired_button(pg_env):
    """Ids are INTEGER on PostgreSQL (up to 2**31 - 1): a larger number in forged data must not reach a query,
    where it was an 'integer out of range' error instead of the usual refusal."""
    c = await cast(pg_env)
    await import_tasks(c.zhang, "T-1,清理旧账,生产部,,1002,2026-12-01,")
    before = await snapshot(pg_env.db)
    huge = 2**31
    for data in (f"tsk:{huge}:open", f"tsk:{huge}:nudge", f"les:{huge}:learned", f"rcp:{huge}:book",
                 f"bkg:{huge}:cancel", f"olm:{huge}:attend", f"tgt:{huge}:fix", f"svy:{huge}:1:2",
                 f"mbr:{huge}:off", f"inb:{huge}:reply", f"tsl:{huge}:mine.all"):
        for person in (c.wang, c.zhang, c.admin):  # a role check may refuse first; never an error
            press = await person.press_data(data)
            allowed = {refusal("zh", "button_expired")} | ({refusal("zh", "not_allowed")} if person is c.wang else set())
            assert press.toast in allowed, (data, press.toast)
    assert (await c.zhang.send(f"/results {huge}"))[-1]["text"] == refusal("zh", "survey_not_found")
    assert await snapshot(pg_env.db) == before

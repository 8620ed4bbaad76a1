"""Issue 15, items 6 and 7 on the responsibility list: replying (Telegram's reply) to a task card is its
progress note, and a photo or a document with the note as its caption is evidence the secretary is sent with
the report. Thursday 2026-12-03, 09:00 in Shanghai."""
from __future__ import annotations

from sqlalchemy import select

from storage.tasks import Task, TaskNote
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast, import_tasks, open_task

PHOTO = b"\xff\xd8\xff\xe0 a photo of the sign-in sheet"


async def notes(env) -> list[TaskNote]:
    async with env.db.session() as s:
        return list((await s.execute(select(TaskNote).order_by(TaskNote.id))).scalars())


async def test_replying_to_a_task_card_records_the_text_as_its_progress(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    card = await open_task(c.wang, "T-1")
    saved = await c.wang.reply(card, "已完成一半人员培训")
    assert saved[-1]["text"] == "已记录任务 [T-1] 的进展，状态：进行中。"
    [note] = await notes(env)
    assert (note.kind, note.text) == ("progress", "已完成一半人员培训")
    async with env.db.session() as s:
        assert (await s.execute(select(Task.status))).scalar_one() == "in_progress"


async def test_a_reply_to_a_message_about_nothing_falls_back_as_today(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    help_message = (await c.wang.send("/help"))[-1]
    before = await snapshot(env.db)
    answer = await c.wang.reply(help_message, "你好")
    assert answer[-1]["text"] == refusal("zh", "unknown_input")
    assert await snapshot(env.db) == before


async def test_someone_elses_task_card_replied_to_is_refused_and_nothing_changes(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    card = await open_task(c.wang, "T-1")
    await c.wang.press("完成", card)  # the owner reports it done: the card's state moves on
    await c.wang.say("全部完成")
    before = await snapshot(env.db)
    late = await c.wang.reply(card, "又补充了一点进展")
    assert late[-1]["text"] == refusal("zh", "tasks_state_changed", status="reported")
    assert await snapshot(env.db) == before


async def test_a_done_report_with_a_photo_reaches_the_secretary_with_the_photo(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    await open_task(c.wang, "T-1")
    await c.wang.press("完成")
    saved = await c.wang.photo(PHOTO, caption="培训已全部完成，签到表见照片")
    assert "已报告任务 [T-1] 安全培训 完成" in saved[-1]["text"]
    [note] = await notes(env)
    assert (note.kind, note.text, note.evidence_kind) == ("done", "培训已全部完成，签到表见照片", "photo")

    before = len(c.zhang.messages)
    await env.tick()
    new = c.zhang.messages[before:]
    at = next(i for i, m in enumerate(new) if "报告任务已完成" in m.get("text", ""))
    report, photo = new[at], new[at + 1]  # the photo right under the report
    assert "完成情况：培训已全部完成，签到表见照片\n📎 附有照片，见下一条消息。" in report["text"]
    assert photo["photo"][0]["file_id"] == note.evidence_file_id
    assert photo["caption"] == "📎 任务 [T-1] 安全培训 的完成证明"
    assert env.fake.files[note.evidence_file_id][1] == PHOTO  # the owner's own photo, re-sent by its id


async def test_progress_by_reply_with_a_document_shows_in_the_notes_with_the_file(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    card = await open_task(c.wang, "T-1")
    saved = await c.wang.reply_upload(card, "签到表.pdf", b"%PDF-1.4 sign-in", caption="第一批培训签到表")
    assert saved[-1]["text"] == "已记录任务 [T-1] 的进展，状态：进行中。"
    listing = (await c.zhang.send("/tasks"))[-1]
    await c.zhang.press("本单位全部", listing)
    card = (await c.zhang.press("T-1 安全培训")).new[-1]
    shown = (await c.zhang.press("📜 进展记录", card)).new
    assert "王芳 · 进展：第一批培训签到表 📎" in shown[0]["text"]
    assert shown[1]["document"]["file_name"] == "签到表.pdf"
    assert shown[1]["caption"] == "📎 任务 [T-1] 安全培训 的进展材料：签到表.pdf"


async def test_a_file_above_the_limit_or_a_photo_without_a_caption_is_refused_and_nothing_changes(env):
    c = await cast(env)
    await import_tasks(c.zhang, "T-1,安全培训,生产部,,1002,2026-12-20,")
    card = await open_task(c.wang, "T-1")
    before = await snapshot(env.db)
    huge = await c.wang.reply_upload(card, "录像.zip", b"PK", caption="全部完成", size=60 * 1024 * 1024)
    assert huge[-1]["text"] == refusal("zh", "tasks_evidence_too_large", limit_mb=20)
    assert await snapshot(env.db) == before
    bare = await c.wang.reply_photo(card, PHOTO)
    assert bare[-1]["text"] == refusal("zh", "tasks_evidence_needs_caption")
    assert await snapshot(env.db) == before
    await c.wang.press("完成", card)  # in the flow, without a reply: the same refusal, the flow stays open
    before = await snapshot(env.db)
    bare = await c.wang.photo(PHOTO)
    assert bare[-1]["text"] == refusal("zh", "tasks_evidence_needs_caption")
    assert await snapshot(env.db) == before
    saved = await c.wang.photo(PHOTO, caption="全部完成")
    assert "已报告任务 [T-1] 安全培训 完成" in saved[-1]["text"]

"""Issue 15, item 6 for feedback: the secretary replies (Telegram's reply) to a ticket's card or notice, and the
writer replies to the bot's message about their ticket, each as pressing "reply" and typing. The writer's
reply is read from that message's own buttons: nothing is stored that ties the writer's chat to the ticket."""
from __future__ import annotations

from sqlalchemy import select

from storage.feedback.models import FeedbackMessage
from tests.support.botenv import DEMO_ROSTER
from tests.support.feedback import configure, submit
from tests.support.refusals import refusal, snapshot


async def people(env):
    await env.import_roster(DEMO_ROSTER)
    await configure(env, routing={"hardship": ["生产部"], "dispute": ["生产部"]})
    zhang = await env.join(101, "张伟", "1001")   # secretary of 生产部
    wang = await env.join(102, "王芳", "1002")    # employee of 生产部
    li = await env.join(103, "李强", "1003")      # employee of 生产部
    return zhang, wang, li


async def thread(env) -> list[tuple[str, str]]:
    async with env.db.session() as s:
        return [(m.author, m.text) for m in (await s.execute(
            select(FeedbackMessage).order_by(FeedbackMessage.id))).scalars()]


async def test_the_secretary_and_the_anonymous_writer_answer_each_other_by_replying(env):
    zhang, wang, _ = await people(env)
    ticket = await submit(wang, "困难帮扶", "家里老人住院，想申请困难帮扶。")
    notice = zhang.last  # the new-ticket notice, with its "查看" button
    assert f"新工单 #{ticket}" in notice["text"]
    sent = await zhang.reply(notice, "已联系工会，下周一带上住院证明来办理。")
    assert "已转给" in sent[-1]["text"]

    await env.tick()
    relay = wang.last
    assert "已联系工会" in relay["text"]
    sent = await wang.reply(relay, "谢谢，材料已经准备好了。")
    assert "已发送" in sent[-1]["text"]
    await env.tick()
    assert "材料已经准备好了" in zhang.last["text"] and "反映人回复" in zhang.last["text"]

    await zhang.press("查看", zhang.last)
    card = zhang.find("标记已答复")  # the ticket's card, opened in place
    sent = await zhang.reply(card, "收到，周一见。")
    assert "已转给" in sent[-1]["text"]
    await env.tick()
    assert [text for author, text in await thread(env)] == [
        "已联系工会，下周一带上住院证明来办理。", "谢谢，材料已经准备好了。", "收到，周一见。"]


async def test_a_reply_to_a_resolved_tickets_message_is_refused_and_nothing_changes(env):
    zhang, wang, _ = await people(env)
    relay_ticket = await submit(wang, "困难帮扶", "家里老人住院，想申请困难帮扶。")
    zhang_notice = zhang.last
    await zhang.reply(zhang_notice, "已联系工会。")
    await env.tick()
    relay = wang.last
    # The writer marks it resolved: a later reply to the old relay is refused, as the button would be.
    await wang.press("已解决", relay)
    await env.tick()
    before = await snapshot(env.db)
    late = await wang.reply(relay, "还有一件事")
    assert late[-1]["text"] == refusal("zh", "feedback_ticket_closed_writer", ticket=relay_ticket)
    assert await snapshot(env.db) == before

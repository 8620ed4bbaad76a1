"""Storage pieces of issue 15 items 6-8: what evidence a task note may carry, which option a survey reply
names, and the outbox message that re-sends a file by its id."""
from __future__ import annotations

import pytest

from storage import outbox
from storage.errors import Refused
from storage.surveys.answering import choice_named
from storage.surveys.rules import Question
from storage.tasks.evidence import MAX_BYTES, Evidence, check


def refused(fn, *args) -> str:
    with pytest.raises(Refused) as caught:
        fn(*args)
    return caught.value.template


def test_evidence_needs_a_caption_a_note_kind_and_a_size_telegram_lets_the_bot_fetch():
    photo = Evidence("photo", "F1", "", 1000)
    assert check(None, "progress", "") is None
    assert check(photo, "done", "签到表") == photo
    assert refused(check, photo, "done", "") == "tasks_evidence_needs_caption"
    assert refused(check, photo, "return", "理由") == "tasks_evidence_not_here"
    assert refused(check, Evidence("other", "", ""), "progress", "视频") == "tasks_evidence_not_here"
    assert refused(check, Evidence("document", "F2", "a.zip", MAX_BYTES + 1), "progress", "录像") == \
        "tasks_evidence_too_large"
    long_name = check(Evidence("document", "F3", "名" * 400, 10), "progress", "表")
    assert len(long_name.name) == 255


def _question(kind: str, options=()) -> Question:
    return Question(id=1, position=0, kind=kind, text="题目", options=tuple(options), required=True)


@pytest.mark.parametrize("kind, options, text, value", [
    ("single", ["好", "一般", "差"], " 一般 ", 1),
    ("single", ["Yes", "No"], "yes", 0),
    ("single", ["好", "一般", "差"], "2", None),     # a number is not an option's text
    ("rating", [], "5", 5),
    ("rating", [], "6", None),
    ("scale10", [], "0", 0),
    ("scale10", [], "１０", None),                    # full-width digits are not taken as a number
    ("multi", ["面食", "川菜"], "面食", None),        # a reply cannot tick boxes
])
def test_a_reply_names_an_option_by_its_text_or_a_scale_by_its_number(kind, options, text, value):
    assert choice_named(_question(kind, options), text) == value


def test_a_file_is_re_sent_by_its_id_as_the_kind_it_is():
    assert outbox.attachment("photo", "F1", "证明") == {
        "method": "sendPhoto", "params": {"photo": "F1", "parse_mode": "HTML", "caption": "证明"}}
    assert outbox.attachment("document", "F2")["params"] == {"document": "F2", "parse_mode": "HTML"}


async def test_the_fake_bot_api_is_as_strict_as_telegram_about_replies_and_file_ids():
    from bot.sandbox.fakeapi import ApiError, FakeBotAPI

    fake = FakeBotAPI()
    sent = await fake.api_sendMessage({"chat_id": 7, "text": "卡片", "reply_markup": {
        "inline_keyboard": [[{"text": "进展", "callback_data": "tsk:1:progress"}]]}})
    await fake.api_editMessageText({"chat_id": 7, "message_id": sent["message_id"], "text": "卡片（已更新）"})
    await fake.send_text(7, "回复", reply_to=sent)
    replied = fake.pending[-1]["message"]["reply_to_message"]
    assert replied["text"] == "卡片（已更新）" and "reply_markup" not in replied  # as it is now: buttons gone
    with pytest.raises(LookupError):
        await fake.send_text(7, "回复", reply_to=999)  # no such message in this chat
    with pytest.raises(LookupError):
        await fake.send_text(8, "回复", reply_to=sent)  # another chat's message
    photo_id = fake.store_file("photo.jpg", b"jpg", kind="photo")
    doc_id = fake.store_file("a.pdf", b"pdf")
    with pytest.raises(ApiError):
        await fake.api_sendDocument({"chat_id": 7, "document": photo_id})
    with pytest.raises(ApiError):
        await fake.api_sendPhoto({"chat_id": 7, "photo": doc_id})

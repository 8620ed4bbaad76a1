"""The points board in /lessons: 李强 sees his points and rank in 第一支部 and the top ten, named only for
those who chose so in /me; 王芳 turns her name on and off with the button on /me."""
from __future__ import annotations

from storage import lessons
from tests.support.lessons import publish
from tests.support.memberfile import ids
from tests.support.refusals import refusal, snapshot
from tests.support.tasks import cast


async def _points(env, **by_no: int) -> None:
    lesson_id = await publish(env)
    who = await ids(env)
    async with env.db.session() as s:
        for no, points in by_no.items():
            await lessons.award(s, env.ctx, who[no.lstrip("_")], lesson_id, "learned", points)


def _board(person) -> str:
    return next(m["text"] for m in reversed(person.messages) if "积分榜" in (m.get("text") or ""))


async def test_the_board_names_only_those_who_opted_in_and_the_toggle_works(env):
    c = await cast(env)
    await _points(env, _1002=9, _1001=5)
    await c.li.send("/lessons")
    board = _board(c.li)
    assert "您的积分：0 分，在本支部 3 人中排第 3 名" in board
    assert "1. （未公开姓名） — 9 分" in board and "2. （未公开姓名） — 5 分" in board
    assert "王芳" not in board and "张伟" not in board

    await c.wang.send("/me")
    on = await c.wang.press("积分榜上显示我的姓名")
    assert "您的姓名会显示在榜上" in on.text
    await c.li.send("/lessons")
    board = _board(c.li)
    assert "1. 王芳 — 9 分" in board and "2. （未公开姓名） — 5 分" in board

    await c.wang.send("/lessons")
    assert "您的积分：9 分，在本支部 3 人中排第 1 名" in _board(c.wang) and "1. 您 — 9 分" in _board(c.wang)

    off = await c.wang.press("积分榜上不显示我的姓名")
    assert "您的姓名不在榜上显示" in off.text
    await c.li.send("/lessons")
    assert "王芳" not in _board(c.li)


async def test_before_anyone_has_points_nobody_is_told_they_rank_first(env):
    c = await cast(env)
    await c.li.send("/lessons")
    board = _board(c.li)
    assert "您的积分：0 分。" in board and "排第" not in board  # all tied at 0: no rank to speak of
    assert "本支部还没有人获得积分：学完微党课、通过测验即可得分。" in board


async def test_nobody_can_switch_another_members_name_on(env):
    c = await cast(env)
    who = await ids(env)
    state = await snapshot(env.db)
    forged = await c.li.press_data(f"mbr:{who['1002']}:nameon")
    assert forged.toast == refusal("zh", "button_expired")
    assert await snapshot(env.db) == state


async def test_equal_points_share_a_rank_in_english(env):
    c = await cast(env)
    emily = await env.join(107, "Emily Zhou", "1007", lang="en")
    await _points(env, _1004=5, _1005=5, _1007=3)
    await emily.send("/lessons")
    board = next(m["text"] for m in reversed(emily.messages) if "points board" in (m.get("text") or ""))
    assert "Your points: 3, rank 3 of 4 in your branch." in board
    assert board.count("1. (name not shown) — 5") == 2 and "3. You — 3" in board
    mine = (await emily.send("/me"))[-1]["text"]
    assert "My file" in mine and "your name is not shown" in mine
    assert "积分" not in mine and "匿名" not in mine  # all English
    shown = await emily.press("Show my name on the points board")
    assert "your name is shown on it" in shown.text

"""Typed input into a staff flow re-checks the role in one place (handlers/dialogs.py), for every wizard.

张伟 (a secretary) starts each wizard, loses the role meanwhile, and types: he is told he may not, the flow
ends, and nothing else in the database changed.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from storage.models.dialogs import Dialog
from storage.models.org import Member
from tests.support.botenv import DEMO_ROSTER
from tests.support.refusals import refusal, snapshot


@pytest.mark.parametrize("command", ["/newtask", "/newsurvey", "/newlesson", "/newreception"])
async def test_a_secretary_who_lost_the_role_mid_flow_is_refused_and_the_flow_ends(env, command):
    await env.import_roster(DEMO_ROSTER)
    zhang = await env.join(101, "张伟", "1001")
    await zhang.send(command)
    async with env.db.session() as s:
        assert (await s.execute(select(Dialog))).scalars().all(), "the wizard keeps its place in a dialog"
        await s.execute(update(Member).where(Member.employee_no == "1001").values(roles="employee"))
    before = await snapshot(env.db)

    reply = await zhang.say("设备检修")

    assert reply == refusal("zh", "not_allowed")
    after = await snapshot(env.db)
    assert after["dialogs"] == []
    assert {k: v for k, v in after.items() if k != "dialogs"} == {k: v for k, v in before.items() if k != "dialogs"}

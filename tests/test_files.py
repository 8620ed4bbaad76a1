"""Files that cannot hurt, and forged presses that cannot either: hostile uploads are refused without
stalling anyone, exports never run formulas, units are told apart by their path, and a callback id beyond
64 bits is an expired button."""
from __future__ import annotations

import logging

from tests.support.tasks import cast

EXPIRED = "这个按钮已失效。"


async def test_a_button_whose_id_overflows_64_bits_is_an_expired_button_and_logs_no_error(env, caplog):
    c = await cast(env)
    caplog.set_level(logging.WARNING)
    huge = str(2**64)
    for data in (f"tsk:{huge}:done", f"svy:{huge}:start", f"les:{huge}:learned", f"quz:{huge}:retry",
                 f"quz:1:{huge}.0", f"rcp:{huge}:book", f"bkg:{huge}:cancel", f"inb:{huge}:take",
                 f"fbk:{huge}:view", f"fbk:1:rate{huge}", f"rcw:{huge}:res", f"lsw:0:a{huge}",
                 f"tsk:{'9' * 40}:done", "tsk:１２:done"):
        press = await c.zhang.press_data(data)
        assert press.toast == EXPIRED, data
        assert not press.new, data
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]

"""`python -m bot sandbox`: a person picks a persona, registers with the invite code and sees their menu."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_sandbox_lets_a_person_register_and_see_their_menu(tmp_path):
    script = tmp_path / "session.txt"
    script.write_text("as 3\n/tasks\n/start {code}\n/help\n/tasks\n/reception\nas 1\n/help\nquit\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env["TONGXIN_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run([sys.executable, "-m", "bot", "sandbox", "--script", str(script)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "请发送管理员给您的邀请码" in text  # the stranger's /tasks
    assert "登记成功，王芳" in text
    after_register = text.split("登记成功，王芳", 1)[1]
    assert "/tasks" in after_register and "/roster" not in after_register.split("> as 1")[0]
    assert "/roster" in text.split("> as 1", 1)[1]  # the admin's menu
    # The demo organisation has something to try: 王芳's task and the leader's reception day.
    assert "安全生产月度检查" in text.split("> /tasks")[2]
    assert "领导接待日" in text.split("> /reception")[1]

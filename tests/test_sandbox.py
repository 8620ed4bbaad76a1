"""`python -m bot sandbox --script FILE`: what a person trying Tongxin first sees, driven as they would type it."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.lessons import LESSON_MD

ROOT = Path(__file__).resolve().parents[1]


def sandbox(tmp_path: Path, *lines: str, fresh: bool = False) -> str:
    """Run the sandbox on a script in tmp_path's data folder; its terminal output."""
    script = tmp_path / "session.txt"
    script.write_text("\n".join([*lines, "quit"]) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env["TONGXIN_DATA_DIR"] = str(tmp_path / "data")
    env["TONGXIN_QUIET_START"] = env["TONGXIN_QUIET_END"] = "0"  # real time: no quiet hours, whenever it runs
    command = [sys.executable, "-m", "bot", "sandbox", "--script", str(script), *(["--fresh"] if fresh else [])]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    return out.stdout


def after(text: str, command: str, nth: int = 1) -> str:
    """The output after the nth time `command` was typed (up to the next command)."""
    return text.split(f"> {command}\n")[nth].split("\n> ")[0]


def test_sandbox_lets_a_person_register_and_see_their_menu(tmp_path):
    text = sandbox(tmp_path, "as 3", "/tasks", "/start {code}", "/help", "/tasks", "/reception", "as 1", "/help")
    assert "请发送管理员给您的邀请码" in text  # the stranger's /tasks
    assert "登记成功，王芳" in text
    after_register = text.split("登记成功，王芳", 1)[1]
    assert "/tasks" in after_register and "/roster" not in after_register.split("> as 1")[0]
    assert "/roster" in text.split("> as 1", 1)[1]  # the admin's menu
    assert "menu: 📋 任务 | 📚 微党课" in after_register  # the persistent menu keyboard
    # The demo organisation has something to try: 王芳's task and the leader's reception day.
    assert "安全生产月度检查" in text.split("> /tasks")[2]
    assert "领导接待日" in text.split("> /reception")[1]


def test_who_shows_roles_and_units_and_a_press_prints_the_edit(tmp_path):
    text = sandbox(tmp_path, "who", "as 2", "/start {code}", "/tasks", "press 2 1", "press 2 1", "press 3 2",
                   "who", fresh=True)
    first = after(text, "who")
    assert "2  张伟 · secretary · 生产部 / 第一支部 · not registered, code " in first
    assert "11  吴刚 · leader · 办公室 / 第二支部 · not registered" in first
    assert "1  管理员 (admin) · admin" in first
    # /tasks is one message; its filter button edits it in place, and the edit is shown as an edit.
    edited = after(text, "press 2 1")
    assert edited.startswith("--- #2 edited:") and "班组学习记录整理" in edited
    assert "buttons now: [1] 🔴 2026-N002 班组学习记录整理" in edited
    card = after(text, "press 2 1", 2)  # the edited message's new first button opens the task's card
    assert card.startswith("--- #3 ") and "主责部门：生产部" in card
    assert "(popup) 已催办 李强：任务 [2026-N002]。" in after(text, "press 3 2")  # a press that only answers
    assert "2  张伟 · secretary · 生产部 / 第一支部 · registered" in after(text, "who", 2)


def test_the_demo_data_survives_a_restart_unless_fresh_and_the_cli_runs_on_it(tmp_path):
    lesson = tmp_path / "lesson.md"
    lesson.write_text(LESSON_MD, encoding="utf-8")
    first = sandbox(tmp_path, "as 3", "/start {code}", f"cli lessons publish {lesson} --audience 支部:第一支部",
                    "cli tasks import /no/such/file.csv")
    published = after(first, f"cli lessons publish {lesson} --audience 支部:第一支部")
    assert "cli: exit 0" in published
    # The tick after the command: 王芳 has it at once.
    assert "📖 微党课｜学习党章：党员的义务\n建议阅读" in published
    assert "cli: exit 2" in after(first, "cli tasks import /no/such/file.csv")
    assert f"DATABASE_URL=sqlite+aiosqlite:///{tmp_path / 'data' / 'sandbox.db'}" in first

    again = sandbox(tmp_path, "who", "as 3", "/lessons", "show")
    assert "the demo data as you left it" in again
    assert "3  王芳 · employee · 生产部 / 第一支部 · registered" in after(again, "who")
    assert "学习党章：党员的义务" in after(again, "/lessons")  # the CLI's lesson, in her list
    assert after(again, "/lessons").startswith("--- #")  # numbering goes on from the last run
    assert "登记成功，王芳" in after(again, "show")  # and her chat is still there

    fresh = sandbox(tmp_path, "who", fresh=True)
    assert "3  王芳 · employee · 生产部 / 第一支部 · not registered, code " in after(fresh, "who")


def test_what_one_persona_does_reaches_the_next_before_they_look(tmp_path):
    """An invitation queued by the secretary's press is in 王芳's chat as soon as the script switches to her."""
    at = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)).strftime("%Y-%m-%d 15:00")
    text = sandbox(tmp_path, "as 3", "/start {code}", "as 2", "/start {code}", "/newmeeting", "press 3 3", at,
                   "三楼会议室", "学习党章", "press 7 1", "as 3", "press 2 1", fresh=True)
    assert "【党员大会通知】第一支部" in after(text, "as 3", 2)
    assert "(popup) 已确认参加" in after(text, "press 2 1")


def test_a_reply_to_a_task_card_records_progress_and_a_bad_reply_says_how(tmp_path):
    text = sandbox(tmp_path, "help", "as 3", "/start {code}", "/tasks", "press 2 1", "reply 3 已检查完两个车间",
                   "press 3 3", "reply 9 没有这条", "reply 3", fresh=True)
    assert "  reply M TEXT      reply to message M" in after(text, "help")
    card = after(text, "press 2 1")
    assert card.startswith("--- #3 ") and "安全生产月度检查" in card and "[1] 📝 进展" in card
    replied = after(text, "reply 3 已检查完两个车间")  # Telegram's reply to the card: a progress note
    assert replied.startswith("--- #4 ") and "已记录任务 [2026-N001] 的进展，状态：进行中。" in replied
    assert "王芳 · 进展：已检查完两个车间" in after(text, "press 3 3")  # in the task's notes
    assert after(text, "reply 9 没有这条").strip() == "usage: reply MESSAGE_NUMBER TEXT"
    assert after(text, "reply 3").strip() == "usage: reply MESSAGE_NUMBER TEXT"


def test_the_pictures_and_files_the_bot_sends_are_saved_where_a_person_can_open_them(tmp_path):
    photo = tmp_path / "evidence.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    text = sandbox(tmp_path, "as 2", "/start {code}", "/kpi", "/report", "as 3", "/start {code}", "/tasks",
                   "press 2 1", "press 3 2", f"photo {photo} 三个车间全部检查完毕", "as 2", fresh=True)
    files = tmp_path / "data" / "sandbox-files"
    kpi = after(text, "/kpi")
    assert f"[photo → {files / '2-2-photo.png'}]" in kpi and f"[photo → {files / '2-3-photo.png'}]" in kpi
    assert (files / "2-2-photo.png").read_bytes().startswith(b"\x89PNG")
    report = after(text, "/report")
    saved = next(files.glob("2-5-运行诊断报告-*.xlsx"))
    assert f"→ {saved}]" in report and saved.read_bytes().startswith(b"PK")  # an xlsx is a zip
    # 王芳's photo as evidence reaches her secretary, and the sandbox says where to look at it.
    secretary = after(text, "as 2", 2)
    assert "完成情况：三个车间全部检查完毕" in secretary
    evidence = next(files.glob("2-*-photo.png"), None)
    assert "[photo → " in secretary.split("完成情况：三个车间全部检查完毕")[1] and evidence is not None


def test_a_script_that_cannot_be_read_is_one_line_not_a_traceback(run_cli, tmp_path):
    code, out, err = run_cli("sandbox", "--script", str(tmp_path / "missing.txt"))
    assert code == 2 and err.strip() == f"error: cannot read the script {tmp_path / 'missing.txt'}"


def test_a_script_that_is_a_folder_is_one_line_not_a_traceback(run_cli, tmp_path):
    code, out, err = run_cli("sandbox", "--script", str(tmp_path))
    assert code == 2 and err.strip() == f"error: cannot read the script {tmp_path}"


def test_run_sh_finds_a_relative_script_and_reads_one_from_stdin(tmp_path):
    # run.sh makes a relative path absolute (the bot runs from the repository) but leaves /dev/stdin and
    # <(…) alone: resolving their links gives /proc/<realpath's pid>/fd/pipe:[…], which nobody can open.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "WEBHOOK_"))}
    env["TONGXIN_DATA_DIR"] = str(tmp_path / "data")
    (tmp_path / "my script.txt").write_text("quit\n", encoding="utf-8")
    for args, stdin in ((["--script", "my script.txt"], ""), (["--script=my script.txt"], ""),
                        (["--script", "/dev/stdin"], "quit\n")):
        out = subprocess.run(["bash", str(ROOT / "scripts" / "run.sh"), *args], cwd=tmp_path, env=env,
                             input=stdin, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, (args, out.stderr)


def test_a_script_that_is_not_utf8_is_one_line_not_a_traceback(run_cli, tmp_path):
    # Notepad on a Chinese Windows saved GBK for years: say so in one line rather than a UnicodeDecodeError.
    script = tmp_path / "gbk.txt"
    script.write_bytes("as 1\n/help\n".encode("utf-8") + "帮助\n".encode("gbk"))
    code, out, err = run_cli("sandbox", "--script", str(script))
    assert code == 2 and err.strip() == f"error: the script {script} is not UTF-8 text"

"""Configuration: every contract variable read, every bad value stopped with a line naming it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_and_generated_secret(tmp_path):
    cfg = load({"TONGXIN_DATA_DIR": str(tmp_path)})
    assert cfg.api_url == "https://api.telegram.org" and cfg.timezone == "Asia/Shanghai"
    assert cfg.tick_seconds == 30 and not cfg.webhook_mode and cfg.admins == frozenset()
    assert cfg.database_url == f"sqlite+aiosqlite:///{(tmp_path / 'tongxin.db').resolve()}"
    secret_file = tmp_path / "secret.key"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert load({"TONGXIN_DATA_DIR": str(tmp_path)}).secret == cfg.secret  # generated once, then kept


def test_all_variables_are_read(tmp_path):
    cfg = load({"TELEGRAM_BOT_TOKEN": "123:abcdefgh", "TELEGRAM_API_URL": "http://127.0.0.1:9/",
                "DATABASE_URL": "postgresql+asyncpg://u@h/db", "TONGXIN_DATA_DIR": str(tmp_path),
                "TONGXIN_SECRET": "s" * 20, "TONGXIN_ADMINS": "1, 2", "TONGXIN_TIMEZONE": "Europe/Berlin",
                "TONGXIN_TICK_SECONDS": "5", "WEBHOOK_URL": "https://bot.example/hook", "WEBHOOK_SECRET": "abc_1",
                "TONGXIN_HTTP_PORT": "8443"})
    assert cfg.api_url == "http://127.0.0.1:9" and cfg.admins == {1, 2} and cfg.secret == b"s" * 20
    assert cfg.webhook_mode and cfg.http_port == 8443 and cfg.tick_seconds == 5


@pytest.mark.parametrize("name,value", [
    ("TELEGRAM_BOT_TOKEN", "nonsense"),
    ("TELEGRAM_API_URL", "ftp://x"),
    ("DATABASE_URL", "mysql://x"),
    ("TONGXIN_ADMINS", "12,abc"),
    ("TONGXIN_TIMEZONE", "Mars/Olympus"),
    ("TONGXIN_TICK_SECONDS", "-1"),
    ("TONGXIN_HTTP_PORT", "70000"),
    ("TONGXIN_SECRET", "short"),
    ("WEBHOOK_SECRET", "has spaces"),
    ("WEBHOOK_URL", "not-a-url"),
])
def test_bad_values_name_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError) as err:
        load({"TONGXIN_DATA_DIR": str(tmp_path), name: value})
    assert str(err.value).startswith(name)


def test_run_without_token_exits_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TONGXIN_DATA_DIR": str(tmp_path), "TONGXIN_TIMEZONE": "Nowhere/Land"}
    out = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in out.stderr

#!/usr/bin/env bash
# Sets up and runs the bot: against Telegram with TELEGRAM_BOT_TOKEN set, else the offline sandbox.
source "$(dirname "$0")/venv.sh"
cd "$ROOT"
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
    exec "$VENV/bin/python" -m bot run
else
    exec "$VENV/bin/python" -m bot sandbox "$@"
fi

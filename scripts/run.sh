#!/usr/bin/env bash
# Sets up and runs the bot: against Telegram with TELEGRAM_BOT_TOKEN set, else the offline sandbox.
source "$(dirname "$0")/venv.sh"
# The bot runs from the repository; a script file named relative to where this was called from stays found.
# Only made absolute, not resolved: /dev/stdin or <(…) resolved is /proc/<pid>/fd/pipe:[…], which nobody opens.
absolute() { case "$1" in /*|"") printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --script) args+=("$1"); [ $# -gt 1 ] && { args+=("$(absolute "$2")"); shift; } ;;
        --script=*) args+=("--script=$(absolute "${1#--script=}")") ;;
        *) args+=("$1") ;;
    esac
    shift
done
set -- "${args[@]+"${args[@]}"}"
cd "$ROOT"
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
    exec "$VENV/bin/python" -m bot run
else
    exec "$VENV/bin/python" -m bot sandbox "$@"
fi

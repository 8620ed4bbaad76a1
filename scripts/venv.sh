# Sourced by run.sh and test.sh: makes .venv on first use and installs the project into it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
        # Debian splits venv out of the interpreter package.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            rm -rf "$VENV"; "$PY" -m venv "$VENV"
        else
            echo "error: '$PY -m venv' failed; install python3-venv" >&2; exit 1
        fi
    fi
fi
STAMP="$VENV/.installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]"
    touch "$STAMP"
fi
# The charts of /kpi and the report name indicators and units in Chinese when a CJK font is installed
# (without one they fall back to English names and unit numbers): install one where we may.
if ! fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk|source han sans" \
        && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing a CJK font for the charts (apt: fonts-wqy-microhei)"
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }) \
        || echo "warning: no CJK font installed; charts will use English names" >&2
fi

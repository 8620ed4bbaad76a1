#!/usr/bin/env bash
# Sets up and runs the whole test suite, PostgreSQL tests included (the server binaries come from apt).
source "$(dirname "$0")/venv.sh"
cd "$ROOT"
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing the PostgreSQL server binaries (apt)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "error: initdb not found; install the postgresql package (sudo apt-get install postgresql)" >&2
        exit 1
    fi
fi
# Two workers (pytest-xdist): the suite is half waiting on processes, sockets and PostgreSQL, and each worker
# starts its own PostgreSQL cluster on a free port. TONGXIN_TEST_WORKERS=0 runs it in one process.
exec "$VENV/bin/python" -m pytest -n "${TONGXIN_TEST_WORKERS:-2}" "$@"

#!/usr/bin/env bash
# Install what the tests need and run them. Usage: scripts/test.sh [pytest args...]
# Tests use NOCODEDB_TEST_DATABASE_URL when set, otherwise an embedded PostgreSQL started for the run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then
  # The browser tests drive Debian's Chromium (Playwright's own download needs the internet).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is needed for the browser tests: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

python -m pip install -q -e '.[dev]'
exec python -m pytest "$@"

#!/usr/bin/env bash
# schemathesis against a live development server (`make schemathesis`):
# every operation, every check, the rules no schema states taught by
# tests/schemathesis_hooks.py. The server is `manage.py rundev` on a
# throwaway embedded database with its demo data, stopped at the end.
# EXAMPLES (default 50) per operation; other arguments go to `st run`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SPEECHAI_DEV_DIR="$work" .venv/bin/python manage.py rundev "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 120); do
  [ -f "$work/dev-credentials.txt" ] && curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
token=$(sed -n 's/^API token: //p' "$work/dev-credentials.txt")
SCHEMATHESIS_HOOKS=tests/schemathesis_hooks.py .venv/bin/st run "http://127.0.0.1:$port/api/schema" \
  --checks all -H "Authorization: Bearer $token" --max-examples "${EXAMPLES:-50}" "$@"

#!/usr/bin/env bash
# Start the operations UI: a local Prefect server on 127.0.0.1, the `loan-comms-local` process work
# pool, every deployment of prefect.yaml, and a worker. Idempotent: what already runs is kept.
# State under data/prefect-ui/ (server database, logs, pid files). Stop it all: scripts/ui-stop.sh.
#   LOAN_COMMS_UI_PORT   port of the server (default 4200)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BIN="$ROOT/.venv/bin"
PORT="${LOAN_COMMS_UI_PORT:-4200}"
UI_HOME="$ROOT/data/prefect-ui"
POOL="loan-comms-local"
mkdir -p "$UI_HOME"

export PREFECT_HOME="$UI_HOME"
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_UI_API_URL="$PREFECT_API_URL"
export PREFECT_SERVER_API_HOST=127.0.0.1
export PREFECT_SERVER_API_PORT="$PORT"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export DO_NOT_TRACK=1
export PREFECT_CLI_PROMPT=false

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
healthy() { "$BIN/python" - "$PREFECT_API_URL" <<'PY'
import sys, httpx
try:
    sys.exit(0 if httpx.get(sys.argv[1] + "/health", timeout=2).status_code == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

if alive "$UI_HOME/server.pid"; then
  echo "Prefect server already running (pid $(cat "$UI_HOME/server.pid"))"
else
  if healthy; then
    echo "port $PORT already serves a Prefect API that this script did not start; stop it or set LOAN_COMMS_UI_PORT" >&2
    exit 1
  fi
  echo "starting Prefect server on 127.0.0.1:$PORT (log: data/prefect-ui/server.log)"
  # setsid: the server gets its own process group, so ui-stop can stop it and its children.
  setsid "$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$UI_HOME/server.log" 2>&1 < /dev/null &
  echo $! >"$UI_HOME/server.pid"
fi

for _ in $(seq 1 120); do
  healthy && break
  alive "$UI_HOME/server.pid" || { echo "the Prefect server exited; last lines of data/prefect-ui/server.log:" >&2; tail -20 "$UI_HOME/server.log" >&2; exit 1; }
  sleep 1
done
healthy || { echo "the Prefect server did not answer within 120 s; see data/prefect-ui/server.log" >&2; exit 1; }

echo "work pool $POOL"
"$BIN/prefect" work-pool inspect "$POOL" >/dev/null 2>&1 || "$BIN/prefect" work-pool create "$POOL" --type process >/dev/null
echo "global concurrency limit loan-comms-db (one run writes the database at a time)"
"$BIN/prefect" gcl inspect loan-comms-db >/dev/null 2>&1 || "$BIN/prefect" gcl create loan-comms-db --limit 1 >/dev/null
echo "deployments from prefect.yaml"
"$BIN/python" scripts/prefect_cli.py --no-prompt deploy --all >"$UI_HOME/deploy.log" 2>&1 || { cat "$UI_HOME/deploy.log" >&2; exit 1; }
"$BIN/python" scripts/prefect_cli.py deployment ls || true

if alive "$UI_HOME/worker.pid"; then
  echo "worker already running (pid $(cat "$UI_HOME/worker.pid"))"
else
  setsid "$BIN/prefect" worker start --pool "$POOL" --name loan-comms-worker >"$UI_HOME/worker.log" 2>&1 < /dev/null &
  echo $! >"$UI_HOME/worker.pid"
  echo "worker started (log: data/prefect-ui/worker.log)"
fi

echo
echo "Prefect UI: http://127.0.0.1:$PORT"
echo "CLI against it: export PREFECT_API_URL=$PREFECT_API_URL"
echo "Stop everything: make ui-stop"

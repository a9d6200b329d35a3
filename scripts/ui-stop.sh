#!/usr/bin/env bash
# Stop what scripts/ui-start.sh started: the worker first (so no new run starts), then the server.
# Only the process groups recorded in data/prefect-ui/*.pid are signalled.
set -uo pipefail
cd "$(dirname "$0")/.."
UI_HOME="data/prefect-ui"

stop() {  # stop <name> <pidfile>
  local name="$1" file="$2" pid
  [ -f "$file" ] || { echo "$name: not running (no $file)"; return 0; }
  pid="$(cat "$file")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name: not running (stale pid $pid)"; rm -f "$file"; return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
  echo "$name: stopped (pid $pid)"
}

stop worker "$UI_HOME/worker.pid"
stop server "$UI_HOME/server.pid"

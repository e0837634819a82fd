#!/usr/bin/env bash
# Start-to-healthy times and peak memory of the embedded default (no DATABASE_URL).
#   cold: empty DATA_DIR (initdb + first migrations); warm: restart on the same DATA_DIR.
# Each is measured twice: `npm start` (includes the TypeScript build, as a user runs it) and
# `node dist/src/main.js` (the server alone). Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PORT=${PORT:-3190}
unset DATABASE_URL
npm run build --silent >/dev/null

now_ms() { date +%s%3N; }

# measure LABEL DATA_DIR CMD... : prints "LABEL ms node_peak_rss_mb postgres_rss_mb"
measure() {
  local label=$1 dir=$2; shift 2
  local t0; t0=$(now_ms)
  DATA_DIR=$dir PORT=$PORT LOG_LEVEL=warn setsid "$@" >"$dir.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
    kill -0 "$pid" 2>/dev/null || { echo "server died:"; tail -20 "$dir.log"; exit 1; }
    sleep 0.05
  done
  local t1; t1=$(now_ms)
  local node_pid='' p
  for p in $(pgrep -s "$pid" -x node); do grep -q 'dist/src/main.js' "/proc/$p/cmdline" && node_pid=$p; done
  local node_hwm; node_hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$node_pid/status")
  local pg_pid; pg_pid=$(head -1 "$dir/postgres/postmaster.pid")
  local pg_rss; pg_rss=$(ps -o rss= --pid "$pg_pid" --ppid "$pg_pid" | awk '{s+=$1} END {printf "%.0f", s/1024}')
  kill -TERM -- -"$pid" 2>/dev/null || kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  printf '%-28s %6d ms   node peak RSS %4d MB   postgres RSS %4d MB\n' "$label" $((t1 - t0)) "$node_hwm" "$pg_rss"
}

echo "Attest start-up, embedded PostgreSQL, $(nproc) cores, node $(node -v), $RUNS runs"
for i in $(seq 1 "$RUNS"); do
  dir=$(mktemp -d /tmp/attest-bench.XXXXXX)
  measure "npm start, cold (run $i)" "$dir" npm start --silent
  measure "npm start, warm (run $i)" "$dir" npm start --silent
  rm -rf "$dir" "$dir.log"
  dir=$(mktemp -d /tmp/attest-bench.XXXXXX)
  measure "node main.js, cold (run $i)" "$dir" node dist/src/main.js
  measure "node main.js, warm (run $i)" "$dir" node dist/src/main.js
  rm -rf "$dir" "$dir.log"
done

#!/usr/bin/env bash
# Start-to-healthy times and peak memory of the embedded default (no DATABASE_URL).
#   cold: empty DATA_DIR (initdb + first migrations); warm: restart on the same DATA_DIR.
# Each is measured twice: `npm start` (includes the check that dist/ is current, as a user runs it) and
# `node dist/src/main.js` (the server alone). The floor is a restart of the embedded PostgreSQL alone on the
# same data directory; the last line is the warm `npm start` against it. Each start also prints the CPU time
# its processes had used when /health first answered (npm, its shells and Node, with the children they
# have already waited for), which moves far less than wall time when other work shares the cores.
# Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PORT=${PORT:-3190}
unset DATABASE_URL
npm run build --silent >/dev/null

now_ms() { date +%s%3N; }

# session_cpu_ms SID: the CPU ms (user + system, with waited-for children) of the session's processes.
session_cpu_ms() {
  local tk p total=0; tk=$(getconf CLK_TCK)
  for p in $(pgrep -s "$1"); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo $((total * 1000 / tk))
}

# measure LABEL DATA_DIR CMD... : prints "LABEL ms cpu_ms node_peak_rss_mb postgres_rss_mb"
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
  local cpu; cpu=$(session_cpu_ms "$pid")
  local node_pid='' p
  for p in $(pgrep -s "$pid" -x node); do grep -q 'dist/src/main.js' "/proc/$p/cmdline" && node_pid=$p; done
  [ -n "$node_pid" ] || { echo "no server process in session $pid"; exit 1; }
  local node_hwm; node_hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$node_pid/status")
  local pg_pid; pg_pid=$(head -1 "$dir/postgres/postmaster.pid")
  local pg_rss; pg_rss=$(ps -o rss= --pid "$pg_pid" --ppid "$pg_pid" | awk '{s+=$1} END {printf "%.0f", s/1024}')
  kill -TERM -- -"$pid" 2>/dev/null || kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  # npm exits on the signal before the server has stopped its database: wait for the whole session (and the
  # postmaster, which runs as another user) to be gone, or the next run's health check reaches this server.
  while pgrep -s "$pid" >/dev/null || kill -0 "$pg_pid" 2>/dev/null; do sleep 0.05; done
  last_ms=$((t1 - t0)) last_cpu=$cpu
  printf '%-28s %6d ms  CPU %5d ms   node peak RSS %4d MB   postgres RSS %4d MB\n' "$label" "$last_ms" "$cpu" "$node_hwm" \
    "$pg_rss"
}

# floor DATA_DIR: prints the ms the embedded PostgreSQL alone takes to start on DATA_DIR (already initialised).
floor_ms() {
  DATA_DIR=$1 node -e "
    const { EmbeddedCluster } = require('./dist/src/postgres/embedded-cluster');
    const c = new EmbeddedCluster({ dataDir: process.env.DATA_DIR });
    const t = process.hrtime.bigint();
    c.start().then(() => { const ms = Number(process.hrtime.bigint() - t) / 1e6; return c.stop().then(() => console.log(Math.round(ms))); });
  "
}

echo "Attest start-up, embedded PostgreSQL, $(nproc) cores, node $(node -v), $RUNS runs"
warm=() warm_cpu=() floors=()
for i in $(seq 1 "$RUNS"); do
  dir=$(mktemp -d /tmp/attest-bench.XXXXXX)
  measure "npm start, cold (run $i)" "$dir" npm start --silent
  measure "npm start, warm (run $i)" "$dir" npm start --silent
  warm+=("$last_ms") warm_cpu+=("$last_cpu")
  floors+=("$(floor_ms "$dir")")
  printf '%-28s %6d ms\n' "PostgreSQL restart (run $i)" "${floors[-1]}"
  rm -rf "$dir" "$dir.log"
  dir=$(mktemp -d /tmp/attest-bench.XXXXXX)
  measure "node main.js, cold (run $i)" "$dir" node dist/src/main.js
  measure "node main.js, warm (run $i)" "$dir" node dist/src/main.js
  rm -rf "$dir" "$dir.log"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
w=$(median "${warm[@]}")
c=$(median "${warm_cpu[@]}")
f=$(median "${floors[@]}")
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v w="$w" -v c="$c" -v f="$f" 'BEGIN { printf "npm start, warm: %d ms to healthy (median; CPU %d ms), %.1fx its floor (embedded PostgreSQL restart %d ms)\n", w, c, w / f, f }'

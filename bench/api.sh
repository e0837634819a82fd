#!/usr/bin/env bash
# The request path under load (issue 15): the built server (`node dist/src/main.js`, demo data) on a fresh
# embedded PostgreSQL under a temporary DATA_DIR, plus a realistic volume seeded in SQL by
# bench/api-bench.js (500 controls, 20,000 evidence items, 5,000 risks, four weeks of sweeps, ~1,700 open
# tasks), against a bare NestJS + Fastify + pg app on the same database serving the same rows
# (bench/api-bare.js: no auth, no TypeORM). autocannon, CONNECTIONS (50) connections, DURATION (10) s per
# route, as the demo compliance manager (session cookie). ROUTES=/api/me,/api/risks,write runs only the routes
# whose path starts with one of those (and the write when "write" is named). Prints req/s, p50, p99 (ms) per route and the ratio
# to the bare route, and each server's CPU time per request (µs; /proc, moves less with the machine's load than
# req/s); asserts nothing. PROFILE=dir also writes the server's --cpu-prof profile into dir.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3192}
unset DATABASE_URL
npm run build --silent >/dev/null

work=$(mktemp -d /tmp/attest-bench-api.XXXXXX)
chmod 755 "$work" # as root, PostgreSQL runs as the postgres user and must enter DATA_DIR
server=''
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

prof=()
if [ -n "${PROFILE:-}" ]; then mkdir -p "$PROFILE" && prof=(--cpu-prof --cpu-prof-dir="$PROFILE"); fi
DATA_DIR="$work/data" PORT=$PORT DEMO=1 LOG_LEVEL=warn JOBS_ENABLED=false \
  node "${prof[@]}" dist/src/main.js >"$work/server.log" 2>&1 &
server=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
  kill -0 "$server" 2>/dev/null || { echo "server died:"; tail -20 "$work/server.log"; exit 1; }
  sleep 0.1
done

echo "Attest API bench: $(nproc) cores, node $(node -v), embedded PostgreSQL, $(date -u +%FT%TZ); latencies in ms"
SERVER_PID=$server BASE_URL="http://127.0.0.1:$PORT" DATA_DIR="$work/data" node bench/api-bench.js

#!/usr/bin/env bash
# Evidence upload and download throughput (MB/s) and the server's peak memory for one large evidence
# file (SIZE_MB, default 200), against raw `sha256sum` of the same file. Runs the built server on a
# fresh embedded PostgreSQL (durable, as `npm start` runs it) under a temporary DATA_DIR; the client is
# bench/evidence-bench.js (streams the file up as multipart, streams the download to disk, checks the hash).
# Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-200}
PORT=${PORT:-3191}
unset DATABASE_URL
npm run build --silent >/dev/null

work=$(mktemp -d /tmp/attest-bench-evidence.XXXXXX)
chmod 755 "$work" # as root, PostgreSQL runs as the postgres user and must enter DATA_DIR
server=''
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

file="$work/evidence.pdf"
{ printf '%%PDF-1.7\n'; head -c $((SIZE_MB * 1024 * 1024 - 9)) /dev/urandom; } >"$file"
sha256sum "$file" >/dev/null # warm the page cache, as the upload will find it
t0=$(date +%s%N)
sha256sum "$file" >/dev/null
t1=$(date +%s%N)

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$server/status"; }
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$server/status"; }

DATA_DIR="$work/data" PORT=$PORT DEMO=1 LOG_LEVEL=debug JOBS_ENABLED=false UPLOAD_LIMIT_BYTES=$(((SIZE_MB + 16) * 1024 * 1024)) \
  node dist/src/main.js >"$work/server.log" 2>&1 &
server=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
  kill -0 "$server" 2>/dev/null || { echo "server died:"; tail -20 "$work/server.log"; exit 1; }
  sleep 0.1
done
ready_hwm=$(hwm)

echo "Attest evidence bench: one ${SIZE_MB} MB file, $(nproc) cores, node $(node -v), embedded PostgreSQL (fsync on)"
awk -v mb="$SIZE_MB" -v ns=$((t1 - t0)) 'BEGIN { printf "%-34s %8.0f MB/s   (%.2f s)\n", "sha256sum (raw, page cache)", mb / (ns / 1e9), ns / 1e9 }'
postgres_pid=$(head -1 "$work/data/postgres/postmaster.pid" 2>/dev/null || true)
BASE_URL="http://127.0.0.1:$PORT" FILE="$file" SERVER_PID=$server POSTGRES_PID=$postgres_pid UPLOAD_MS_FILE="$work/upload.ms" node bench/evidence-bench.js
printf '%-34s %8d MB   (after start-up %d MB, now %d MB)\n' "server peak RSS (VmHWM)" "$(hwm)" "$ready_hwm" "$(rss)"
# The server's own split of the upload (debug log of EvidenceService.upload).
grep -o 'received and staged in [0-9]* ms, stored in [0-9]* ms' "$work/server.log" | head -1 | sed 's/^/  upload on the server: /' || true
# Last line: the upload against its floor, sha256sum of the same file.
awk -v up="$(cat "$work/upload.ms")" -v ns=$((t1 - t0)) -v mb="$SIZE_MB" \
  'BEGIN { printf "upload of %d MB: %.2f s, %.1fx its floor (sha256sum of the file, %.2f s)\n", mb, up / 1000, up / (ns / 1e6), ns / 1e9 }'

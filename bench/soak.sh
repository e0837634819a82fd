#!/usr/bin/env bash
# Load with faults (issue 20): SOAK_MINUTES (default 3) of mixed load at SOAK_RATE requests a second (10),
# round robin over two built servers in production mode on one embedded PostgreSQL — reads of the hot API
# routes (retried once on the other instance when they fail) and acknowledged writes (small evidence
# uploads, sweep task completions, risk edits). At 30 % of the run PostgreSQL is stopped for SOAK_PG_DOWN
# seconds (5) and started again; at 60 % instance B is killed with SIGKILL and started again. Prints the
# fault timeline, requests, errors by class (5xx, 503 with Retry-After, connection errors, time-outs, 4xx),
# p50/p99 latency, and the invariants: lost acknowledged writes (must be 0) and `attest trail verify`.
# Asserts nothing else: exits 1 only when an acknowledged write is lost or the trail does not verify.
# SOAK_LOG=<dir> keeps both servers' logs. The client half is bench/soak-bench.js.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL
npm run build --silent >/dev/null
TZ=UTC exec node bench/soak-bench.js

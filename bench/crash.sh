#!/usr/bin/env bash
# The crash-point suite (test/e2e/crash-points.e2e-spec.ts) run long: CRASH_ROUNDS SIGKILLs of the server
# under a mixed workload (default 30; `npm test` runs 5), from CRASH_SEED (default: a new one each time,
# printed first, so a failing run can be replayed with CRASH_SEED=<seed> CRASH_ROUNDS=<rounds> bench/crash.sh).
# CRASH_MIN_MS/CRASH_MAX_MS move the window in which each kill lands; CRASH_LOG=<file> keeps the last
# server's log. Jest builds dist/ first (the test runs the built server). Exits non-zero when an invariant breaks.
set -euo pipefail
cd "$(dirname "$0")/.."
export CRASH_ROUNDS=${CRASH_ROUNDS:-30}
export CRASH_SEED=${CRASH_SEED:-$RANDOM$RANDOM}
echo "crash points: CRASH_SEED=$CRASH_SEED CRASH_ROUNDS=$CRASH_ROUNDS"
# The test's timeout grows with CRASH_ROUNDS (see the spec).
TZ=UTC exec npx jest test/e2e/crash-points

#!/usr/bin/env bash
# The OpenAPI fuzz walk (test/e2e/openapi-fuzz.e2e-spec.ts) run long: FUZZ_RUNS hostile inputs per operation
# (default 500; `npm test` runs 12), from FUZZ_SEED (default: a new one each time, printed first, so a
# failure can be replayed with FUZZ_SEED=<seed> FUZZ_RUNS=<runs> bench/fuzz.sh). FUZZ_SHRINK=1 shrinks a
# failing input to a smaller one (slower). Exits non-zero when any operation breaks an invariant.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_RUNS=${FUZZ_RUNS:-500}
export FUZZ_SEED=${FUZZ_SEED:-$RANDOM$RANDOM}
echo "fuzz: FUZZ_SEED=$FUZZ_SEED FUZZ_RUNS=$FUZZ_RUNS"
# The walk's test timeout grows with FUZZ_RUNS (see the spec).
TZ=UTC exec npx jest test/e2e/openapi-fuzz

#!/usr/bin/env bash
# Weekly sweep at scale: time to open a sweep for 5,000 controls and 500 owners (CONTROLS, OWNERS change
# the sizes), on a throwaway embedded PostgreSQL; then evidence upload/download throughput for a 200 MB
# file (bench/evidence.sh). Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
node bench/sweep-bench.js
if [ -x bench/evidence.sh ]; then bench/evidence.sh; fi

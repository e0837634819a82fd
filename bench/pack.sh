#!/usr/bin/env bash
# Audit pack at scale: 1,000 controls and 20,000 evidence items, 2 GB of evidence bytes (CONTROLS, ITEMS,
# TOTAL_MB change the sizes; BENCH_DIR picks where the ~4 GB of files go, default the temp folder), with
# BLOB_STORE=filesystem, on a throwaway embedded PostgreSQL (or DATABASE_URL). Prints the wall time and
# peak RSS of `attest pack build` and `attest pack verify`, next to `sha256sum` over the same bytes.
# Prints figures; asserts nothing. Needs /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
node bench/pack-bench.js

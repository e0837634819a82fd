#!/usr/bin/env bash
# Audit-trail throughput: append (8 concurrent writers) and verify, for 100,000 entries.
# Against DATABASE_URL (a scratch database there, dropped afterwards), else a throwaway embedded cluster;
# DURABLE=1 uses an embedded cluster with fsync on. ENTRIES and WRITERS change the sizes.
# Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
exec node bench/trail-bench.js

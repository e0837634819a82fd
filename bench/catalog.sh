#!/usr/bin/env bash
# Catalog sync at scale: CONTROLS controls (default 5,000) mapped to a 100-requirement framework, synced into
# a fresh database (every item created), again (nothing changed) and after a tenth of the titles changed,
# on a throwaway embedded PostgreSQL (or DATABASE_URL's server), each with its wall time and the CPU time of
# the process and of PostgreSQL. The last line is each case against its floor, one set-based statement:
# inserting the same controls, reading their keys and hashes, updating the changed titles
# (bench/catalog-bench.js). Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
node bench/catalog-bench.js

#!/usr/bin/env bash
# DSR at scale: the demo patient platform with PEOPLE patients (default 1,000,000) and about 5.5 million
# related rows, built set-based on a throwaway embedded PostgreSQL (or DATABASE_URL's server); then one
# subject's export, erasure and residue check through PostgresConnector, and a full `attest dsr drill --json`
# when the CLI has it (bench/dsr-bench.js). A few minutes on 2 cores. Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
node bench/dsr-bench.js

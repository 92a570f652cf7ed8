#!/usr/bin/env bash
# Runs every benchmark and prints its table: event appends and command latency (SQLite, Postgres),
# projection rebuild from 1,000,000 events, subscription fan-out, and the engine.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/weft-target}"
eval "$(bash ops/ci/services.sh)"
echo "## Event store"
cargo bench -q -p weft-commands --bench append 2>/dev/null
echo
echo "## Projections"
cargo bench -q -p weft-projections --bench rebuild 2>/dev/null
echo
echo "## Subscription fan-out"
bash ops/bench/fanout.sh
echo
echo "## Engine"
cargo bench -q -p weft-executor --bench engine 2>/dev/null

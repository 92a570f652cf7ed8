#!/usr/bin/env bash
# Subscription fan-out: 1,000 graphql-ws clients on one workflow of a running `weft serve`;
# prints p50/p99 latency from a mutation's response to the last client receiving its event.
# Arguments pass through (clients=N mutations=N); WEFT_DATABASE_URL picks the server's database.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/weft-target}"
cargo bench -q -p weft-api-graphql --bench fanout -- "$@" 2>/dev/null

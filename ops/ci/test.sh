#!/usr/bin/env bash
# The whole test suite: starts the services, checks formatting and lints, runs every test.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/weft-target}"
started=$SECONDS
summary() {
  local status=$?
  if [ "$status" -eq 0 ]; then
    echo "== summary: all checks passed (fmt, clippy, Rust tests, UI lint/typecheck/unit/build, e2e) in $((SECONDS - started)) s"
  else
    echo "== summary: FAILED with exit code $status after $((SECONDS - started)) s (see the last == step above)"
  fi
}
trap summary EXIT

eval "$(bash ops/ci/services.sh)"

echo "== ui: install, lint, typecheck, unit tests, build"
(
  cd ui
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent lint
  npm run --silent typecheck
  npm test --silent
  npm run --silent build
)
echo "== rustfmt"
cargo fmt --all --check
echo "== clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast --failure-output final
else
  cargo test --workspace --no-fail-fast
fi
echo "== ui: end-to-end (weft serve + headless Chromium)"
cargo build --quiet -p weft-api-graphql --bin weft
(cd ui && WEFT_BIN="$CARGO_TARGET_DIR/debug/weft" npm run --silent e2e)

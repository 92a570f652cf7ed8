# Weft: the two commands of the README, plus helpers.
export CARGO_TARGET_DIR ?= /var/cache/weft-target

.PHONY: run test build ui lint bench

## Build everything (server and editor UI) and start Weft on the embedded default (SQLite in
## ./weft-data), serving the editor at http://127.0.0.1:8080.
run: build ui
	WEFT_UI_DIR=ui/dist $(CARGO_TARGET_DIR)/release/weft serve

build:
	cargo build --release -p weft-api-graphql

## The editor UI (ui/dist); npm ci runs only when package-lock.json changed.
ui: ui/node_modules/.package-lock.json
	cd ui && npm run --silent build

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error

## Install what the tests need (Postgres, …), then run every check and test.
test:
	bash ops/ci/test.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cd ui && npm run --silent lint && npm run --silent typecheck

## Benchmarks (figures printed as tables).
bench:
	bash ops/bench/run.sh

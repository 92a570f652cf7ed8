# Weft: the two commands of the README, plus helpers.
export CARGO_TARGET_DIR ?= /var/cache/weft-target

.PHONY: run test build lint bench

## Build everything and start Weft on the embedded default (SQLite in ./weft-data).
run: build
	$(CARGO_TARGET_DIR)/release/weft serve

build:
	cargo build --release -p weft-api-graphql

## Install what the tests need (Postgres, …), then run every check and test.
test:
	bash ops/ci/test.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

## Benchmarks (figures printed as tables).
bench:
	bash ops/bench/run.sh

# The two commands of the README: `make run` (the app on SQLite, no configuration) and
# `make test` (every test). Both install what is missing first (scripts/install-tools.sh).
.PHONY: setup build run dev test test-rust test-e2e wasm-size bench

# wasm-opt comes from npm (tools/); cargo-leptos finds it on PATH.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(PATH)

setup:
	./scripts/install-tools.sh

build: setup
	@echo "[make] building the release app (about 8 minutes the first time, seconds after)"
	cargo leptos build --release

run: build
	./target/release/gatehouse

dev: setup
	cargo leptos watch

test-rust:
	cargo test -p app --features ssr
	cargo test -p gatehouse

test-e2e:
	RUST_LOG=warn cargo leptos end-to-end --release

# The release WASM against its size budget (the end-to-end run builds it).
wasm-size:
	./scripts/wasm-size.sh

test: setup test-rust test-e2e wasm-size

bench: setup
	bench/run.sh

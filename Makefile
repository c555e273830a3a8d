# The two commands of the README: `make run` (the app on SQLite, no configuration) and
# `make test` (every test). Both install what is missing first (scripts/install-tools.sh).
.PHONY: setup build run dev test check test-rust test-e2e test-clients wasm-size screenshots bench

# wasm-opt comes from npm (tools/); cargo-leptos finds it on PATH.
export PATH := $(CURDIR)/tools/node_modules/.bin:$(PATH)

# The release build splits the signed-in pages into WASM chunks of their own (app/src/pages/mod.rs),
# so what every visitor downloads stays within its budget. Plain `cargo leptos build --release`
# builds the same app in one WASM.
SPLIT := --split --lib-features split

setup:
	./scripts/install-tools.sh

build: setup
	@echo "[make] building the release app (about 6 minutes the first time, a minute or two after a change)"
	cargo leptos build --release $(SPLIT)

run: build
	./target/release/gatehouse

dev: setup
	cargo leptos watch

# Formatting and lints, for the server (ssr) and the browser (hydrate) builds alike.
check:
	cargo fmt --all --check
	cargo clippy -p gatehouse -p ceiling -p resource-server --all-targets -- -D warnings
	cargo clippy -p app --all-targets --features ssr -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

test-rust:
	cargo test -p app --features ssr
	cargo test -p resource-server
	cargo test -p gatehouse

# The end-to-end suite gets a database of its own under target/ (fresh each run), and the key that
# its helpers sign test tokens with. Every test comes from 127.0.0.1, so the per-address sign-in
# limit is set far above what the suite sends. Access tokens live 5 s, so every test runs through
# silent refreshes; with no grace window, a refresh token presented twice (two tabs refreshing
# at once) would end the session, so the suite also proves one refresh at a time.
E2E_DB := target/e2e/gatehouse.db
# The suite's own SMTP sink (end2end/global-setup.ts starts it) and the Maildir the tests read.
E2E_ENV := DATABASE_URL='sqlite://$(E2E_DB)?mode=rwc' \
	SMTP_URL=smtp://127.0.0.1:2525 E2E_MAILDIR=$(CURDIR)/target/e2e/maildir \
	JWT_SECRET=end-to-end-tests-secret-of-at-least-32-bytes \
	JWT_TTL_SECONDS=5 REFRESH_REUSE_GRACE_SECONDS=0 \
	AUTH_RATE_PER_MINUTE=100000 RUST_LOG=warn

test-e2e:
	rm -rf target/e2e && mkdir -p target/e2e
	$(E2E_ENV) cargo leptos end-to-end --release $(SPLIT)

# Rewrites docs/screenshots/ from the running app (the suite otherwise writes to target/).
screenshots:
	rm -rf target/e2e && mkdir -p target/e2e
	$(E2E_ENV) UPDATE_SCREENSHOTS=1 cargo leptos end-to-end --release $(SPLIT)

# The release WASM against its size budget (the end-to-end run builds it).
wasm-size:
	./scripts/wasm-size.sh

# The Postman collection (newman) and schemathesis against a fresh release server: the binary
# that the end-to-end run builds.
test-clients:
	./scripts/test-api-clients.sh

test: setup check test-rust test-e2e wasm-size test-clients

bench: setup
	bench/run.sh

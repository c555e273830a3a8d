#!/usr/bin/env bash
# Reports the size of the release WASM (raw and gzip -9) and fails when the gzip size is over the
# budget of 200 KB (200,000 bytes) that the README gives. Run after `cargo leptos build --release`; `make test`
# runs it after the end-to-end tests, which build the release app.
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=${WASM_GZIP_BUDGET:-200000}
wasm=target/site/pkg/gatehouse.wasm
if [ ! -f "$wasm" ]; then
  echo "wasm-size: $wasm is missing; run cargo leptos build --release first" >&2
  exit 1
fi
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "wasm-size: $wasm is $raw bytes raw, $gz bytes gzip -9 (budget $BUDGET)"
if [ "$gz" -gt "$BUDGET" ]; then
  echo "wasm-size: over budget by $((gz - BUDGET)) bytes; twiggy (README, 'The web app') shows where they are" >&2
  exit 1
fi

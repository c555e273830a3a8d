#!/usr/bin/env bash
# Reports the size of the release WASM (raw and gzip -9) and fails when the gzip size of what every
# visitor downloads (the main module) is over the budget of 200 KB (200,000 bytes) that the README
# gives. The chunks that only the signed-in pages fetch (`make build` splits them out) are listed
# with their total. Run after `make build`; `make test` runs it after the end-to-end tests, which
# build the release app.
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=${WASM_GZIP_BUDGET:-200000}
pkg=target/site/pkg
wasm=$pkg/gatehouse.wasm
if [ ! -f "$wasm" ]; then
  echo "wasm-size: $wasm is missing; run make build first" >&2
  exit 1
fi
gzipped() { gzip -9 -c "$1" | wc -c; }
raw=$(stat -c %s "$wasm")
gz=$(gzipped "$wasm")
echo "wasm-size: $wasm is $raw bytes raw, $gz bytes gzip -9 (budget $BUDGET)"
total=$gz
for chunk in "$pkg"/*.wasm; do
  [ "$chunk" = "$wasm" ] && continue
  size=$(gzipped "$chunk")
  total=$((total + size))
  echo "wasm-size:   chunk $(basename "$chunk"): $size bytes gzip -9, fetched by the page that needs it"
done
echo "wasm-size: all modules together: $total bytes gzip -9"
if [ "$gz" -gt "$BUDGET" ]; then
  echo "wasm-size: over budget by $((gz - BUDGET)) bytes; twiggy (README, 'The web app') shows where they are" >&2
  exit 1
fi

#!/usr/bin/env bash
# The API as its clients see it (docs/api.md, "The API described"): the Postman collection in docs/postman/, run by
# newman, and schemathesis fuzzing every operation of /api/openapi.json, both against one fresh
# release server (target/release/gatehouse, which `make test-e2e` builds) on an empty SQLite
# database, with a real SMTP sink for its mail. Fails on any failed Postman test, any
# schemathesis finding (a 5xx, a response the document does not describe), or a panic in the
# server's log.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${API_CLIENTS_PORT:-3100}
SMTP_PORT=${API_CLIENTS_SMTP_PORT:-2600}
DIR=target/api-clients
BASE_URL="http://127.0.0.1:$PORT"
export PATH="$PWD/tools/node_modules/.bin:$PATH"

log() { printf '[api-clients] %s\n' "$*"; }

[ -x target/release/gatehouse ] || { log "no target/release/gatehouse: run make test-e2e (or make build) first"; exit 1; }
rm -rf "$DIR" && mkdir -p "$DIR"

# Debian's own Python, where python3-aiosmtpd is installed (pyenv's `python3` does not see it).
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$DIR/maildir" >"$DIR/smtp.log" 2>&1 &
sink=$!
# The per-address sign-in limit is off: every request comes from 127.0.0.1, and the fuzzing
# signs in far more than 60 times a minute. The per-account login lock stays on.
DATABASE_URL="sqlite://$DIR/gatehouse.db?mode=rwc" \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" GATEHOUSE_PUBLIC_URL="$BASE_URL" \
  SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" AUTH_RATE_PER_MINUTE=0 RUST_LOG=warn \
  target/release/gatehouse >"$DIR/server.log" 2>&1 &
server=$!
trap 'kill "$server" "$sink" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -fsS "$BASE_URL/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$DIR/server.log"; log "the server stopped"; exit 1; }
  sleep 0.5
done
curl -fsS "$BASE_URL/healthz" >/dev/null || { log "no answer at $BASE_URL/healthz"; exit 1; }

log "newman: the Postman collection (docs/postman/)"
newman run docs/postman/gatehouse.postman_collection.json \
  --environment docs/postman/gatehouse.postman_environment.json \
  --env-var "baseUrl=$BASE_URL" --reporters cli --color off --no-insecure-file-read

log "schemathesis: every operation of $BASE_URL/api/openapi.json"
start=$SECONDS
# From target/api-clients/, where schemathesis keeps its cache of findings.
ROOT=$PWD
(cd "$DIR" && GATEHOUSE_URL="$BASE_URL" SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$ROOT/tests/schemathesis" \
  "$ROOT/tools/venv/bin/st" --config-file "$ROOT/tests/schemathesis/schemathesis.toml" --no-color \
  run "$BASE_URL/api/openapi.json" --url "$BASE_URL" --generation-database none)
log "schemathesis: done in $((SECONDS - start)) s"

if grep -n 'panicked' "$DIR/server.log"; then
  log "the server panicked (above)"
  exit 1
fi
log "passed"

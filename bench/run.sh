#!/usr/bin/env bash
# Loads the release server with wrk and prints, side by side in one run:
#   1. GET /api/me on Gatehouse vs the ceiling (bench/ceiling/: HMAC check, answer from memory);
#   2. GET /api/me latency while 4 other connections log in non-stop;
#   3. POST /api/auth/refresh: 8 sessions, each rotating its own refresh token as fast as it can;
#   4. Gatehouse's peak RSS during runs 1-3.
#   5. On Postgres (when a server answers at $GATEHOUSE_TEST_POSTGRES, default the local one): GET
#      /api/me on one instance, then on two instances of one database with wrk spread over both;
#      and the time from a logout on one instance to the other's refusal of the token (p99).
#   6. The same refusal time for two processes on one SQLite file (each keeps answers for at most
#      half a second: app/src/backend/auth/cache.rs).
#   7. Run 3 again with the per-address sign-in count on (a database write per refresh; the runs
#      above turn it off), and GET /api/me with EdDSA tokens (an Ed25519 check per request).
# Run by hand from the repository root: bench/run.sh [seconds per run, default 15]
# GATEHOUSE_BIN=path/to/gatehouse benchmarks another build (an older commit's, for a before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$PATH"   # wasm-opt, for cargo leptos build
DURATION=${1:-15}
SECRET="bench-secret-bench-secret-bench-secret-0123"
GH_ADDR=127.0.0.1:3811
CEIL_ADDR=127.0.0.1:3812
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-tools.sh installs it" >&2; exit 1; }

echo "building (release)…" >&2
cargo leptos build --release --split --lib-features split >/dev/null
cargo build --release -q -p ceiling

work=$(mktemp -d)
cp Leptos.toml "$work/"
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT

GATEHOUSE=${GATEHOUSE_BIN:-$PWD/target/release/gatehouse}
start_gatehouse() { # address, log name, extra VAR=value...
  local addr=$1 name=$2; shift 2
  (cd "$work" && env JWT_SECRET=$SECRET AUTH_RATE_PER_MINUTE=0 RUST_LOG=${BENCH_RUST_LOG:-warn} \
    LEPTOS_SITE_ADDR="$addr" "$@" "$GATEHOUSE") >"$work/$name.log" 2>&1 &
  pids+=("$!")
}
wait_healthy() { for _ in $(seq 100); do curl -fs "http://$1/healthz" >/dev/null && return; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
login_token() { # address, email, password
  curl -fs -H 'content-type: application/json' -d "{\"email\":\"$2\",\"password\":\"$3\"}" \
    "http://$1/api/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

start_gatehouse "$GH_ADDR" gatehouse
gh_pid=${pids[-1]}
JWT_SECRET=$SECRET target/release/ceiling "$CEIL_ADDR" &
pids+=("$!")
wait_healthy "$GH_ADDR"
for _ in $(seq 100); do curl -s -o /dev/null "http://$CEIL_ADDR/api/me" && break; sleep 0.1; done

email="bench-$RANDOM@example.com"; password="bench password 42"
curl -fs -H 'content-type: application/json' -d "{\"name\":\"Bench\",\"email\":\"$email\",\"password\":\"$password\"}" "http://$GH_ADDR/api/auth/register" >/dev/null
token=$(curl -fs -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "http://$GH_ADDR/api/auth/login" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
login_user="bench-login-$RANDOM@example.com"
curl -fs -H 'content-type: application/json' -d "{\"name\":\"Login\",\"email\":\"$login_user\",\"password\":\"$password\"}" "http://$GH_ADDR/api/auth/register" >/dev/null

cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$login_user","password":"$password"}'
LUA

# Run 3: one session per wrk thread (one connection each), each following its own rotation chain.
REFRESHERS=8
refresh_script() { # address, output file: a wrk script whose threads each rotate their own session
  local tokens=()
  for _ in $(seq "$REFRESHERS"); do
    tokens+=("\"$(curl -fs -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
      "http://$1/api/auth/login" | sed -E 's/.*"refresh_token":"([^"]+)".*/\1/')\"")
  done
  cat >"$2" <<LUA
local tokens = { $(IFS=,; echo "${tokens[*]}") }
local started = 0
function setup(thread)
  started = started + 1
  thread:set("token", tokens[started])
end
function request()
  return wrk.format("POST", "/api/auth/refresh", { ["Content-Type"] = "application/json" },
    '{"refresh_token":"' .. token .. '"}')
end
function response(status, headers, body)
  local next = body:match('"refresh_token":"([^"]+)"')
  if next then token = next end
end
LUA
}
refresh_script "$GH_ADDR" "$work/refresh.lua"

peak_rss=0
sample_rss() { while kill -0 "$gh_pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$gh_pid/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$(cat "$work/peak" 2>/dev/null || echo 0)" ] && echo "$rss" >"$work/peak"; sleep 0.2; done; }
sample_rss & pids+=("$!")

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '/ 99%/ {print $2}' "$1"; }

wrk -t2 -c32 -d5s -H "Authorization: Bearer $token" "http://$GH_ADDR/api/me" >/dev/null   # warm-up
echo "run 1: GET /api/me, 32 connections, ${DURATION}s each" >&2
wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "http://$CEIL_ADDR/api/me" >"$work/ceiling.txt"
wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "http://$GH_ADDR/api/me" >"$work/me.txt"

echo "run 2: GET /api/me (8 connections) while 4 connections log in non-stop" >&2
wrk -t1 -c4 -d"$((DURATION + 2))s" -s "$work/login.lua" "http://$GH_ADDR/api/auth/login" >"$work/login.txt" &
login_wrk=$!
sleep 1
wrk -t1 -c8 -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "http://$GH_ADDR/api/me" >"$work/me-under-login.txt"
wait "$login_wrk"

echo "run 3: POST /api/auth/refresh, $REFRESHERS sessions rotating their tokens" >&2
wrk -t"$REFRESHERS" -c"$REFRESHERS" -d"${DURATION}s" --latency -s "$work/refresh.lua" "http://$GH_ADDR/api/auth/refresh" >"$work/refresh.txt"

ceiling=$(rps "$work/ceiling.txt"); me=$(rps "$work/me.txt")
printf '\n%-48s %12s %10s\n' "measurement" "value" "target"
printf '%-48s %12s %10s\n' "ceiling GET /api/me (req/s)" "$ceiling" ""
printf '%-48s %12s %10s\n' "gatehouse GET /api/me (req/s)" "$me" ""
printf '%-48s %11.1f%% %10s\n' "gatehouse / ceiling" "$(echo "$me $ceiling" | awk '{print 100*$1/$2}')" ">= 50%"
printf '%-48s %12s %10s\n' "gatehouse GET /api/me p99, idle" "$(p99 "$work/me.txt")" ""
printf '%-48s %12s %10s\n' "gatehouse GET /api/me p99, 4 logging in" "$(p99 "$work/me-under-login.txt")" "< 10ms"
printf '%-48s %12s %10s\n' "logins/s during run 2" "$(rps "$work/login.txt")" ""
printf '%-48s %12s %10s\n' "POST /api/auth/refresh (req/s)" "$(rps "$work/refresh.txt")" ""
printf '%-48s %12s %10s\n' "POST /api/auth/refresh p99" "$(p99 "$work/refresh.txt")" ""
printf '%-48s %9s MB %10s\n' "gatehouse peak RSS" "$(( $(cat "$work/peak") / 1024 ))" "< 80 MB"

# Runs 4-6: Postgres, one instance and then two on one database.
PG_ADMIN=${GATEHOUSE_TEST_POSTGRES:-postgres://root@127.0.0.1:5432/test}
if psql "$PG_ADMIN" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  pg_db="gatehouse_bench_$$"
  psql "$PG_ADMIN" -qc "CREATE DATABASE $pg_db"
  trap 'cleanup; psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"' EXIT
  pg_url="${PG_ADMIN%/*}/$pg_db"
  PG_A=127.0.0.1:3813 PG_B=127.0.0.1:3814
  start_gatehouse "$PG_A" pg-a DATABASE_URL="$pg_url"
  start_gatehouse "$PG_B" pg-b DATABASE_URL="$pg_url"
  wait_healthy "$PG_A"; wait_healthy "$PG_B"
  curl -fs -H 'content-type: application/json' -d "{\"name\":\"Bench\",\"email\":\"$email\",\"password\":\"$password\"}" "http://$PG_A/api/auth/register" >/dev/null
  pg_token=$(login_token "$PG_A" "$email" "$password")
  wrk -t2 -c32 -d5s -H "Authorization: Bearer $pg_token" "http://$PG_A/api/me" >/dev/null   # warm-up
  echo "run 4: GET /api/me on Postgres, one instance, 32 connections" >&2
  wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $pg_token" "http://$PG_A/api/me" >"$work/pg-one.txt"
  echo "run 5: GET /api/me on Postgres, two instances, 16 connections each at once" >&2
  wrk -t1 -c16 -d"${DURATION}s" --latency -H "Authorization: Bearer $pg_token" "http://$PG_A/api/me" >"$work/pg-two-a.txt" &
  other_wrk=$!
  wrk -t1 -c16 -d"${DURATION}s" --latency -H "Authorization: Bearer $pg_token" "http://$PG_B/api/me" >"$work/pg-two-b.txt"
  wait "$other_wrk"
  echo "run 6: a logout on one instance, refused by the other (200 sessions)" >&2
  pg_refusal=$(python3 bench/refusal-latency.py "http://$PG_A" "http://$PG_B" 200)
  pg_one=$(rps "$work/pg-one.txt")
  pg_two=$(echo "$(rps "$work/pg-two-a.txt") $(rps "$work/pg-two-b.txt")" | awk '{print $1+$2}')
  printf '%-48s %12s %10s\n' "postgres GET /api/me, 1 instance (req/s)" "$pg_one" ""
  printf '%-48s %11.1f%% %10s\n' "  / ceiling" "$(echo "$pg_one $ceiling" | awk '{print 100*$1/$2}')" ""
  printf '%-48s %12s %10s\n' "postgres GET /api/me p99, 1 instance" "$(p99 "$work/pg-one.txt")" ""
  printf '%-48s %12s %10s\n' "postgres GET /api/me, 2 instances (req/s)" "$pg_two" ""
  printf '%-48s %11.1f%% %10s\n' "  / ceiling" "$(echo "$pg_two $ceiling" | awk '{print 100*$1/$2}')" ""
  printf '%-48s %12s %10s\n' "postgres GET /api/me p99, 2 instances" "$(p99 "$work/pg-two-a.txt") $(p99 "$work/pg-two-b.txt")" ""
  echo "postgres, logout on one instance, refusal on the other: $pg_refusal (target p99 < 1 s)"
else
  echo "no Postgres at $PG_ADMIN: runs 4-6 skipped" >&2
fi

# Run 7: a second process on the first one's SQLite file.
SQ_B=127.0.0.1:3815
start_gatehouse "$SQ_B" sqlite-b
wait_healthy "$SQ_B"
echo "run 7: a logout on one process, refused by another on the same SQLite file (50 sessions)" >&2
echo "sqlite, two processes on one file: $(python3 bench/refusal-latency.py "http://$GH_ADDR" "http://$SQ_B" 50) (bound: 0.5 s; allowed: 1 s)"

# Run 8 and 9: the sign-in count on, and EdDSA, each on an instance and SQLite file of its own.
register() { curl -fs -H 'content-type: application/json' -d "{\"name\":\"Bench\",\"email\":\"$email\",\"password\":\"$password\"}" "http://$1/api/auth/register" >/dev/null; }
COUNTED=127.0.0.1:3816 EDDSA=127.0.0.1:3817
start_gatehouse "$COUNTED" counted DATABASE_URL="sqlite://$work/counted.db?mode=rwc" AUTH_RATE_PER_MINUTE=1000000
start_gatehouse "$EDDSA" eddsa DATABASE_URL="sqlite://$work/eddsa.db?mode=rwc" JWT_ALGORITHM=EdDSA
wait_healthy "$COUNTED"; wait_healthy "$EDDSA"
register "$COUNTED"; register "$EDDSA"
refresh_script "$COUNTED" "$work/refresh-counted.lua"
echo "run 8: POST /api/auth/refresh with the sign-in count on" >&2
wrk -t"$REFRESHERS" -c"$REFRESHERS" -d"${DURATION}s" --latency -s "$work/refresh-counted.lua" "http://$COUNTED/api/auth/refresh" >"$work/refresh-counted.txt"
ed_token=$(login_token "$EDDSA" "$email" "$password")
echo "run 9: GET /api/me with EdDSA tokens, 32 connections" >&2
wrk -t2 -c32 -d5s -H "Authorization: Bearer $ed_token" "http://$EDDSA/api/me" >/dev/null   # warm-up
wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $ed_token" "http://$EDDSA/api/me" >"$work/eddsa.txt"
printf '%-48s %12s %10s\n' "refresh, sign-in count on (req/s)" "$(rps "$work/refresh-counted.txt")" ""
printf '%-48s %12s %10s\n' "refresh, sign-in count on, p99" "$(p99 "$work/refresh-counted.txt")" ""
printf '%-48s %12s %10s\n' "EdDSA GET /api/me (req/s)" "$(rps "$work/eddsa.txt")" ""
printf '%-48s %11.1f%% %10s\n' "  / ceiling" "$(echo "$(rps "$work/eddsa.txt") $ceiling" | awk '{print 100*$1/$2}')" ""
printf '%-48s %12s %10s\n' "EdDSA GET /api/me p99" "$(p99 "$work/eddsa.txt")" ""

grep -q "Non-2xx" "$work"/*.txt && { echo "some responses were not 2xx:" >&2; grep -H "Non-2xx" "$work"/*.txt >&2; }
exit 0

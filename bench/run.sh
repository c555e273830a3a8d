#!/usr/bin/env bash
# Loads the release server with wrk and prints, side by side in one run:
#   1. GET /api/me on Gatehouse vs the ceiling (bench/ceiling/: HMAC check, answer from memory);
#   2. GET /api/me latency while 4 other connections log in non-stop;
#   3. POST /api/auth/refresh: 8 sessions, each rotating its own refresh token as fast as it can;
#   4. Gatehouse's peak RSS during all of it.
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

(cd "$work" && JWT_SECRET=$SECRET AUTH_RATE_PER_MINUTE=0 RUST_LOG=${BENCH_RUST_LOG:-warn} LEPTOS_SITE_ADDR=$GH_ADDR \
  exec "${GATEHOUSE_BIN:-$OLDPWD/target/release/gatehouse}") >"$work/gatehouse.log" 2>&1 &
gh_pid=$!; pids+=("$gh_pid")
JWT_SECRET=$SECRET target/release/ceiling "$CEIL_ADDR" &
pids+=("$!")
for _ in $(seq 100); do curl -fs "http://$GH_ADDR/healthz" >/dev/null && curl -s -o /dev/null "http://$CEIL_ADDR/api/me" && break; sleep 0.1; done

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
refresh_tokens=()
for _ in $(seq "$REFRESHERS"); do
  refresh_tokens+=("\"$(curl -fs -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "http://$GH_ADDR/api/auth/login" | sed -E 's/.*"refresh_token":"([^"]+)".*/\1/')\"")
done
cat >"$work/refresh.lua" <<LUA
local tokens = { $(IFS=,; echo "${refresh_tokens[*]}") }
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
printf '%-48s %11.1f%% %10s\n' "gatehouse / ceiling" "$(echo "$me $ceiling" | awk '{print 100*$1/$2}')" ">= 30%"
printf '%-48s %12s %10s\n' "gatehouse GET /api/me p99, idle" "$(p99 "$work/me.txt")" ""
printf '%-48s %12s %10s\n' "gatehouse GET /api/me p99, 4 logging in" "$(p99 "$work/me-under-login.txt")" "< 10ms"
printf '%-48s %12s %10s\n' "logins/s during run 2" "$(rps "$work/login.txt")" ""
printf '%-48s %12s %10s\n' "POST /api/auth/refresh (req/s)" "$(rps "$work/refresh.txt")" ""
printf '%-48s %12s %10s\n' "POST /api/auth/refresh p99" "$(p99 "$work/refresh.txt")" ""
printf '%-48s %9s MB %10s\n' "gatehouse peak RSS" "$(( $(cat "$work/peak") / 1024 ))" "< 80 MB"
grep -q "Non-2xx" "$work/me.txt" "$work/me-under-login.txt" "$work/login.txt" "$work/refresh.txt" && { echo "some responses were not 2xx:" >&2; grep -H "Non-2xx" "$work"/*.txt >&2; }
exit 0

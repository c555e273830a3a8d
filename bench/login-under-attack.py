#!/usr/bin/env python3
"""How long a real login takes while an attacker sends wrong logins with random emails.

Run by hand (never in CI) from the repository root, after `cargo leptos build --release`:

    bench/login-under-attack.py [seconds per scenario, default 60]

It starts the release server on a fresh SQLite database with 127.0.0.1 as a trusted proxy, so the
attacker and the owner can speak as different client addresses through X-Forwarded-For. Then, for
each scenario, the attacker sends 50 wrong logins a second with random emails while the owner
logs in with the right password every 1.5 seconds, from an address it logged in from before, and
it prints the owner's latencies (p50,
p99, max) and what the attacker's requests got. Scenarios:

  one-address   the attacker sends from one address: the per-address sign-in limit
                (AUTH_RATE_PER_MINUTE, default 60) answers most with 429 before any hashing.
  many-addresses  every attack request comes from a new address (a botnet): nothing but the
                hashing queue's bound stands in the way.

Only the standard library: no install needed.
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

ADDR = "127.0.0.1:3813"
RATE = 50  # attack requests per second
OWNER_EVERY = 1.5  # seconds between the owner's logins (under the per-address sign-in rate)
PASSWORD = "correct horse battery staple"


def post(path, body, client):
    request = urllib.request.Request(
        f"http://{ADDR}{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-forwarded-for": client},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def attacker(stop, many, results):
    lock = threading.Lock()

    def one():
        client = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}" if many else "203.0.113.7"
        email = f"victim{random.randrange(10**9)}@example.com"
        status, _ = post("/api/auth/login", {"email": email, "password": "wrong guess!"}, client)
        with lock:
            results[status] += 1

    next_at = time.perf_counter()
    while not stop.is_set():
        threading.Thread(target=one, daemon=True).start()
        next_at += 1 / RATE
        time.sleep(max(0, next_at - time.perf_counter()))


def scenario(name, many, seconds, email):
    attack = Counter()
    stop = threading.Event()
    thread = threading.Thread(target=attacker, args=(stop, many, attack), daemon=True)
    thread.start()
    time.sleep(2)  # let the attack settle
    owner, owner_status = [], Counter()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        status, took = post("/api/auth/login", {"email": email, "password": PASSWORD}, "198.51.100.4")
        owner_status[status] += 1
        owner.append(took * 1000)
        time.sleep(OWNER_EVERY)
    stop.set()
    thread.join()
    time.sleep(2)
    owner.sort()
    p99 = owner[max(0, int(len(owner) * 0.99) - 1)]
    print(f"{name:16} owner logins {len(owner):4}  p50 {statistics.median(owner):7.1f} ms  "
          f"p99 {p99:7.1f} ms  max {owner[-1]:7.1f} ms  statuses {dict(owner_status)}  "
          f"attack statuses {dict(attack)}")


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    root = os.getcwd()
    work = tempfile.mkdtemp()
    shutil.copy("Leptos.toml", work)
    env = dict(os.environ, LEPTOS_SITE_ADDR=ADDR, TRUSTED_PROXIES="127.0.0.1", RUST_LOG="warn",
               DATABASE_URL=f"sqlite://{work}/bench.db?mode=rwc")
    server = subprocess.Popen([f"{root}/target/release/gatehouse"], cwd=work, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://{ADDR}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        email = f"owner{random.randrange(10**9)}@example.com"
        status, _ = post("/api/auth/register", {"name": "Owner", "email": email, "password": PASSWORD}, "198.51.100.4")
        assert status == 201, status
        status, _ = post("/api/auth/login", {"email": email, "password": PASSWORD}, "198.51.100.4")
        assert status == 200, status
        print(f"attack: {RATE} wrong logins/s with random emails; owner: a login every {OWNER_EVERY}s; {seconds}s each")
        scenario("one-address", False, seconds, email)
        scenario("many-addresses", True, seconds, email)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

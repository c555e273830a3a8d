#!/usr/bin/env python3
"""How long after a session ends on one instance another instance refuses its token.

    bench/refusal-latency.py ENDING_URL CHECKING_URL [sessions, default 200]

Both instances must serve one database (bench/run.sh starts them). For each session: log in on
the ending instance, check the token on the checking instance (200: now it is in any cache the
checker keeps), log out on the ending instance, and from the moment the logout is answered, ask
the checking instance again and again until it refuses the token. Prints the time to that refusal
(p50, p99, max) and how many asks it took. Only the standard library.
"""
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid

PASSWORD = "refusal latency 42"


def call(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main():
    ending, checking = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
    sessions = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    email = f"refusal-{uuid.uuid4().hex}@example.com"
    status, _ = call("POST", f"{ending}/api/auth/register",
                     {"name": "Refusal", "email": email, "password": PASSWORD})
    assert status == 201, status
    waits, asks = [], []
    for _ in range(sessions):
        status, body = call("POST", f"{ending}/api/auth/login",
                            {"email": email, "password": PASSWORD})
        assert status == 200, status
        token = json.loads(body)["access_token"]
        status, _ = call("GET", f"{checking}/api/me", token=token)
        assert status == 200, status
        status, _ = call("POST", f"{ending}/api/auth/logout", token=token)
        assert status == 204, status
        ended = time.perf_counter()
        count = 0
        while True:
            count += 1
            status, _ = call("GET", f"{checking}/api/me", token=token)
            if status == 401:
                break
            assert status == 200, status
            if time.perf_counter() - ended > 10:
                sys.exit("the token was still good 10 s after its session ended")
        waits.append(time.perf_counter() - ended)
        asks.append(count)
    waits.sort()
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    print(f"sessions {sessions}: refused after p50 {statistics.median(waits) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {waits[-1] * 1000:.1f} ms; "
          f"asks until refused: max {max(asks)}, mean {statistics.mean(asks):.2f}")


if __name__ == "__main__":
    main()

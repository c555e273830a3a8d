"""Schemathesis signs in to Gatehouse as a fresh account for each token it needs.

What the fuzzing does to one account (a logout that ends its session, wrong passwords that lock
its logins, a changed password) never stops the next: on a 401, schemathesis drops the token and
asks for another. GATEHOUSE_URL is the server under test (scripts/test-api-clients.sh).
"""

import os
import secrets

import requests
import schemathesis

BASE_URL = os.environ["GATEHOUSE_URL"]


@schemathesis.auth()
class FreshAccount:
    def get(self, case, context):
        run = secrets.token_hex(8)
        account = {
            "name": "Schemathesis",
            "email": f"fuzz.{run}@example.com",
            "password": f"fuzzing passphrase {run}",
        }
        registered = requests.post(f"{BASE_URL}/api/auth/register", json=account, timeout=30)
        registered.raise_for_status()
        login = {"email": account["email"], "password": account["password"]}
        signed_in = requests.post(f"{BASE_URL}/api/auth/login", json=login, timeout=30)
        signed_in.raise_for_status()
        return signed_in.json()["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"

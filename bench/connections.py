"""Database connections held by a running `make run` while it serves many requests.

    DATABASE_URL=postgres://… make run            # in one terminal, on PostgreSQL
    .venv/bin/python bench/connections.py [--url http://127.0.0.1:8000] [--requests 5000] [--parallel 8]

Logs in as the demo grid worker `worker01` for a token, then asks for the category list (a
page that reads the database) again and again from `--parallel` clients at once, each request
on a new connection as a phone would make it, and prints the number of connections PostgreSQL holds for that database every
tenth of the way. Flat is healthy; a count that climbs with the requests is a leak that ends
in "too many clients".
"""

import argparse
import json
import os
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import psycopg2


def connections(database_url: str) -> int:
    parsed = urlparse(database_url)
    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [parsed.path.lstrip("/")]
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    options = parser.parse_args()
    if not options.database_url.startswith("postgres"):
        parser.error("set DATABASE_URL (or --database-url) to the PostgreSQL database make run uses")

    login = urllib.request.Request(
        f"{options.url}/api/v1/auth/token/",
        data=json.dumps({"username": "worker01", "password": "govgrid-demo"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(login, timeout=30) as response:
        token = json.load(response)["token"]
    page = urllib.request.Request(f"{options.url}/api/v1/categories/", headers={"Authorization": f"Token {token}"})

    print(f"{'requests':>8}  {'connections':>11}  {'failed':>6}")
    print(f"{0:>8}  {connections(options.database_url):>11}  {0:>6}")
    def fetch(_):
        try:
            with urllib.request.urlopen(page, timeout=30) as response:
                response.read()
            return True
        except Exception:
            return False

    failed = 0
    started = time.monotonic()
    step = max(1, options.requests // 10)
    with ThreadPoolExecutor(options.parallel) as pool:
        for done in range(step, options.requests + 1, step):
            failed += sum(not ok for ok in pool.map(fetch, range(step)))
            print(f"{done:>8}  {connections(options.database_url):>11}  {failed:>6}", flush=True)
    elapsed = time.monotonic() - started
    print(f"{options.requests} requests in {elapsed:.1f} s, {failed} failed")


if __name__ == "__main__":
    main()

"""Try the login limits against a running govgrid, as an attacker and the people they target.

    TRUSTED_PROXY=1 make run                     # the demo town, behind "one proxy" (this script)
    .venv/bin/python bench/logins.py [--url http://127.0.0.1:8000] [--redis-port 6379]

Each client address is simulated with X-Forwarded-For, which the server believes only with
TRUSTED_PROXY on. Prints each scenario with the answers it got. With --redis-port, the Redis
server on that port is shut down before the last scenario (logins and a report with the cache
and broker gone), so give it a Redis of its own, not a shared one.
"""

import argparse
import json
import subprocess
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "govgrid-demo"


def post(url: str, body, address: str, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "X-Forwarded-For": address}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--redis-port", type=int)
    options = parser.parse_args()
    token_url = f"{options.url}/api/v1/auth/token/"

    def login(username, password, address):
        return post(token_url, {"username": username, "password": password}, address)[0]

    def show(scenario, answers):
        print(f"{scenario}\n    {answers}")

    show("1. Elsewhere (198.51.100.1) guesses the dispatcher's password 6 times",
         [login("dispatcher", f"guess{n}", "198.51.100.1") for n in range(6)])
    show("2. The dispatcher, at the command centre (10.1.0.20), with the right password",
         login("dispatcher", PASSWORD, "10.1.0.20"))
    show("3. The right password from the guesser's address", login("dispatcher", PASSWORD, "198.51.100.1"))
    with ThreadPoolExecutor(20) as pool:
        burst = list(pool.map(lambda n: login("inspector", f"burst{n}", "198.51.100.2"), range(20)))
    show("4. 20 parallel guesses at the inspector from 198.51.100.2 (answers counted)", dict(Counter(burst)))
    show("   then the inspector from the office (10.1.0.21)", login("inspector", PASSWORD, "10.1.0.21"))
    names = [f"worker{n:02d}" for n in range(1, 61)]
    spray = [login(name, "123456", "198.51.100.3") for name in names]
    show("5. 198.51.100.3 tries one password on 60 accounts (answers counted)", dict(Counter(spray)))
    show("   then worker61's right password from there, and from the street (10.2.0.61)",
         [login("worker61", PASSWORD, "198.51.100.3"), login("worker61", PASSWORD, "10.2.0.61")])
    for body in (0, [], "x", {"username": ["dispatcher"], "password": "x"}, {"username": 5, "password": "x"}):
        show(f"6. Body {json.dumps(body)}", post(token_url, body, "10.1.0.30"))
    if options.redis_port:
        subprocess.run(["redis-cli", "-p", str(options.redis_port), "shutdown", "nosave"], check=False, capture_output=True)
        status, answer = post(token_url, {"username": "worker02", "password": PASSWORD}, "10.2.0.2")
        show("7. Redis shut down: worker02 logs in", status)
        report = {"category": "0101", "description": "路边垃圾堆积", "latitude": 34.09, "longitude": 119.35}
        show("   and reports a problem", post(f"{options.url}/api/v1/incidents/", report, "10.2.0.2", answer.get("token"))[0])


if __name__ == "__main__":
    main()

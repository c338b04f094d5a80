"""Fuzz the API against its own OpenAPI schema with schemathesis, as the dispatcher and as a
grid worker, and count server errors and schema violations.

    .venv/bin/python bench/fuzz_api.py [--max-examples 30] [--seed 1] [--keep]

Builds a small demo town (seed_demo, 2 reports a day) in a throwaway data directory on SQLite,
serves it with gunicorn, logs in as `dispatcher` and `worker01` for tokens and
runs `st run` for each against /api/v1/schema/ with the checks that matter here: no 5xx, and
every status code, content type, header and body as the schema documents them. Prints, per
role, the operations and test cases run and the failures by check; exits non-zero if any.
schemathesis comes from the `fuzz` extra: `.venv/bin/pip install -e '.[fuzz]'`.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
ROLES = {"dispatcher": "dispatcher", "grid worker": "worker01"}
PASSWORD = "govgrid-demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)


def token(base: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def fuzz(base: str, key: str, report: Path, options) -> dict:
    command = [
        str(Path(sys.executable).parent / "st"), "run", f"{base}/api/v1/schema/",
        "--header", f"Authorization: Token {key}",
        "--checks", ",".join(CHECKS),
        "--max-examples", str(options.max_examples),
        "--seed", str(options.seed),
        "--workers", "1",
        "--generation-database", "none",
        "--report", "ndjson", "--report-ndjson-path", str(report),
        "--no-color",
    ]
    finished = subprocess.run(command, cwd=report.parent, capture_output=True, text=True)
    return summarise(report, finished)


def summarise(report: Path, finished: subprocess.CompletedProcess) -> dict:
    """Operations, test cases and failures by check, from schemathesis' NDJSON events."""
    operations, cases, failures, examples, errors = set(), 0, Counter(), {}, []
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished_scenario = event.get("ScenarioFinished")
        if not finished_scenario:
            continue
        recorder = finished_scenario.get("recorder") or {}
        label = recorder.get("label") or finished_scenario.get("label")
        if finished_scenario.get("status") == "error":
            errors.append(label)
        if label and label != "Stateful tests":
            operations.add(label)
        cases += len(recorder.get("cases", {}))
        for check_list in (recorder.get("checks") or {}).values():
            for check in check_list:
                if check.get("status", "").lower() == "failure":
                    failures[check["name"]] += 1
                    failure = (check.get("failure_info") or {}).get("failure", {})
                    message = failure.get("message", "").replace("\n", " ")[:160]
                    examples.setdefault((check["name"], label), f"{failure.get('title', '')}: {message}")
    return {"operations": len(operations), "cases": cases, "failures": failures, "examples": examples, "errors": errors, "exit": finished.returncode,
            "output": finished.stdout[-4000:] + finished.stderr[-2000:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and reports")
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="govgrid-fuzz-"))
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DEBUG="1", GOVGRID_DATA_DIR=str(data_dir), LOG_LEVEL="WARNING",
               # A fuzzer fails logins on purpose; it must not lock itself out.
               LOGIN_FAILURE_LIMIT="100000", LOGIN_ADDRESS_FAILURE_LIMIT="100000")
    print(f"Data directory {data_dir}: migrating and building a small demo town", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--incidents-per-day", "2", "--verbosity", "0")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # gunicorn, as in production: the development server cannot read a chunked request body
    # and leaves it on the connection, where it is read as the next request ("Bad request syntax").
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "govgrid.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=BASE_DIR, env=env, stdout=(data_dir / "server.log").open("wb"), stderr=subprocess.STDOUT,
    )
    failed = False
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/v1/schema/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        for role, username in ROLES.items():
            started = time.monotonic()
            result = fuzz(base, token(base, username), data_dir / f"{username}.ndjson", options)
            seconds = time.monotonic() - started
            server_errors = result["failures"]["not_a_server_error"]
            violations = sum(count for check, count in result["failures"].items() if check != "not_a_server_error")
            print(
                f"{role:>12}: {result['operations']} operations, {result['cases']} test cases in {seconds:.0f} s; "
                f"{server_errors} server errors, {violations} schema violations, {len(result['errors'])} scenarios that could not run"
            )
            for (check, label), title in sorted(result["examples"].items()):
                print(f"              {check}: {label}: {title}")
            if result["failures"] or result["exit"] not in (0,):
                failed = True
                if not result["failures"]:
                    print(result["output"])
    finally:
        server.terminate()
        server.wait(timeout=15)
    if options.keep:
        print(f"Kept {data_dir}")
    else:
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

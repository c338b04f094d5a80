"""`make run`: the web server, a Celery worker and Celery beat, started and stopped together.

    python -m govgrid.devserver        # PORT (default 8000) picks the port

Ctrl-C or SIGTERM stops all three. If one of them dies, the others are stopped too and this
exits non-zero, so a half-running app is never mistaken for a running one.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_SECONDS = 10
# The banner waits this long after the start, so it comes after the worker's start-up log
# instead of being buried in it.
BANNER_AFTER_SECONDS = 5


class StopRequested(Exception):
    pass


def commands(port: int) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        # One process is plenty for a laptop; beat's schedule file lives in GOVGRID_DATA_DIR
        # (CELERY_BEAT_SCHEDULE_FILENAME in the settings).
        "worker": [python, "-m", "celery", "-A", "govgrid", "worker", "-l", "info", "--pool=solo"],
        "beat": [python, "-m", "celery", "-A", "govgrid", "beat", "-l", "info"],
    }


def environment(name: str) -> dict[str, str]:
    """The environment of each child. The development server handles every request in a thread
    of its own, which ends with the request: a persistent database connection would be left
    open by each of them until the database refuses new clients. So the web server closes its
    connection after every request, whatever DATABASE_CONN_MAX_AGE says."""
    env = dict(os.environ)
    if name == "web":
        env["DATABASE_CONN_MAX_AGE"] = "0"
    return env


def demo_accounts() -> tuple[str, list[tuple[str, str]]]:
    """The password and the accounts `seed_demo` makes, read from its own data so the two agree."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")
    django.setup()
    from accounts.models import Role
    from incidents import demo_data

    return demo_data.PASSWORD, [
        *((username, str(Role(role).label)) for username, role, _name in demo_data.STAFF),
        (f"worker01 … worker{demo_data.GRID_WORKERS:02d}", str(Role.WORKER.label)),
        *((account, f"{Role.DEPARTMENT.label}: {name}") for _code, name, account, _phone in demo_data.DEPARTMENTS),
    ]


def banner(port: int) -> str:
    address = f"http://127.0.0.1:{port}/"
    password, accounts = demo_accounts()
    width = max(len(name) for name, _ in accounts)
    lines = [
        "",
        "=" * 72,
        f"  govgrid is running at {address}",
        f"  admin: {address}admin/    API docs: {address}api/v1/docs/",
        "",
        f"  Demo accounts, each with the password {password}:",
        *(f"    {name.ljust(width)}  {role}" for name, role in accounts),
        "",
        "  Ctrl-C stops the web server, the Celery worker and Celery beat.",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)


def is_listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def first_dead(children: dict[str, subprocess.Popen]) -> str | None:
    return next((name for name, child in children.items() if child.poll() is not None), None)


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"devserver: {name} did not stop in {STOP_SECONDS} s; killing it", file=sys.stderr)
            child.kill()
            child.wait()


def raise_stop(signum, _frame):
    raise StopRequested(signal.Signals(signum).name)


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    ready = banner(port)
    signal.signal(signal.SIGINT, raise_stop)
    signal.signal(signal.SIGTERM, raise_stop)
    children: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands(port).items():
            children[name] = subprocess.Popen(command, cwd=BASE_DIR, env=environment(name))
        announced = False
        announce_after = time.monotonic() + BANNER_AFTER_SECONDS
        while (dead := first_dead(children)) is None:
            if not announced and time.monotonic() > announce_after and is_listening(port):
                print(ready, flush=True)
                announced = True
            time.sleep(0.5)
    except StopRequested as stop:
        dead = None
        print(f"\ndevserver: {stop}, stopping web, worker and beat", file=sys.stderr, flush=True)
    else:
        print(f"devserver: {dead} exited with code {children[dead].returncode}; stopping the others", file=sys.stderr, flush=True)
    # A second Ctrl-C must not cut the shutdown short and leave children behind.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop_all(children)
    if dead is None:
        return 0
    code = children[dead].returncode
    return code if code > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

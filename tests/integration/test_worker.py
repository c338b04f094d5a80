"""A real Celery worker, on the configured database and broker, does the work after a report
and after an assignment: the test process only sends, the worker process notifies.

Runs on the embedded defaults (file-system broker, SQLite file) and on PostgreSQL + Redis.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Notification
from govgrid.celery import app
from incidents.models import IncidentEvent
from tests.conftest import IN_GRID_A

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STARTUP_SECONDS = 60
WORK_SECONDS = 30


def worker_database_url() -> str:
    """The test database as a DATABASE_URL that govgrid.settings understands."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{quote(str(Path(db['NAME']).resolve()))}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
        address = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        return f"postgres://{credentials}@{address}/{quote(db['NAME'], safe='')}"
    raise NotImplementedError(f"no DATABASE_URL for {connection.vendor}")


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, what: str, condition, timeout: float = WORK_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}) before {what}; its log:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"not done after {timeout:.0f} s: {what}; the worker's log:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker process on the test database and the configured broker, started on an empty
    queue. Depends on transactional_db so that it stops before the database is flushed."""
    # Messages left by an earlier run would be worked on the wrong data.
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "GOVGRID_DATA_DIR": str(settings.DATA_DIR),
        "REDIS_URL": settings.REDIS_URL,
        # Whatever the test run is configured with, a test never sends real e-mail.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "govgrid", "worker", "--pool=solo", "-l", "info",
        "--without-mingle", "--without-gossip", "--without-heartbeat", "-n", f"integration-{os.getpid()}@%h",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    started = Worker(process, log_path)
    try:
        started.wait_until("the worker is ready", lambda: " ready." in started.log(), timeout=STARTUP_SECONDS)
        yield started
    finally:
        started.stop()


def notified(user, event) -> bool:
    return Notification.objects.filter(recipient=user, event=event).exists()


def test_the_worker_tells_the_command_centre_of_a_report_and_the_assignee_of_an_assignment(api, users, categories, worker):
    response = api("worker_a").post("/api/v1/incidents/", {"category": "0101", "description": "路边垃圾堆积", **IN_GRID_A}, format="json")
    assert response.status_code == 201, response.content
    incident_id = response.json()["id"]
    report = IncidentEvent.objects.get(incident_id=incident_id, action="report")

    worker.wait_until("the report is processed", lambda: IncidentEvent.objects.get(pk=report.pk).processed_at is not None)
    assert notified(users["dispatcher"], report), worker.log()
    worker.wait_until(
        "the dispatcher's notification is e-mailed",
        lambda: Notification.objects.filter(recipient=users["dispatcher"], event=report, emailed_at__isnull=False).exists(),
    )

    assigned = api("dispatcher").post(f"/api/v1/incidents/{incident_id}/assign/", {"assignee": users["worker_a"].pk}, format="json")
    assert assigned.status_code == 200, assigned.content
    assignment = IncidentEvent.objects.get(incident_id=incident_id, action="assign")

    worker.wait_until("the assignee is notified", lambda: notified(users["worker_a"], assignment))
    assert IncidentEvent.objects.get(pk=assignment.pk).processed_at is not None, worker.log()
    assert Notification.objects.filter(event=report).count() == 1, worker.log()

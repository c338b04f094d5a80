"""`make run` stays healthy through a long day: its web server does not hold a database
connection for every request it has served.

Runs the web server exactly as `govgrid.devserver` starts it, against the test database.
"""

import os
import socket
import subprocess
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from govgrid.devserver import commands, environment
from tests.integration.test_worker import worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REQUESTS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.fixture
def web_server(transactional_db, tmp_path, monkeypatch):
    # A shell that asks for persistent connections must not make the development server leak.
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "600")
    port = free_port()
    env = {**environment("web"), "DATABASE_URL": worker_database_url(), "GOVGRID_DATA_DIR": str(settings.DATA_DIR)}
    log_path = tmp_path / "web.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(commands(port)["web"], cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the web server did not start; its log:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_hundreds_of_requests_leave_the_number_of_database_connections_flat(users, categories, web_server):
    if connection.vendor != "postgresql":
        pytest.skip("connections are counted on PostgreSQL")
    token = Token.objects.create(user=users["worker_a"])
    request = urllib.request.Request(f"{web_server}/api/v1/categories/", headers={"Authorization": f"Token {token.key}"})
    with urllib.request.urlopen(request, timeout=10) as first:
        assert first.status == 200
    before = database_connections()

    for _ in range(REQUESTS):
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    assert database_connections() <= before + 2

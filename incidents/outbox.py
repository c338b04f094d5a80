"""Sending background work to the broker without ever losing it.

Work is sent after the transaction commits. If the broker is down the send fails fast, is
logged, and the request still succeeds: the event row stays unprocessed and the sweep
(`incidents.tasks.sweep_events`) does the work once a worker runs again.
"""

import threading
from contextlib import contextmanager

from django.db import transaction

from govgrid.celery import send_task_safely

_state = threading.local()


def held() -> bool:
    return getattr(_state, "held", False)


def dispatch_on_commit(task: str, *args) -> None:
    if held():
        return
    transaction.on_commit(lambda: send_task_safely(task, *args))


def dispatch_event_on_commit(event_id: int) -> None:
    dispatch_on_commit("incidents.tasks.process_event", event_id)


@contextmanager
def dispatch_held():
    """Send no background work from inside this block: for loading history in bulk. The events
    stay unprocessed and the photos without thumbnails, so the loader must mark the events
    processed itself, or leave them (and the thumbnails) to the sweep. No day is marked for the
    dashboard's daily counts either: the days loaded are summed afterwards (beat's sum_days)."""
    _state.held = True
    try:
        yield
    finally:
        _state.held = False

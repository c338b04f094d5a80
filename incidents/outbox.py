"""Sending background work to the broker without ever losing it.

Work is sent after the transaction commits. If the broker is down the send fails fast, is
logged, and the request still succeeds: the event row stays unprocessed and the sweep
(`incidents.tasks.sweep_events`) does the work once a worker runs again.
"""

import logging

from django.db import transaction

from govgrid.celery import app

logger = logging.getLogger(__name__)


def send_task_safely(name: str, *args) -> bool:
    try:
        app.send_task(name, args=list(args))
    except Exception:
        logger.warning("broker unavailable: %s%r left for the sweep", name, args, exc_info=True)
        return False
    return True


def dispatch_event_on_commit(event_id: int) -> None:
    transaction.on_commit(lambda: send_task_safely("incidents.tasks.process_event", event_id))

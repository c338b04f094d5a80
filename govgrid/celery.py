import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")

app = Celery("govgrid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def send_task_safely(name: str, *args) -> bool:
    """Send a task, or log that the broker is down and return False; never raise.

    Callers keep a record of the work (an unprocessed event, an unsent notification) that a
    beat sweep finds again, so a failed send delays the work and loses nothing.
    """
    try:
        app.send_task(name, args=list(args))
    except Exception:
        logger.warning("broker unavailable: %s%r left for the sweep", name, args, exc_info=True)
        return False
    return True

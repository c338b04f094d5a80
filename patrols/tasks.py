"""Celery tasks: each calls one service, and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def remind_missing() -> int:
    return services.patrols_remind_missing()


@shared_task(acks_late=True)
def close_forgotten() -> int:
    return services.patrols_close_forgotten()

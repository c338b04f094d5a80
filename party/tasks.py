"""Celery tasks: each calls one service, and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def remind_behind() -> int:
    return services.party_remind_behind()

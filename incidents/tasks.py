"""Celery tasks: they take ids, call one service, and are safe to run twice."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def process_event(event_id: int) -> bool:
    return services.event_process(event_id=event_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def make_thumbnail(photo_id: int) -> bool:
    return services.photo_make_thumbnail(photo_id=photo_id)


@shared_task(acks_late=True)
def sweep_events() -> int:
    from accounts.services import notifications_sweep_emails

    return services.events_sweep() + notifications_sweep_emails() + services.photos_sweep_thumbnails()


@shared_task(acks_late=True)
def mark_deadlines() -> dict:
    return services.incident_mark_deadlines()


@shared_task(acks_late=True)
def watch_calendar() -> dict:
    return services.calendar_watch()


@shared_task(acks_late=True)
def remind_suspended() -> int:
    return services.incident_remind_suspended()


@shared_task(acks_late=True)
def refresh_rollup_day(day: str) -> bool:
    return services.rollup_refresh_day(day=date.fromisoformat(day))


@shared_task(acks_late=True)
def sum_days() -> int:
    return services.rollups_sum_days()

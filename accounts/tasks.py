from celery import shared_task

from .services import notification_send_email


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> None:
    notification_send_email(notification_id=notification_id)

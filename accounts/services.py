import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from govgrid.celery import send_task_safely

from .models import Notification

logger = logging.getLogger(__name__)


def login_authenticate(request, *, username: str, password: str):
    """Django's authenticate(), for every login (the pages, the admin, the API token), one
    attempt per user name at a time.

    django-axes checks the limit before the password and counts a failure after it; holding the
    user's row between the two means a burst of parallel guesses at one account from one address
    is checked one by one, so no more than its limit are tried. (Guesses at many user names at
    once may pass the per-address limit by as many as run in parallel.) The user is None when
    refused; `login_locked_out(request)` tells a lockout from a wrong password.
    """
    with transaction.atomic():
        list(get_user_model().objects.select_for_update().filter(username=username).values_list("pk", flat=True))
        return authenticate(request, username=username, password=password)


def login_locked_out(request) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def notification_create(*, recipients, event, subject: str, body: str = "") -> list[Notification]:
    """One notification per recipient for this event; a second call for the same event adds none.
    It is mailed to the address the recipient has now, if any. With no event, each call notifies."""
    created = []
    for recipient in {user.pk: user for user in recipients}.values():
        message = {"subject": subject[:200], "body": body, "email_to": recipient.email}
        if event is None:  # a notice of its own, not the news of a case
            created.append(Notification.objects.create(recipient=recipient, **message))
            continue
        notification, is_new = Notification.objects.get_or_create(recipient=recipient, event=event, defaults=message)
        if is_new:
            created.append(notification)
    with_email = [n.pk for n in created if n.email_to]
    if with_email:
        transaction.on_commit(lambda: notification_dispatch_emails(notification_ids=with_email))
    return created


def notification_dispatch_emails(*, notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        send_task_safely("accounts.tasks.send_notification_email", notification_id)


def _mail_pending():
    return Notification.objects.filter(email_to__gt="", emailed_at__isnull=True, email_failed_at__isnull=True)


def notification_send_email(*, notification_id: int) -> bool:
    """Send one mail; False if it was sent already, is being sent, is not to be sent, or was
    given up. Raises on a failure that leaves tries: the task retries, and so does the sweep.
    """
    now = timezone.now()
    unclaimed = Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - timedelta(seconds=settings.EMAIL_CLAIM_SECONDS))
    # Claim first: another worker, or the sweep, may be sending the same one.
    claimed = _mail_pending().filter(unclaimed, pk=notification_id).update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    if not claimed:
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        send_mail(notification.subject, notification.body or notification.subject, settings.DEFAULT_FROM_EMAIL, [notification.email_to])
    except Exception as error:
        given_up = notification.email_attempts >= settings.EMAIL_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            email_claimed_at=None,
            email_error=f"{type(error).__name__}: {error}"[:200],
            email_failed_at=timezone.now() if given_up else None,
        )
        if given_up:
            logger.warning("notification %s: gave up mailing %s after %s tries", notification_id, notification.email_to, notification.email_attempts)
            return False
        raise
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now(), email_claimed_at=None)
    return True


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def notifications_sweep_emails(*, older_than_seconds: int | None = None) -> int:
    """Send the e-mails whose task was lost with the broker."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds or settings.EVENT_SWEEP_AFTER_SECONDS)
    pending = _mail_pending().filter(created_at__lte=cutoff).order_by("created_at").values_list("pk", flat=True)[:1000]
    sent = 0
    for notification_id in list(pending):
        try:
            sent += notification_send_email(notification_id=notification_id)
        except Exception:
            logger.warning("notification %s: mail failed, to be tried again", notification_id, exc_info=True)
    return sent


def personal_data_views_record(*, viewer, records, fields: list[str], where: str, at=None) -> int:
    """Record that `viewer` saw `fields` of each of `records` in full, at `where` (a path).
    One INSERT for a whole list; nothing for an empty one. Returns how many were recorded."""
    from .models import PersonalDataView

    at = at or timezone.now()
    rows = [
        PersonalDataView(
            viewer=viewer, at=at, record_type=record._meta.label_lower, record_id=record.pk,
            record=str(record)[:200], fields=list(fields), where=where[:200],
        )
        for record in records
    ]
    PersonalDataView.objects.bulk_create(rows)
    return len(rows)

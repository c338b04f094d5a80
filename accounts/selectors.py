"""Reads of accounts that depend on who is asking."""

from .models import Notification


def notifications_unread(user) -> int:
    """How many of the user's notifications are unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

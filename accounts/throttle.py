"""How django-axes limits failed logins here (AXES_* in the settings point at these).

Failures are counted per user name *and* client address, so someone guessing a password from
elsewhere locks out only themselves; the same person still logs in from their usual place. A
second, higher limit counts every failure from one address, whatever the user name, so one
machine cannot try every account. Counts live in the database (axes' AccessAttempt rows):
logins keep working when Redis is down.

There is deliberately no limit per user name alone: it would let anyone lock the dispatcher out
from anywhere. Guesses spread over many addresses get the pair limit from each of them; the
defence there is the password itself (Django's validators), and the lockouts axes logs.
"""

from django.conf import settings

from axes.handlers.database import AxesDatabaseHandler


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def client_address(request) -> str:
    """REMOTE_ADDR; behind one trusted reverse proxy (TRUSTED_PROXY), the address that proxy
    appended to X-Forwarded-For. Entries to its left come from the client and prove nothing."""
    if settings.TRUSTED_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response, credentials):
    """The login page and the token endpoint say "locked" themselves, as a form message and as
    a 429; axes' middleware leaves their answer as it is."""
    return original_response


class LoginAttempts(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS is [["username", "ip_address"], "ip_address"]: the first count is
    the user name from this address, the second the address for any user name."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares this with one limit (LOGIN_FAILURE_LIMIT); an address past its own,
        # higher limit counts as past it for every user name.
        pair, address = (
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.LOGIN_FAILURE_LIMIT)
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login forgets that user name's failures from this address only: it
        does not wipe the count of an address that others behind it are guessing from."""
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied


def _failure_keys(username: str, request) -> list[str]:
    keys = [f"login-failures:user:{(username or '').lower()}"]
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    if address:
        keys.append(f"login-failures:addr:{address}")
    return keys


class RateLimitedModelBackend(ModelBackend):
    """Every login goes through here (admin, pages, API token), so one limit covers them all.

    After LOGIN_FAILURE_LIMIT failures for a username or an address within the window, further
    attempts are refused, even with the right password, until the window passes.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if login_locked(username, request):
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            for key in _failure_keys(username, request):
                cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
                cache.incr(key)
        return user


def login_locked(username: str, request) -> bool:
    return any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in _failure_keys(username, request))

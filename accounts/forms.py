from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .services import login_authenticate, login_locked_out

LOCKED_OUT = _("Too many failed logins. Try again in a few minutes.")


class LimitedLoginMixin:
    """Log in through `login_authenticate`, and say plainly when the login is locked for a
    while rather than "wrong password"."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = login_authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                if login_locked_out(self.request):
                    raise forms.ValidationError(LOCKED_OUT, code="locked")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(LimitedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
    pass

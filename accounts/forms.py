from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .backends import login_locked


class LockoutMessageMixin:
    """Say plainly that the account is locked for a while, rather than "wrong password"."""

    def clean(self):
        if login_locked(self.data.get("username", ""), self.request):
            raise forms.ValidationError(_("Too many failed logins. Try again in a few minutes."), code="locked")
        return super().clean()


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass

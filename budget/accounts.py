"""Logging in and out, in plain German."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One sentence, not a list under a field: it says what went wrong without saying which.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Benutzername oder Passwort falsch."),
        "inactive": _("Dieses Konto ist gesperrt."),
    }


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Sie wurden abgemeldet."))
        return response

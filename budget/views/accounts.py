"""Logging in and out (in plain German): the login page, password reset (only with a mail
server), the client address that login throttling (django-axes) counts by."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


def client_ip(request) -> str:
    """The address failed logins are counted for: ``REMOTE_ADDR``, or the header named by
    ``CLIENT_IP_HEADER`` that a reverse proxy in front overwrites (never X-Forwarded-For as sent
    by the client)."""
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, original_response=None, credentials=None):
    """What a locked username+address pair sees, on the app's and the admin's login page alike.
    The same words whether or not the user exists."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def mail_required(view):
    """Password reset sends a mail; without a mail server the pages do not exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.MAIL_CONFIGURED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class LoginForm(AuthenticationForm):
    # One sentence, not a list under a field: it says what went wrong without saying which.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Benutzername oder Passwort falsch."),
        "inactive": _("Dieses Konto ist gesperrt."),
    }


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(password_reset_enabled=settings.MAIL_CONFIGURED, **kwargs)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Sie wurden abgemeldet."))
        return response


password_reset = mail_required(
    auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
    )
)
password_reset_done = mail_required(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = mail_required(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete = mail_required(auth_views.PasswordResetCompleteView.as_view())

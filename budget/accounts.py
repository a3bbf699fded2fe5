"""Logging in: the login page, password reset (only with a mail server), the client address that
login throttling (django-axes) counts by."""

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import render


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


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(password_reset_enabled=settings.MAIL_CONFIGURED, **kwargs)


password_reset = mail_required(
    auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
    )
)
password_reset_done = mail_required(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = mail_required(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete = mail_required(auth_views.PasswordResetCompleteView.as_view())

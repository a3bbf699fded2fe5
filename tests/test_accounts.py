"""Logging in: throttling with django-axes, and password reset only when mail is configured."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RIGHT = "correct horse battery"


def attempt(client, username, password, path=LOGIN, ip="203.0.113.7"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def is_locked(response) -> bool:
    return response.status_code == 429 and "Zu viele fehlgeschlagene" in response.content.decode()


# --- throttling ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_four_failures_then_the_right_password_logs_in(client, superuser, path):
    for _ in range(4):
        assert attempt(client, "admin", "falsch", path).status_code == 200
    response = attempt(client, "admin", RIGHT, path)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_after_five_failures_even_the_right_password_is_refused(client, superuser, path):
    for _ in range(4):
        attempt(client, "admin", "falsch", path)
    assert is_locked(attempt(client, "admin", "falsch", path))
    response = attempt(client, "admin", RIGHT, path)
    assert is_locked(response)
    assert "15 Minuten" in response.content.decode()
    assert not logged_in(client)


def test_lock_message_does_not_reveal_whether_the_user_exists(client, treasurer):
    for _ in range(5):
        attempt(client, "schatzmeisterin", "falsch")
        attempt(client, "gibt-es-nicht", "falsch")
    known = attempt(client, "schatzmeisterin", RIGHT)
    unknown = attempt(client, "gibt-es-nicht", RIGHT)
    assert is_locked(known) and is_locked(unknown)
    assert without_csrf(known) == without_csrf(unknown)


def test_other_users_from_the_same_address_are_not_locked(client, treasurer, director):
    for _ in range(5):
        attempt(client, "schatzmeisterin", "falsch")
    assert attempt(client, "lgf", RIGHT).status_code == 302 and logged_in(client)


def test_the_same_user_from_another_address_is_not_locked(client, treasurer):
    for _ in range(5):
        attempt(client, "schatzmeisterin", "falsch", ip="203.0.113.7")
    assert attempt(client, "schatzmeisterin", RIGHT, ip="198.51.100.2").status_code == 302


def test_lock_ends_after_the_cool_off(client, treasurer, settings):
    for _ in range(5):
        attempt(client, "schatzmeisterin", "falsch")
    assert is_locked(attempt(client, "schatzmeisterin", RIGHT))
    # 15 minutes later (the lock counts from the last failure):
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    )
    assert attempt(client, "schatzmeisterin", RIGHT).status_code == 302


def test_cool_off_is_configurable(client, treasurer, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=60)
    for _ in range(5):
        attempt(client, "schatzmeisterin", "falsch")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = attempt(client, "schatzmeisterin", RIGHT)
    assert is_locked(response) and "60 Minuten" in response.content.decode()


def test_admin_unlocks_by_deleting_the_attempt(client, treasurer, superuser):
    for _ in range(5):
        attempt(client, "schatzmeisterin", "falsch")
    locked = AccessAttempt.objects.get(username="schatzmeisterin")
    admin = type(client)()
    admin.force_login(superuser)
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "schatzmeisterin" in changelist.content.decode()
    delete = reverse("admin:axes_accessattempt_delete", args=[locked.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    assert attempt(client, "schatzmeisterin", RIGHT).status_code == 302


def test_forwarded_for_is_ignored_unless_configured(client, treasurer):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": "schatzmeisterin", "password": "falsch"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
            HTTP_X_REAL_IP=f"10.0.1.{n}",
        )
    # Spoofed headers did not spread the failures over five addresses: the pair is locked.
    assert is_locked(attempt(client, "schatzmeisterin", RIGHT))


def test_client_ip_header_behind_a_proxy(client, treasurer, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "schatzmeisterin", "password": "falsch"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="203.0.113.7",
        )
    other_client = client.post(
        LOGIN,
        {"username": "schatzmeisterin", "password": RIGHT},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="198.51.100.2",
    )
    assert other_client.status_code == 302  # another address behind the same proxy
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


# --- password reset -----------------------------------------------------------------------

RESET_URLS = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]


@pytest.mark.parametrize("url", RESET_URLS)
def test_without_mail_reset_pages_do_not_exist(client, db, settings, url):
    settings.MAIL_CONFIGURED = False
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "a@example.org"}).status_code == 404


def test_without_mail_login_page_offers_no_reset(client, db, settings):
    settings.MAIL_CONFIGURED = False
    assert "Passwort vergessen" not in client.get(LOGIN).content.decode()


def test_with_mail_login_page_links_to_reset(client, db, settings):
    settings.MAIL_CONFIGURED = True
    page = client.get(LOGIN).content.decode()
    assert "Passwort vergessen?" in page and reverse("password_reset") in page


def test_with_mail_reset_sends_a_german_mail_that_sets_a_new_password(client, db, settings):
    settings.MAIL_CONFIGURED = True
    UserFactory(username="schatzmeisterin", email="kasse@example.org")
    response = client.post(reverse("password_reset"), {"email": "kasse@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Beschlusskasse: Passwort zurücksetzen"
    assert "Guten Tag" in message.body and "Ihr Benutzername: schatzmeisterin" in message.body
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert "Neues Passwort" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "ein ganz neues Passwort", "new_password2": "ein ganz neues Passwort"},
    )
    assert done.status_code == 302
    assert attempt(client, "schatzmeisterin", "ein ganz neues Passwort").status_code == 302


def test_reset_for_an_unknown_address_looks_the_same(client, db, settings):
    settings.MAIL_CONFIGURED = True
    response = client.post(reverse("password_reset"), {"email": "niemand@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []

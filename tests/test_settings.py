"""Production settings: the documented environment passes Django's deployment check, and the
switches for a TLS-terminating proxy or a plain-HTTP test work. Settings are read once per
process, so each case runs ``manage.py`` in a fresh one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3JdV0c2pXx9q-sXw8b1tWm4nZr6yLh0fA7uQe5iGo2vKd9sPa3jT",
    "ALLOWED_HOSTS": "kasse.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://kasse.example.org",
    "DATABASE_URL": "sqlite:////tmp/beschlusskasse-settings-test.sqlite3",
}
SHOW = (
    "from django.conf import settings as s; import json; "
    "print(json.dumps({k: str(getattr(s, k, None)) for k in %r}))"
)


def manage(*args, env=None):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which the deployment check rightly refuses.
    skip = ("SECURE_", "EMAIL_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(env, *names):
    result = manage("shell", "-c", SHOW % (names,), env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_documented_production_environment_passes_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_plain_http_test_setup_fails_the_deploy_check():
    """The check can fail: switching HTTPS off is reported."""
    env = {**PRODUCTION, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


def test_production_defaults():
    values = settings_of(
        PRODUCTION,
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SAMESITE",
        "SESSION_COOKIE_AGE",
        "MAIL_CONFIGURED",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "False",
        "SECURE_HSTS_PRELOAD": "False",
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "LANGUAGE_COOKIE_SECURE": "True",
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": "28800",
        "MAIL_CONFIGURED": "False",
    }


def test_switches_for_proxy_and_plain_http():
    env = {
        **PRODUCTION,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "false",
        "SECURE_PROXY_SSL_HEADER": "false",
        "SESSION_COOKIE_AGE": "3600",
    }
    values = settings_of(
        env,
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_AGE",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "False",
        "LANGUAGE_COOKIE_SECURE": "False",
        "SECURE_PROXY_SSL_HEADER": "None",
        "SESSION_COOKIE_AGE": "3600",
    }


def test_hsts_preload_and_subdomains_can_be_switched_on():
    env = {**PRODUCTION, "SECURE_HSTS_PRELOAD": "true", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true"}
    values = settings_of(env, "SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS")
    assert values == {"SECURE_HSTS_PRELOAD": "True", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True"}
    assert manage("check", "--deploy", "--fail-level", "WARNING", env=env).returncode == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "submission://kasse%40example.org:geh%3Aeim@mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": "587",
                "EMAIL_USE_TLS": "True",
                "EMAIL_USE_SSL": "False",
                "EMAIL_HOST_USER": "kasse@example.org",
                "EMAIL_HOST_PASSWORD": "geh:eim",
                "MAIL_CONFIGURED": "True",
            },
        ),
        (
            "smtps://u:p@mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": "465",
                "EMAIL_USE_TLS": "False",
                "EMAIL_USE_SSL": "True",
                "EMAIL_HOST_USER": "u",
                "EMAIL_HOST_PASSWORD": "p",
                "MAIL_CONFIGURED": "True",
            },
        ),
    ],
)
def test_email_url(url, expected):
    assert settings_of({**PRODUCTION, "EMAIL_URL": url}, *expected) == expected


def test_email_host_settings_configure_mail():
    env = {**PRODUCTION, "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "2525"}
    assert settings_of(env, "MAIL_CONFIGURED", "EMAIL_PORT") == {
        "MAIL_CONFIGURED": "True",
        "EMAIL_PORT": "2525",
    }


def test_debug_sends_mail_to_the_console():
    values = settings_of({"DEBUG": "true"}, "MAIL_CONFIGURED", "EMAIL_BACKEND")
    assert values == {
        "MAIL_CONFIGURED": "True",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


@pytest.mark.parametrize(
    "env", [{"EMAIL_URL": "ftp://mail.example.org"}, {"SESSION_COOKIE_AGE": "acht Stunden"}]
)
def test_bad_values_fail_loudly(env):
    result = manage("check", env={**PRODUCTION, **env})
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


def test_language_cookie_is_lax_httponly(client, db, settings):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert cookie["secure"]  # DEBUG is off in tests, so cookies are secure as in production


def test_session_lasts_eight_hours(client, treasurer):
    client.force_login(treasurer)
    assert client.session.get_expiry_age() == 8 * 3600

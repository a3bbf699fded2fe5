"""Settings for Beschlusskasse, driven entirely by environment variables.

Every variable is documented in README.md and .env.example. Helpers fail loudly on bad values
rather than silently falling back, so a typo in production does not become a surprise.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# A test run needs no environment of its own; it never serves real users.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=true for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "budget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "budget.middleware.security_headers",
    "budget.middleware.request_size_limit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # German unless the user picked another language in the menu; Accept-Language is ignored.
    "budget.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "budget.middleware.private_pages",
    # Last, so that it sees the login attempts after every other middleware has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "telefonaktion.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "budget.context_processors.abilities",
            ],
        },
    },
]

WSGI_APPLICATION = "telefonaktion.wsgi.application"

# SQLite is the embedded default so that a checkout runs at once; production uses PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent bookings queue behind each other
    # (SQLite ignores SELECT ... FOR UPDATE); the timeout lets them wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a real file, so that concurrent connections (race tests, live server) share it;
    # one per process, so two test runs on one checkout do not trample each other.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(DATABASES["default"]["NAME"]).with_name(f"test_db_{os.getpid()}.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for AXES_COOLOFF_MINUTES; other users on the same address are not.
# A correct login resets the count; admins unlock early by deleting the access attempt.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "budget.views.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "budget.views.accounts.client_ip"
# The client address is REMOTE_ADDR. Behind a reverse proxy name the header the proxy overwrites
# with the real address (nginx: proxy_set_header X-Real-IP $remote_addr;), e.g. X-Real-IP.
# Never set this without such a proxy in front: a client could then pick its own address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "budget:home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Receipts are private: they are stored here and served only through a view that checks access.
# There is deliberately no MEDIA_URL route: nothing under MEDIA_ROOT is public.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

RECEIPT_MAX_BYTES = 10 * 1024 * 1024
# PartG § 24 Abs. 2: receipts and records are kept ten years after the end of the year of the
# budget's last booking. Shown on the dashboard; nothing in the app deletes a receipt.
RECEIPT_RETENTION_YEARS = env_int("RECEIPT_RETENTION_YEARS", 10, minimum=10)
# The whole request body, files included (checked by budget.middleware before anything is read,
# so nobody streams gigabytes into the temp folder): one receipt plus the form and a margin.
# deploy/nginx-beschlusskasse.conf sets the same limit as client_max_body_size.
DATA_UPLOAD_MAX_MEMORY_SIZE = RECEIPT_MAX_BYTES + 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
# With RECEIPTS_X_ACCEL set (e.g. /_receipts/), the receipt view checks access and hands the file
# to nginx's internal location of that name via X-Accel-Redirect instead of streaming it itself.
RECEIPTS_X_ACCEL = env_str("RECEIPTS_X_ACCEL")

# The audit trail is read, never used to roll a record back: a revert would bypass the rules.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Mail (claims: the treasurers hear of new claims, claimants of decisions and payouts).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "beschlusskasse@localhost")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS. With DEBUG off everything is on by default; behind a TLS-terminating proxy that does not
# send X-Forwarded-Proto, or for a plain-HTTP test, switch the parts off by environment.
# (Test runs keep plain HTTP: the test client and the live server speak no TLS.)
_PRODUCTION = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a monitor on the same host may ask over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _PRODUCTION else 0)
# Both reach beyond this app (every subdomain; a browser list that is slow to leave), so they are
# a decision for whoever runs the domain: off unless switched on.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
# The proxy (deploy/nginx-beschlusskasse.conf) says whether the browser spoke HTTPS. Only trust
# the header when a proxy that overwrites it stands in front; switch off otherwise.
if env_bool("SECURE_PROXY_SSL_HEADER", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sessions end after a working day: the app runs on shared office computers.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Browser features the app never uses (budget.middleware sends the header on every response).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)

# Content-Security-Policy (django-csp): everything from our own origin, no inline script or
# style anywhere (templates keep them in static/), no plugins, no framing by others. Bootstrap's
# CSS draws its icons (select arrow, close button) as data: SVG images; the booking form previews
# the chosen photo from a blob: URL of the local file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    }
}


def _email_from_url(url: str) -> dict:
    """``EMAIL_URL``: ``smtp://user:password@host:25``, ``submission://…`` (587, STARTTLS),
    ``smtps://…`` (465, TLS) or ``console://``; user and password percent-encoded."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    ports = {"smtp": 25, "submission": 587, "smtp+tls": 587, "smtps": 465, "smtp+ssl": 465}
    if scheme not in ports or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must look like smtp://user:password@host:port, got scheme {scheme!r}"
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or ports[scheme],
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme in {"submission", "smtp+tls"},
        "EMAIL_USE_SSL": scheme in {"smtps", "smtp+ssl"},
    }


# Mail is only used for password reset. Without a mail server the reset pages answer 404 and the
# login page offers no link (budget.views.accounts); under DEBUG mails go to the console.
if env_str("EMAIL_URL"):
    globals().update(_email_from_url(env_str("EMAIL_URL")))
    MAIL_CONFIGURED = True
elif env_str("EMAIL_HOST"):
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    MAIL_CONFIGURED = True
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    MAIL_CONFIGURED = True
else:
    MAIL_CONFIGURED = False
PASSWORD_RESET_TIMEOUT = 2 * 3600
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "beschlusskasse@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

"""One settings module, read from the environment.

The embedded default (no variable set at all) is a sandbox on SQLite with a generated
root key and secret key in the git-ignored ``data/`` folder. Every helper fails loudly on
a value it cannot read, so a typo never silently becomes a default.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def database_from_url(url: str) -> dict:
    """Turn a DATABASE_URL (postgres://... or sqlite:///path) into a DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": os.environ.get("DATABASE_TEST_NAME") or None},
        }
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
        return sqlite_database(path)
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite:///, got {parsed.scheme!r}"
    )


def sqlite_database(path: str | Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Several gunicorn workers share the file: WAL lets readers run beside a writer,
        # IMMEDIATE makes a writer take the lock when its transaction starts (so two
        # writers queue instead of deadlocking on an upgrade), and the timeout makes the
        # second one wait instead of failing with "database is locked".
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "CONN_MAX_AGE": None,
    }


DATA_DIR = Path(os.environ.get("KMS_DATA_DIR") or BASE_DIR / "data")

DEBUG = envbool("DJANGO_DEBUG", "1")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    # Sandbox mode: a secret generated once and kept beside the database.
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret_file = DATA_DIR / "secret_key"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    SECRET_KEY = secret_file.read_text().strip()

_hosts = os.environ.get("ALLOWED_HOSTS", "")
if _hosts.strip():
    ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()]
elif DEBUG:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "kms",
    "console",
]

MIDDLEWARE = [
    # First, so that an API request never touches sessions, CSRF or templates.
    "kms.api.middleware.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.shell",
            ],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(DATA_DIR / "kms.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "kms.User"
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve straight from the app and project folders: no generated static tree to build
# or to commit.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Behind HTTPS in production: cookies only over TLS, and HSTS.
    SESSION_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- OKMS ---------------------------------------------------------------------------
KMS_REGION = os.environ.get("KMS_REGION", "eu-west-2")
KMS_DEFAULT_KEY_QUOTA = envint("KMS_DEFAULT_KEY_QUOTA", 20, minimum=1)
# Length of one day of a deletion waiting period, in seconds: a trainer can make a
# 7-day wait pass in 7 minutes with 60.
KMS_DAY_SECONDS = envint("KMS_DAY_SECONDS", 86400, minimum=1)
# Base64 of 32 bytes. When unset, a key file is generated in DATA_DIR (sandbox only).
KMS_ROOT_KEY = os.environ.get("KMS_ROOT_KEY", "")
if not KMS_ROOT_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "KMS_ROOT_KEY must be set when DJANGO_DEBUG is off "
        "(base64 of 32 random bytes: python -c "
        "'import os, base64; print(base64.b64encode(os.urandom(32)).decode())')"
    )
KMS_ROOT_KEY_FILE = DATA_DIR / "root.key"
# Read operations and refusals are recorded in batches, at most this many seconds late
# (0: at once). Changes are always recorded in their own transaction.
KMS_ACTIVITY_FLUSH_SECONDS = float(os.environ.get("KMS_ACTIVITY_FLUSH_SECONDS", "1"))
# How long a process keeps an access key it has looked up (see
# kms.operations.access_key_and_secret); 0 looks it up on every call.
KMS_ACCESS_KEY_CACHE_SECONDS = float(os.environ.get("KMS_ACCESS_KEY_CACHE_SECONDS", "1"))
# Maximum clock skew accepted in a SigV4 request, in seconds.
KMS_MAX_CLOCK_SKEW = envint("KMS_MAX_CLOCK_SKEW", 15 * 60, minimum=1)
# The base URL that the console shows in osc-cli/boto3 snippets; the request's own
# scheme and host when empty.
KMS_PUBLIC_ENDPOINT = os.environ.get("KMS_PUBLIC_ENDPOINT", "")

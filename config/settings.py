"""Settings for the archive, read from environment variables with safe local defaults.

Production needs DJANGO_DEBUG=0, a real DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

import contextlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(int(default))).strip().lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# What Django's deployment check asks of a secret key (security.W009): its length, and some variety.
_MIN_SECRET_KEY_LENGTH, _MIN_SECRET_KEY_CHARACTERS = 50, 5
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG:
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    _missing = []
    if (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < _MIN_SECRET_KEY_LENGTH
            or len(set(SECRET_KEY)) < _MIN_SECRET_KEY_CHARACTERS):
        _missing.append(f"DJANGO_SECRET_KEY (a random string of at least {_MIN_SECRET_KEY_LENGTH} characters, "
                        "not the development key)")
    if not ALLOWED_HOSTS:
        _missing.append("DJANGO_ALLOWED_HOSTS (comma-separated host names)")
    if _missing:
        raise ImproperlyConfigured("With DJANGO_DEBUG=0, set " + " and ".join(_missing) + ".")

# HTTPS only, on by default in production: redirect plain HTTP, tell browsers to come back over
# HTTPS for a year (subdomains included; "preload" takes effect only if the domain is submitted to
# the browsers' list), and send cookies over HTTPS alone. DJANGO_HTTPS=0 serves plain HTTP, as on
# 127.0.0.1; `manage.py check --deploy` then warns about each of these.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_SSL_REDIRECT
# Behind a proxy that terminates TLS, gunicorn itself marks a request secure from the proxy's
# X-Forwarded-Proto when the proxy is one of its --forwarded-allow-ips (127.0.0.1 by default).

# Everything the archive writes: the SQLite database, the search index and the original dumps.
ARCHIVE_DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / "var")).resolve()
ARCHIVE_ORIGINALS_DIR = ARCHIVE_DATA_DIR / "originals"
# SQLite needs the folder to exist; if it cannot be made, the commands that write say so clearly.
with contextlib.suppress(OSError):
    ARCHIVE_DATA_DIR.mkdir(parents=True, exist_ok=True)
# Where the site is served, for the absolute links in exports; empty gives site-relative links.
ARCHIVE_SITE_URL = os.environ.get("ARCHIVE_SITE_URL", "").rstrip("/")
# How long an import waits for another process's hold on the search index's write lock.
ARCHIVE_INDEX_LOCK_TIMEOUT = int(os.environ.get("ARCHIVE_INDEX_LOCK_TIMEOUT", "60"))
# Seconds an import gives one file to be read and parsed before it stops it and fails the file:
# a dump at the size limit takes a few seconds, and markup made to be slow must not hold the batch.
ARCHIVE_PARSE_TIME_LIMIT = float(os.environ.get("ARCHIVE_PARSE_TIME_LIMIT", "60"))
# Megabytes an import leaves free in the data folder (for an index batch, its merges and SQLite's
# commit): it stops before storing a file that would eat into them.
ARCHIVE_MIN_FREE_MB = int(os.environ.get("ARCHIVE_MIN_FREE_MB", "100"))
# Exports (the search's CSV) streaming at once, across the server's workers; more wait (429).
ARCHIVE_EXPORT_SLOTS = int(os.environ.get("ARCHIVE_EXPORT_SLOTS", "2"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "haystack",
    "axes",
    "archive",
]

MIDDLEWARE = [
    "archive.timing.ServerTimingMiddleware",  # first: the CPU time of all the rest
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "archive.middleware.RefuseTraceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it answers a refused login
]

# Pages load only the site's own files: no inline script or style (the templates and the SVG
# charts have none, nor has Django's admin), no plugins, no framing by other sites.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Also sent by SecurityMiddleware and XFrameOptionsMiddleware (nosniff is Django's default).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# Any database Django supports by URL alone (DATABASE_URL=postgres://user:password@host:5432/name),
# its connections kept a minute between requests and checked before reuse; otherwise SQLite in the
# data folder.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60,
                                                  conn_health_checks=True)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ARCHIVE_DATA_DIR / "archive.sqlite3"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Wait for a concurrent writer instead of failing at once; take the write lock when a
        # transaction begins, so two writers queue instead of failing half-way.
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        # Write-ahead log: readers are not blocked by the import, and a commit is cheap. A killed
        # process loses no committed transaction; a power cut may undo the last few, never corrupt.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Logins (the admin's) are counted by django-axes in the database, across the server's workers:
# after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused (429) for AXES_COOLOFF_TIME, even with the right password; every refused try starts the
# cool-off again, and a login that succeeds clears the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "login_locked.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = ARCHIVE_DATA_DIR / "static"


class DevelopmentStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """collectstatic writes what production serves (hashed, compressed copies and their manifest),
    so that a data folder `make serve` collected also serves with DJANGO_DEBUG=0; pages link the
    plain names, which need no manifest (tests render pages without collecting, DEBUG off)."""

    def url(self, name, force=False):
        return FileSystemStorage.url(self, name)


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files in production; the plain names while developing and testing.
    "staticfiles": {
        "BACKEND": "config.settings.DevelopmentStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Full-text search: a Whoosh index in the data folder, fed with words our own code has already
# normalised and cut (archive/search/words.py), through the engine interface (archive/search/interface.py).
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": os.environ.get("ARCHIVE_SEARCH_ENGINE", "archive.search.engine.backend.ArchiveWhooshEngine"),
        "PATH": os.environ.get("ARCHIVE_SEARCH_PATH", str(ARCHIVE_DATA_DIR / "whoosh")),
        # How long a writer waits for another process's hold on the index's write lock.
        "LOCK_TIMEOUT": ARCHIVE_INDEX_LOCK_TIMEOUT,
        "INCLUDE_SPELLING": False,
    },
}
# Articles are indexed when their transaction commits, links included (archive/search/indexing.py).
HAYSTACK_SIGNAL_PROCESSOR = "archive.search.indexing.IndexOnCommitSignalProcessor"
# One model is indexed: no need to narrow every search to it.
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False

# Logs go to stderr, which gunicorn and `make serve` keep: left to Django's defaults, a server
# error with DEBUG off would be mailed to ADMINS (there are none) and printed nowhere. A request
# with a Host header not in ALLOWED_HOSTS (400) is logged in one line, without its traceback.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "WARNING").upper()
_LOG_FORMAT = "{asctime} {levelname} {name}: {message}"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": _LOG_FORMAT, "style": "{"},
        "one_line": {"class": "archive.middleware.OneLineFormatter", "format": _LOG_FORMAT, "style": "{"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "stderr_one_line": {"class": "logging.StreamHandler", "formatter": "one_line"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "django.security.DisallowedHost": {"handlers": ["stderr_one_line"], "level": LOG_LEVEL, "propagate": False},
    },
}

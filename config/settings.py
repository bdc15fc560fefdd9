"""Settings for the archive, read from environment variables with safe local defaults.

Production needs DJANGO_DEBUG=0, a real DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

import contextlib
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(int(default))).strip().lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG:
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
elif not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or not ALLOWED_HOSTS:
    raise ImproperlyConfigured("With DJANGO_DEBUG=0, set DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.")

# Everything the archive writes: the SQLite database, the search index and the original dumps.
ARCHIVE_DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / "var")).resolve()
ARCHIVE_ORIGINALS_DIR = ARCHIVE_DATA_DIR / "originals"
# SQLite needs the folder to exist; if it cannot be made, the commands that write say so clearly.
with contextlib.suppress(OSError):
    ARCHIVE_DATA_DIR.mkdir(parents=True, exist_ok=True)
# Where the site is served, for the absolute links in exports; empty gives site-relative links.
ARCHIVE_SITE_URL = os.environ.get("ARCHIVE_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "haystack",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ARCHIVE_DATA_DIR / "archive.sqlite3",
        "OPTIONS": {
            # Wait for a concurrent writer instead of failing at once; take the write lock when a
            # transaction begins, so two writers queue instead of failing half-way.
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            # Write-ahead log: readers are not blocked by the import, and a commit is cheap. A killed
            # process loses no committed transaction; a power cut may undo the last few, never corrupt.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files in production; plain files while developing and testing.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Full-text search: a Whoosh index in the data folder, fed with text our own code has already
# normalised and segmented (archive/text.py), so another haystack backend gives the same results.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": os.environ.get("ARCHIVE_SEARCH_ENGINE", "archive.search_backend.ArchiveWhooshEngine"),
        "PATH": os.environ.get("ARCHIVE_SEARCH_PATH", str(ARCHIVE_DATA_DIR / "whoosh")),
        "URL": os.environ.get("ARCHIVE_SEARCH_URL", ""),
        "INDEX_NAME": os.environ.get("ARCHIVE_SEARCH_INDEX", "archive"),
        "INCLUDE_SPELLING": False,
    },
}
# Articles are indexed when their transaction commits, links included (archive/signals.py).
HAYSTACK_SIGNAL_PROCESSOR = "archive.signals.IndexOnCommitSignalProcessor"
# One model is indexed: no need to narrow every search to it.
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False

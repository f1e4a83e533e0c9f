"""Settings shared by every environment. Environment-specific modules import this and fail closed."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value; use 1 or 0.")


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

INSTALLED_APPS = [
    # Django's admin on our own site class: optional two-factor login (iop_site/admin.py).
    "iop_site.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "simple_history",
    "faq",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out gzipped (an FAQ page: 6 KB -> 2.5 KB). Django's gzip pads each response with random bytes
    # against BREACH; static files never reach it (whitenoise serves its own precompressed copies). It sits
    # outside the page cache, which stores pages uncompressed for every client.
    "django.middleware.gzip.GZipMiddleware",
    # How long nginx's micro-cache may keep a reader's page (iop_site/proxy_cache.py); outside the page cache.
    "iop_site.proxy_cache.MicroCacheMiddleware",
    # Readers' public pages from the cache, with every header the middleware below adds (faq/caching.py).
    "faq.caching.PageCacheMiddleware",
    "faq.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Records which staff member made each admin change in the content history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "faq.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iop_site.urls"
WSGI_APPLICATION = "iop_site.wsgi.application"

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
                "faq.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and answer 503) when the database host does not answer, instead of hanging the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first: new and changed passwords use it; older PBKDF2 hashes still work and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files browsers ask for at the site's root (favicon.ico), served by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

# The page cache: in-process memory on one server; Redis, shared by every app server, when REDIS_URL is set.
# Entries are keyed by the content version, so they are never stale; the timeout only bounds memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "iop",
            # Fail fast if Redis goes away: pages are then served uncached, not late.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "iop-pages",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = 3600

# Where load_content and export_content read and write the markdown files.
CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "content"))

# Where `manage.py backup_site` writes backups (deploy/: /var/lib/iop/backups on a server).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))

# load_content refuses content that fails the editorial checks (faq/quality.py). Only the test settings turn
# this off, for tests of the loader's mechanics that use tiny made-up folders.
CONTENT_CHECKS_ON_LOAD = True

# The absolute address of the public site, used for canonical URLs and the sitemap.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# How long a CDN or proxy may keep a public page before asking again (ETag/Last-Modified make that cheap).
PUBLIC_PAGE_MAX_AGE = int(os.environ.get("PUBLIC_PAGE_MAX_AGE", "300"))

# The editor's live preview: our own sanitising renderer, our own staff-only endpoint.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "faq.rendering.render_preview"
MARKDOWNX_URLS_PATH = "/staff/markdown/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/staff/markdown/upload/"
MARKDOWNX_UPLOAD_MAX_SIZE = 0
MARKDOWNX_UPLOAD_CONTENT_TYPES = []
# The largest answer the preview will render; longer text gets a clear message instead.
MARKDOWN_PREVIEW_MAX_CHARS = 100_000

LOGIN_URL = "admin:login"

# Readers get no cookies: sessions and CSRF cookies exist only where staff log in (the admin).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # markdownx's preview script reads the token from the form field, not the cookie.

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Only our own files, no inline script or style (admin included), no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],  # the admin editor's live preview
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Browser features no page here uses, turned off (faq/middleware.py sends the header).
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]  # fmt: skip

# The largest request body Django reads (Django's default, stated): a 100,000-character answer fits; more is a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Staff logins, django-axes: 5 failed passwords for one user name from one address lock that pair out for
# 15 minutes (answer 429); a success does not wipe earlier failures. Lockouts are logged with the user name.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, as django-axes requires
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "faq.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "faq.security.client_ip"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Keep addresses and one-time codes out of log lines and stored form data; failed attempts (with the address)
# stay in the database only until their 15 minutes are over. Successful logins are not recorded by axes.
AXES_SENSITIVE_PARAMETERS = ["ip_address", "otp_token"]
AXES_DISABLE_ACCESS_LOG = True

# Two-factor login for staff (django-otp, TOTP apps): a staff member who has an authenticator device must
# always give its code; with ADMIN_REQUIRE_2FA=1 every staff member must have one (iop_site/admin.py).
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "IOP staff"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Privacy: whatever a log line says, a client address in it keeps only its network part (README, Privacy).
    "filters": {"truncate_ips": {"()": "iop_site.log_filters.TruncateIPAddresses"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["truncate_ips"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "faq": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

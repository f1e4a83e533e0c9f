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


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number; use digits only, e.g. {default}.")
    return int(value)


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
    # English, or Spanish under /es/: from the address only (faq/middleware.py).
    "faq.middleware.ReaderLanguageMiddleware",
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
    # /healthz and /readyz for any Host (load balancers probe with an IP address), before the Host check below.
    "faq.health.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Records which staff member made each admin change in the content history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions end after ADMIN_IDLE_TIMEOUT idle and ADMIN_SESSION_MAX_AGE in all; readers are not touched.
    "faq.middleware.StaffSessionTimeoutMiddleware",
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
                "django.template.context_processors.i18n",
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

LANGUAGE_CODE = "en"
# The site's languages: English, and Spanish under /es/. Interface text is translated in locale/es/ (compiled by
# `make setup`); content is translated in content/es/.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
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
# Fail fast if Redis hangs or goes away (a page from Redis on the LAN takes a few ms): one try, no retries; after
# a few failures the page cache skips Redis for a while (faq/caching.py). Pages are then served uncached, not late.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.1, "socket_timeout": 0.1}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "iop",
            "OPTIONS": REDIS_CACHE_OPTIONS,
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
MARKDOWNX_MARKDOWNIFY_FUNCTION = "faq.preview.render_preview"
MARKDOWNX_URLS_PATH = "/staff/markdown/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/staff/markdown/upload/"
MARKDOWNX_UPLOAD_MAX_SIZE = 0
MARKDOWNX_UPLOAD_CONTENT_TYPES = []
# The largest answer the preview will render; longer text gets a clear message instead (the limit of a body).
MARKDOWN_PREVIEW_MAX_CHARS = 100_000

# Clinical sign-off: with this on, a reviewer cannot approve a change they made; a second reviewer must.
# On unless the environment says 0 (iop_site/settings/local.py turns it off for `make run`).
SIGNOFF_TWO_PEOPLE = env_bool("SIGNOFF_TWO_PEOPLE", True)
# Days a translation may stay behind its changed English entry before `manage.py translation_status` fails.
TRANSLATION_GRACE_DAYS = env_int("TRANSLATION_GRACE_DAYS", 30)

LOGIN_URL = "admin:login"

# Staff are logged out after ADMIN_IDLE_TIMEOUT seconds without a request (default 30 minutes) and, however
# active, ADMIN_SESSION_MAX_AGE seconds after logging in (default 10 hours, a working day): faq/middleware.py.
ADMIN_IDLE_TIMEOUT = env_int("ADMIN_IDLE_TIMEOUT", 1800)
ADMIN_SESSION_MAX_AGE = env_int("ADMIN_SESSION_MAX_AGE", 36_000)
if ADMIN_IDLE_TIMEOUT < 60:
    raise ImproperlyConfigured("ADMIN_IDLE_TIMEOUT must be at least 60 seconds (the default is 1800: 30 minutes).")
if ADMIN_SESSION_MAX_AGE < ADMIN_IDLE_TIMEOUT:
    raise ImproperlyConfigured(
        f"ADMIN_SESSION_MAX_AGE ({ADMIN_SESSION_MAX_AGE}) must be at least ADMIN_IDLE_TIMEOUT ({ADMIN_IDLE_TIMEOUT})."
    )
SESSION_COOKIE_AGE = ADMIN_SESSION_MAX_AGE  # the browser drops the cookie by then too (Django's default: 14 days)

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
# Whose address that is (faq/security.py): 0, the default, trusts no X-Forwarded-For (gunicorn reached directly);
# N means N proxies of our own each append the address they saw (nginx: $proxy_add_x_forwarded_for), so the Nth
# entry from the right is the client's. Set it only when gunicorn can be reached through those proxies alone.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
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
# An authenticator's secret is shown once, to its owner, by add_totp_device: never again in the admin (its
# config and QR code pages), where another administrator could copy it.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Privacy: whatever a log line says, a client address in it keeps only its network part (README, Privacy).
    "filters": {
        "truncate_ips": {"()": "iop_site.log_filters.TruncateIPAddresses"},
        "one_line_bad_host": {"()": "iop_site.log_filters.OneLineBadHost"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["truncate_ips"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A Host not in ALLOWED_HOSTS: one warning line instead of an error with an 11-line traceback.
        "django.security.DisallowedHost": {"filters": ["one_line_bad_host"]},
        "faq": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

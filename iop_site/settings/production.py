"""Production settings: refuse to start unless the environment says how to run safely."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SITE_URL, env_list

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names, comma-separated (no '*').")

if not os.environ.get("SITE_URL") or not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL must be the site's public https:// address, e.g. https://iop.example.org.")

CSRF_TRUSTED_ORIGINS = [SITE_URL]

SECURE_SSL_REDIRECT = True
# The load balancer's health checks may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# --- Errors reach a person: mail to ADMINS, Sentry when SENTRY_DSN is set, JSON logs on LOG_FORMAT=json -----------
# (iop_site/observability.py; this block sets ADMINS, SERVER_EMAIL, DEFAULT_FROM_EMAIL and the EMAIL_* settings.)
from iop_site import observability  # noqa: E402

globals().update(observability.mail_settings())
LOGGING = observability.logging_settings(LOGGING)
observability.init_sentry()

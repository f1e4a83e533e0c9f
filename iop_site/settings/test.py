"""Settings for the test suite."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-" + "x9Q2" * 16
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "https://iop.example.org"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run before (or without) collectstatic: serve from the finders, skip the STATIC_ROOT scan.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Loader-mechanics tests use tiny made-up folders that are not meant to pass the editorial checks; the checks'
# own tests (tests/test_content_checks.py) and the real content/ tests turn them back on.
CONTENT_CHECKS_ON_LOAD = False

# Tests that need the two-person rule turn it on themselves.
SIGNOFF_TWO_PEOPLE = False

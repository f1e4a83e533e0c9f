"""Settings fail closed: production refuses to start without real values; make run's settings need none."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

GOOD = {
    "SECRET_KEY": "k3J9xq-Lm2Pz8Rt5Vw1Yb4Nc7Hd0Fg6Sa3Ej9Ku2Op5Iq8Uw1Ty4Rr7Ee0Ww3Qq6",
    "ALLOWED_HOSTS": "iop.example.org",
    "SITE_URL": "https://iop.example.org",
}


def run_django(settings_module, env, *args):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DEBUG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "missing, message",
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must list"),
        ("SITE_URL", "SITE_URL must be the site's public https:// address"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = run_django("iop_site.settings.production", env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run_django("iop_site.settings.production", {**GOOD, "SECRET_KEY": "django-insecure-" + "a" * 50}, "check")
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_django("iop_site.settings.production", GOOD, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_local_settings_need_no_environment_and_keep_debug_off():
    result = run_django(
        "iop_site.settings.local", {}, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"
    )
    assert (result.returncode, result.stdout.strip().splitlines()[-1]) == (0, "False"), result.stderr


def test_debug_accepts_only_yes_no_values():
    result = run_django("iop_site.settings.local", {"DEBUG": "maybe"}, "check")
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr


def test_database_url_selects_postgres():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_django(
        "iop_site.settings.local", {"DATABASE_URL": "postgres://u@127.0.0.1:5432/iop"}, "shell", "-c", code
    )
    assert result.stdout.strip().splitlines()[-1] == "django.db.backends.postgresql", result.stderr

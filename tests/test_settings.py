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


REAL_SITE = """---
name: Harbor Light Intensive Outpatient Program
phone: (617) 724-3100
email: intake@harborlight-iop.org
address: |-
  40 Water Street, Suite 3
  Boston, MA 02109
hours: Monday to Friday, 8 am to 6 pm
intake:
- Call us.
---

Welcome.
"""


@pytest.fixture
def real_identity(tmp_path):
    """A content folder whose site.md looks like a real program's, as it must before going live."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "site.md").write_text(REAL_SITE)
    return {"CONTENT_DIR": str(tmp_path / "content")}


def test_production_settings_pass_check_deploy(real_identity):
    result = run_django(
        "iop_site.settings.production", {**GOOD, **real_identity}, "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_fails_while_site_md_has_example_values():
    result = run_django("iop_site.settings.production", GOOD, "check", "--deploy")
    assert result.returncode != 0
    assert "(faq.E003) content/site.md:3: phone '(617) 555-0142' is an example value" in result.stderr
    assert "content/site.md:4: email 'intake@example.org' is an example value" in result.stderr
    assert "Put the program's real phone in content/site.md" in result.stderr


def test_check_deploy_names_the_one_field_still_an_example(real_identity, tmp_path):
    site = tmp_path / "content" / "site.md"
    site.write_text(REAL_SITE.replace("intake@harborlight-iop.org", "intake@example.com"))
    result = run_django("iop_site.settings.production", {**GOOD, **real_identity}, "check", "--deploy")
    assert result.returncode != 0
    assert "content/site.md:4: email 'intake@example.com'" in result.stderr
    assert "phone" not in result.stderr


def test_plain_check_ignores_example_values_outside_deploy():
    result = run_django("iop_site.settings.production", GOOD, "check")
    assert result.returncode == 0, result.stderr


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


def test_check_deploy_fails_without_a_site_file(tmp_path):
    (tmp_path / "content").mkdir()
    result = run_django(
        "iop_site.settings.production", {**GOOD, "CONTENT_DIR": str(tmp_path / "content")}, "check", "--deploy"
    )
    assert result.returncode != 0
    assert "(faq.E001) content/site.md is missing" in result.stderr

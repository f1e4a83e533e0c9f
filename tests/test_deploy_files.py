"""The files in deploy/: the renderer refuses bad input, the example env file lists every setting read, every
shipped file is used."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.front import DEPLOY, NGINX, REPO, make_certificates, nginx_main_config, read_env_file, require_tools

SETTINGS_SOURCES = [
    *sorted((REPO / "iop_site" / "settings").glob("*.py")),
    REPO / "iop_site" / "observability.py",
    REPO / "gunicorn.conf.py",
]
READ = re.compile(r"""(?:environ\.get|environ\[|env_bool|env_list|env_int|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def render(*args):
    return subprocess.run([sys.executable, DEPLOY / "render.py", *args], capture_output=True, text=True)


def test_the_example_env_file_lists_every_setting_production_reads():
    read = {name for path in SETTINGS_SOURCES for name in READ.findall(path.read_text())}
    listed = set(re.findall(r"(?m)^#?([A-Z][A-Z0-9_]+)=", (DEPLOY / "iop.env.example").read_text()))
    assert read >= {"SECRET_KEY", "SENTRY_DSN", "ADMINS", "WEB_CONCURRENCY"}  # the scan finds them
    assert read - listed == set()


def test_the_example_env_file_switches_on_what_a_server_behind_nginx_needs():
    values = read_env_file(DEPLOY / "iop.env.example")
    assert values["DJANGO_SETTINGS_MODULE"] == "iop_site.settings.production"
    assert values["SECURE_PROXY_SSL_HEADER"] == "1" and values["TRUSTED_PROXY_COUNT"] == "1"
    assert values["DATABASE_URL"].startswith("sqlite:////var/lib/iop/")
    assert values["SECRET_KEY"] == ""  # never a shipped key: production refuses to start until one is set


def test_rendering_for_a_server_uses_certbots_paths_and_the_standard_ports(tmp_path):
    result = render("--server-name", "iop.clinic.example", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    site = (tmp_path / "etc/nginx/sites-available/iop.conf").read_text()
    assert "ssl_certificate /etc/letsencrypt/live/iop.clinic.example/fullchain.pem;" in site
    assert "listen [::]:443 ssl http2;" in site and "listen 0.0.0.0:80;" in site
    assert "return 301 https://iop.clinic.example$request_uri;" in site
    assert f"include {tmp_path}/etc/nginx/snippets/iop-security-headers.conf;" in site
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "@" not in re.sub(r"@app|@\d+", "", site)  # no placeholder left
    service = (tmp_path / "etc/systemd/system/iop.service").read_text()
    assert "ExecStart=/srv/iop/app/.venv/bin/gunicorn iop_site.wsgi --config gunicorn.conf.py" in service
    assert "EnvironmentFile=/etc/iop/iop.env" in service


@pytest.mark.parametrize(
    "args, message",
    [
        (["--server-name", "Bad Name"], "is not a host name like iop.example.org"),
        (["--server-name", "iop.example.org", "--app-dir", "relative/path"], "must be an absolute path"),
        (["--server-name", "iop.example.org", "--app-dir", "/srv/iop; rm -rf /"], "must be an absolute path"),
        ([], "the following arguments are required: --server-name"),
    ],
)
def test_the_renderer_refuses_bad_values_and_writes_nothing(tmp_path, args, message):
    result = render(*args, "--root", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_file_in_deploy_is_used_by_a_test_or_rendered():
    tests = "\n".join(path.read_text() for path in (REPO / "tests").glob("*.py"))
    renderer = (DEPLOY / "render.py").read_text()
    makefile = (REPO / "Makefile").read_text()
    shipped = [path for path in DEPLOY.rglob("*") if path.is_file() and "node_modules" not in path.parts]
    unused = [
        str(path.relative_to(DEPLOY)) for path in shipped
        if str(path.relative_to(DEPLOY)) not in renderer and path.name not in tests and path.name not in makefile
        and path.name not in (REPO / "faq/management/commands/write_error_pages.py").read_text()
    ]  # fmt: skip
    assert unused == []


def test_units_are_named_as_the_readme_says(tmp_path):
    readme = (REPO / "README.md").read_text()
    render("--server-name", "iop.clinic.example", "--root", str(tmp_path))
    for unit in (tmp_path / "etc/systemd/system").iterdir():
        assert unit.name in readme, f"README does not mention {unit.name}"
    assert Path(DEPLOY / "iop.env.example").name in readme


def iop_manage(*args):
    return subprocess.run([DEPLOY / "iop-manage", *args], capture_output=True, text=True, timeout=120)


def test_iop_manage_runs_a_command_with_the_settings_file_read_as_systemd_reads_it(tmp_path):
    env_file = tmp_path / "iop.env"
    env_file.write_text(
        "# a comment\nDJANGO_SETTINGS_MODULE=iop_site.settings.local\nADMINS=Dana Ortiz <dana@clinic.example>\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'db.sqlite3'}\nSITE_URL='https://quoted.example'\n"
    )
    script = "import os; from django.conf import settings as s; print(os.environ['ADMINS'], s.SITE_URL, s.DEBUG)"
    result = iop_manage("--env-file", str(env_file), "--app-dir", str(REPO), "--user", "root",
                        "--set", "DEBUG=0", "shell", "-c", script)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Dana Ortiz <dana@clinic.example> https://quoted.example False"


def test_iop_manage_names_a_bad_settings_line_and_a_missing_account(tmp_path):
    env_file = tmp_path / "iop.env"
    env_file.write_text("SECRET_KEY=x\nnot a setting\n")
    bad_line = iop_manage("--env-file", str(env_file), "--user", "root", "check")
    assert f"{env_file}:2: not a KEY=value line: 'not a setting'" in bad_line.stderr
    env_file.write_text("SECRET_KEY=x\n")
    no_account = iop_manage("--env-file", str(env_file), "--user", "no-such-account-here", "check")
    assert "There is no account 'no-such-account-here'" in no_account.stderr


def test_the_site_rendered_with_the_servers_defaults_passes_nginx_t(tmp_path):
    """Every default path (app, socket, cache, logs, certbot's webroot) as on a server; only the certificate is
    the test's, since certbot has not run here."""
    require_tools()
    certificates = make_certificates(tmp_path / "tls", "iop.clinic.example")
    result = render("--server-name", "iop.clinic.example", "--root", str(tmp_path / "root"),
                    "--certificate", str(certificates["certificate"]),
                    "--certificate-key", str(certificates["key"]))  # fmt: skip
    assert result.returncode == 0, result.stderr
    (tmp_path / "root" / "log").mkdir()
    site = tmp_path / "root/etc/nginx/sites-available/iop.conf"
    config = nginx_main_config(tmp_path / "root", site, tmp_path / "nginx.pid", tmp_path / "error.log")
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-e", str(tmp_path / "error.log")],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr

"""The production front as the tests run it: the shipped deploy/ files, rendered for loopback, run as systemd would.

- deploy/render.py writes the nginx site and the units into a temporary root, with a certificate from a
  throw-away CA made here, and the env file is deploy/iop.env.example with test values filled in.
- The deploy unit's ExecStart lines run in order; gunicorn runs from the service unit's ExecStart, socket-activated
  on the socket unit's ListenStream by systemd-socket-activate (the same LISTEN_FDS hand-over as systemd), with
  NOTIFY_SOCKET so its READY=1 can be checked.
- nginx runs with Debian's own /etc/nginx/nginx.conf, changed only to include the rendered site and to keep its
  pid and logs in the temporary folder.
"""

import contextlib
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SOCKET_ACTIVATE = shutil.which("systemd-socket-activate") or "/usr/bin/systemd-socket-activate"
SERVER_NAME = "iop.test.example"
SECRET_KEY = "k3J9xq-Lm2Pz8Rt5Vw1Yb4Nc7Hd0Fg6Sa3Ej9Ku2Op5Iq8Uw1Ty4Rr7Ee0Ww3Qq6"
REAL_IDENTITY = {  # site.md must not hold example values for check --deploy (faq/checks.py)
    "phone: (617) 555-0142": "phone: (617) 724-3100",
    "email: intake@example.org": "email: intake@harborlight-iop.org",
    "100 Example Street, Suite 200": "40 Water Street, Suite 3",
    "Springfield, ST 00000": "Boston, MA 02109",
}


def require_tools():
    missing = [tool for tool in (NGINX, SOCKET_ACTIVATE, "/usr/bin/openssl") if not os.path.exists(tool)]
    if missing:
        pytest.fail(
            f"The deploy tests need {', '.join(missing)}. Install them with `make deploy-tools` (make test does).",
            pytrace=False,
        )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{shlex.join(map(str, command))} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


# --- certificates -------------------------------------------------------------------------------------------------


def make_certificates(folder, server_name):
    """A throw-away CA and a certificate for server_name signed by it: {"ca", "certificate", "key"} paths."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, request, certificate = (folder / n for n in ("ca.key", "ca.pem", "key.pem", "req.csr", "cert.pem"))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-days", "2", "-subj", "/CN=IOP tests throw-away CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-keyout", ca_key, "-out", ca])  # fmt: skip
    run(["openssl", "req", "-new", *ec, "-subj", f"/CN={server_name}", "-keyout", key, "-out", request])
    extensions = folder / "server.ext"
    extensions.write_text(
        f"subjectAltName=DNS:{server_name}\nbasicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    run(["openssl", "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
         "-extfile", extensions, "-out", certificate])  # fmt: skip
    return {"ca": ca, "certificate": certificate, "key": key}


# --- the shipped files ----------------------------------------------------------------------------------------------


def render(
    root, *, http_port, https_port, certificates, socket_path, state_dir, cache_dir, listen=("127.0.0.1",),
    server_name=SERVER_NAME,
):  # fmt: skip
    """deploy/render.py into root, for loopback; returns the rendered files by name."""
    addresses = [argument for address in listen for argument in ("--listen", address)]
    run([sys.executable, DEPLOY / "render.py", "--server-name", server_name, "--root", root, *addresses,
         "--app-dir", REPO, "--state-dir", state_dir, "--env-file", root / "etc/iop/iop.env",
         "--socket", socket_path, "--certificate", certificates["certificate"],
         "--certificate-key", certificates["key"], "--acme-root", root / "acme",
         "--cache-dir", cache_dir, "--log-dir", root / "log",
         "--http-port", str(http_port), "--https-port", str(https_port)])  # fmt: skip
    (root / "log").mkdir(exist_ok=True)
    return {
        "site": root / "etc/nginx/sites-available/iop.conf",
        **{path.name: path for path in (root / "etc/systemd/system").iterdir()},
    }


def parse_unit(path):
    """A systemd unit as {section: [(key, value), ...]}, keys in order (ExecStart may repeat)."""
    sections, current = {}, None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def unit_values(path, section, key):
    return [value for name, value in parse_unit(path).get(section, []) if name == key]


def read_env_file(path):
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments and blank lines skipped)."""
    values = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def write_env_file(path, **overrides):
    """deploy/iop.env.example with its settings replaced by overrides (commented ones switched on)."""
    lines = []
    for line in (DEPLOY / "iop.env.example").read_text().splitlines():
        match = re.match(r"^#?([A-Z_0-9]+)=(.*)$", line)
        if match and match.group(1) in overrides:
            line = f"{match.group(1)}={overrides[match.group(1)]}"
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def service_env(unit):
    """The environment systemd gives the unit's commands: its EnvironmentFile over a minimal PATH."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    for env_file in unit_values(unit, "Service", "EnvironmentFile"):
        env.update(read_env_file(env_file))
    return env


def exec_lines(unit, key="ExecStart"):
    return [shlex.split(line) for line in unit_values(unit, "Service", key)]


def real_content_copy(folder):
    """content/ with site.md naming a real-looking program, as it must be before check --deploy passes."""
    shutil.copytree(REPO / "content", folder)
    for site in (folder / "site.md", folder / "es" / "site.md"):
        if not site.exists() and site.parent != folder:
            continue  # no Spanish site file
        text = site.read_text()
        for example, real in REAL_IDENTITY.items():
            shown = site.relative_to(folder.parent)
            assert example in text, f"{shown} no longer has {example!r}; update tests/front.py"
            text = text.replace(example, real)
        site.write_text(text)
    return folder


# --- talking to it --------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list
    body: bytes
    version: str = ""

    def header(self, name):
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        if len(values) > 1:
            raise AssertionError(f"{name} appears {len(values)} times: {values}")
        return values[0] if values else None

    def all(self, name):
        return [value for key, value in self.headers if key.lower() == name.lower()]


def tls_context(ca):
    context = ssl.create_default_context(cafile=str(ca))
    context.set_alpn_protocols(["http/1.1"])
    return context


class _TLSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:port with SNI and certificate checks for the site's name (no DNS needed)."""

    def __init__(self, port, context, server_name=SERVER_NAME, timeout=10):
        super().__init__("127.0.0.1", port, context=context, timeout=timeout)
        self._server_name = server_name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


@dataclass
class Front:
    root: Path
    http_port: int
    https_port: int
    certificates: dict
    files: dict
    socket_path: Path
    app_log: Path
    nginx_log: Path
    env: dict
    manage: list = field(default_factory=list)  # deploy/iop-manage with this front's settings file
    processes: dict = field(default_factory=dict)

    def request(self, path, method="GET", headers=None, body=None, *, https=True, server_name=SERVER_NAME):
        headers = {"Host": SERVER_NAME, **(headers or {})}
        if https:
            connection = _TLSConnection(self.https_port, tls_context(self.certificates["ca"]), server_name)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Response(response.status, response.getheaders(), response.read(), f"HTTP/{response.version}")
        finally:
            connection.close()

    def app_requests(self):
        """Request lines gunicorn has logged so far (its access log: what reached the app)."""
        return re.findall(r'^\[[^]]+\] \[\d+\] \[INFO\] "([A-Z]+ [^"]*)"', self.app_log.read_text(), re.M)

    def app_requests_since(self, before, settle=0.5):
        """What reached the app after the first `before` requests; gunicorn logs a request just after answering it."""
        time.sleep(settle)
        return self.app_requests()[before:]

    def reload_nginx(self):
        self.processes["nginx"].send_signal(signal.SIGHUP)


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def nginx_main_config(root, site, pid, error_log):
    """Debian's nginx.conf with only the site, the pid file, the logs and the workers' user changed."""
    text = Path("/etc/nginx/nginx.conf").read_text()
    replacements = {
        r"(?m)^user .*;$": "user root;",  # the temporary folders are the test's own
        r"(?m)^pid .*;$": f"pid {pid};",
        r"(?m)^error_log .*;$": f"error_log {error_log} info;",
        r"(?m)^(\s*)access_log .*;$": rf"\1access_log {root / 'log' / 'other.access.log'};",
        r"(?m)^(\s*)include /etc/nginx/sites-enabled/\*;$": rf"\1include {site};",
    }
    for pattern, replacement in replacements.items():
        text, count = re.subn(pattern, replacement, text)
        assert count == 1, f"/etc/nginx/nginx.conf has no single line matching {pattern}"
    path = root / "nginx.conf"
    path.write_text(text)
    return path


@contextlib.contextmanager
def nginx(root, site):
    """nginx in the foreground with the rendered site; stopped gracefully at the end."""
    config = nginx_main_config(root, site, root / "nginx.pid", root / "log" / "error.log")
    run([NGINX, "-t", "-q", "-c", config, "-e", root / "log" / "error.log"])
    process = subprocess.Popen(
        [NGINX, "-c", str(config), "-e", str(root / "log" / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_gunicorn(files, socket_path, app_log, notify_socket=None):
    """gunicorn from the service unit's ExecStart, handed the socket unit's ListenStream as systemd would."""
    service, socket_unit = files["iop.service"], files["iop.socket"]
    (listen,) = unit_values(socket_unit, "Socket", "ListenStream")
    assert Path(listen) == Path(socket_path)
    Path(listen).parent.mkdir(parents=True, exist_ok=True)
    Path(listen).unlink(missing_ok=True)
    (command,) = exec_lines(service)
    (workdir,) = unit_values(service, "Service", "WorkingDirectory")
    env = service_env(service)
    if notify_socket:
        env["NOTIFY_SOCKET"] = str(notify_socket)
    # Like systemd, systemd-socket-activate starts the command on the first connection, with only the variables
    # it is given (-E) and LISTEN_FDS/LISTEN_PID for the socket on fd 3.
    variables = [argument for key, value in env.items() for argument in ("-E", f"{key}={value}")]
    with open(app_log, "a") as log:
        process = subprocess.Popen(
            [SOCKET_ACTIVATE, "-l", listen, *variables, *command], cwd=workdir, stdout=log, stderr=log
        )
    wait_for(lambda: Path(listen).exists(), 15, "systemd-socket-activate did not make the socket")
    return process


def stop(process, sig=signal.SIGTERM, timeout=30):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

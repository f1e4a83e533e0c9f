"""`make audit`: Lighthouse (mobile) on the home page, the FAQ index and an FAQ page, served as in production.

Starts gunicorn with the production settings on loopback (a fresh SQLite database in a temporary folder, the real
content/, collected static files) behind a small forwarding proxy that adds `X-Forwarded-Proto: https`, as the TLS
proxy in production does (Lighthouse's own requests, such as robots.txt, get it too), runs the Lighthouse pinned in
audit/package.json against Debian's Chromium, and prints the four category scores per page (the median of AUDIT_RUNS
runs, default 3), with every audit that cost points. Reports (HTML and JSON) go to artifacts/lighthouse/. Exits 1
if any score is below AUDIT_MIN_SCORE (default 100).
"""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "audit" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "artifacts" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = [
    ("home", "/"),
    ("faq-index", "/faq/"),
    ("faq-page", "/faq/does-medicare-cover-an-intensive-outpatient-program/"),
]
MIN_SCORE = int(os.environ.get("AUDIT_MIN_SCORE", "100"))
# Lighthouse's own advice for its run-to-run variance: several runs, report the median (of the performance score).
RUNS = int(os.environ.get("AUDIT_RUNS", "3"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(work, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="iop_site.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=os.environ.get("SITE_URL", "https://iop.example.org"),
        # The proxy below sends X-Forwarded-Proto: https, as the TLS proxy in front of the site does.
        SECURE_PROXY_SSL_HEADER="1",
        DATABASE_URL=f"sqlite:///{work / 'audit.sqlite3'}",
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def forwarding_proxy(upstream_port):
    """A loopback HTTP server that passes every request to gunicorn with X-Forwarded-Proto: https added."""

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["X-Forwarded-Proto"] = "https"
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                content = response.read()
            except OSError:
                self.send_error(502, "gunicorn is not answering (yet)")
                return
            finally:
                upstream.close()
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_HEAD = do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_until_up(process, base):
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310 (loopback)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start: see {REPORTS / 'gunicorn.log'}")
            time.sleep(0.2)


def lighthouse(url, name):
    REPORTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html",
            f"--output-path={REPORTS / name}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--only-categories=" + ",".join(CATEGORIES),
        ],
        env={**os.environ, "CHROME_PATH": CHROME}, check=True,
    )  # fmt: skip
    return json.loads((REPORTS / f"{name}.report.json").read_text())


def median_run(url, name):
    reports = [lighthouse(url, f"{name}-{run}") for run in range(1, RUNS + 1)]
    reports.sort(key=lambda report: report["categories"]["performance"]["score"] or 0)
    return reports[len(reports) // 2]


def lost_points(report):
    """Audits that count towards a category's score and did not fully pass."""
    lines = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                shown = audit.get("displayValue", "")
                lines.append(f"    {category['title']}: {audit['title']} (score {audit['score']:.2f}) {shown}".rstrip())
    return lines


def main():
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is missing: run `make audit` (it runs npm ci in audit/).")
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        env = production_env(Path(work), port)
        manage(env, "migrate", "--noinput")
        manage(env, "load_content")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        REPORTS.mkdir(parents=True, exist_ok=True)
        log = (REPORTS / "gunicorn.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "iop_site.wsgi", "--config", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        proxy = forwarding_proxy(port)
        base = f"http://127.0.0.1:{proxy.server_address[1]}"
        try:
            wait_until_up(process, base)
            results = [(path, median_run(base + path, name)) for name, path in PAGES]
        finally:
            proxy.shutdown()
            process.terminate()
            process.wait(timeout=30)
            log.close()

    version = results[0][1]["lighthouseVersion"]
    print(f"\nLighthouse {version}, mobile, production settings, median of {RUNS} runs; reports in {REPORTS}")
    print(f"{'page':<58} " + " ".join(f"{c:>14}" for c in CATEGORIES))
    below = False
    for path, report in results:
        scores = [round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES]
        below = below or min(scores) < MIN_SCORE
        print(f"{path:<58} " + " ".join(f"{s:>14}" for s in scores))
        for line in lost_points(report):
            print(line)
    if below:
        sys.exit(f"A score is below {MIN_SCORE}.")


if __name__ == "__main__":
    main()

"""`make bench`: load speed, page throughput against a static file, latency, queries, worker memory.

For each database (BENCH_DB: "sqlite", "postgres" or "sqlite,postgres"; default sqlite) and size (BENCH_SIZES,
default "1000,10000"; 100000 works too) it generates synthetic content, loads it into a fresh database, starts
gunicorn with the production settings on loopback, drives each page with wrk (or a Python load generator when wrk
is missing) at concurrency 16, and writes the tables to bench/RESULTS.md: one section per database, the other
database's section kept from its last run.

PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432), a database iop_bench_SIZE made afresh.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
PYTHON = sys.executable
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
DATABASES = os.environ.get("BENCH_DB", "sqlite").split(",")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
STATIC_NAME = "bench/same-size-as-faq-page.html"
PAGES = [
    ("home", "/"),
    ("FAQ index", "/faq/"),
    ("FAQ page", "/faq/faq-{middle}/"),
    ("topic page", "/faq/topics/treatment/?page=2"),
    ("search", "/search/?q=therapy+sessions"),
    ("search, words in every answer", "/search/?q=group+care"),
    ("sitemap index", "/sitemap.xml"),
    ("sitemap section", "/sitemap-faqs.xml?p={section}"),
]


def database_url(size, database="sqlite"):
    if database == "postgres":
        return f"{POSTGRES_URL}/iop_bench_{size}"
    return f"sqlite:///{WORK / f'db-{size}.sqlite3'}"


def fresh_database(env, size, database):
    if database == "postgres":
        import psycopg

        with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS iop_bench_{int(size)}")
            connection.execute(f"CREATE DATABASE iop_bench_{int(size)}")
    else:
        Path(env["DATABASE_URL"].removeprefix("sqlite:///")).unlink(missing_ok=True)


def django_env(size, database="sqlite"):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="iop_site.settings.production",
        SECRET_KEY="bench-" + "Zq8rT3vX" * 8,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="https://bench.example.org",
        SECURE_PROXY_SSL_HEADER="1",
        DATABASE_URL=database_url(size, database),
        CONTENT_DIR=str(WORK / f"content-{size}"),
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def in_django(env, script):
    """Run a helper script from bench/ inside a configured Django process; it prints one JSON object."""
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / script)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- load generation ------------------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{SECONDS}s", "--latency", "-H", "X-Forwarded-Proto: https", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))  # wrk pads "1.52s "
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
    }


def run_python_load(url):
    """Fallback when wrk is missing: CONCURRENCY keep-alive threads for SECONDS."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies, errors, stop = [], [0], time.monotonic() + SECONDS
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", target, headers={"X-Forwarded-Proto": "https"})
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / SECONDS,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99)],
        "errors": errors[0],
    }


LOADER = "wrk" if shutil.which("wrk") else "python (wrk not installed)"
drive = run_wrk if shutil.which("wrk") else run_python_load


# --- gunicorn -------------------------------------------------------------------------------------------------


def start_gunicorn(env, bind=None, ready=None):
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "iop_site.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            bind or f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(WORK / "gunicorn.log").open("w"),
    )  # fmt: skip  (a log file, not a pipe: a pipe nobody reads fills up and stalls the workers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if ready:
                ready()
            else:
                request = urllib.request.Request(f"http://127.0.0.1:{PORT}/", headers={"X-Forwarded-Proto": "https"})
                urllib.request.urlopen(request, timeout=2).read()  # noqa: S310 (a fixed http://127.0.0.1 address)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start:\n" + (WORK / "gunicorn.log").read_text()[-3000:])


def stop_gunicorn(process):
    process.send_signal(signal.SIGQUIT)  # quick shutdown: the measurement is over
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_rss_mb(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return max(sizes), len(sizes)


# --- through nginx: the production front (deploy/) in front of the same app --------------------------------------

FRONT_PAGES = [("FAQ page", "/faq/faq-{middle}/"), ("home", "/"), ("FAQ index", "/faq/")]


def run_through_nginx(env, size, static_path):
    """nginx from the shipped site file over TLS, in front of gunicorn on a unix socket: the static file of the
    same size, then the pages with the micro-cache warm. Rows are (name, path, stats, micro-cache hit share)."""
    from tests.front import free_port, make_certificates, nginx, render

    front = WORK / "front"
    shutil.rmtree(front, ignore_errors=True)
    front.mkdir(parents=True)
    socket_path = front / "gunicorn.sock"
    https_port = free_port()
    # wrk sends the URL's host as the TLS server name, and nginx answers only for the site's name: use localhost.
    files = render(
        front / "root", http_port=free_port(), https_port=https_port, server_name="localhost",
        certificates=make_certificates(front / "tls", "localhost"), socket_path=socket_path,
        state_dir=front / "state", cache_dir=front / "cache", listen=("127.0.0.1", "[::1]"),
    )  # fmt: skip

    def accepting():
        with socket.socket(socket.AF_UNIX) as unix:
            unix.connect(str(socket_path))

    gunicorn = start_gunicorn(env, bind=f"unix:{socket_path}", ready=accepting)
    base = f"https://localhost:{https_port}"
    access_log = front / "root" / "log" / "iop.access.log"
    rows = []
    try:
        with nginx(front / "root", files["site"]):
            for name, path in [("static file (same size as FAQ page)", static_path)] + [
                (name, path.format(middle=size // 2)) for name, path in FRONT_PAGES
            ]:
                # Warm: a few seconds of load, so every worker's page cache holds the page as well as nginx.
                if shutil.which("wrk"):
                    subprocess.run(["wrk", "-t2", "-c16", "-d3s", base + path], capture_output=True, check=False)
                _https_get(base + path)
                logged = len(access_log.read_text().splitlines())
                stats = drive(base + path)
                lines = access_log.read_text().splitlines()[logged:]
                hits = sum("cache=HIT" in line for line in lines) / len(lines) if lines else 0.0
                rows.append((name, path, stats, None if path == static_path else hits))
    finally:
        stop_gunicorn(gunicorn)
    return rows


def _https_get(url):
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the throw-away certificate of this run
    urllib.request.urlopen(url, timeout=10, context=context).read()  # noqa: S310 (https://localhost only)


def report_through_nginx(result):
    rows = result.get("front")
    if not rows:
        return []
    static_rps = rows[0][2]["rps"]
    lines = [
        "Through nginx (deploy/: TLS, HTTP/1.1 keep-alive, the micro-cache warm), each row against nginx serving the "
        "static file of the same size in the same run:",
        "",
        "| page | requests/s | × static via nginx | p50 ms | p99 ms | errors | micro-cache hits |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, stats, hits in rows:
        share = "" if hits is None else f"{hits:.1%}"
        lines.append(
            f"| {name} `{path}` | {stats['rps']:,.0f} | {stats['rps'] / static_rps:.2f} | {stats['p50']:.2f} | "
            f"{stats['p99']:.2f} | {stats['errors']} | {share} |"
        )
    return [*lines, ""]


# --- one size ---------------------------------------------------------------------------------------------------


def bench_size(size, database="sqlite"):
    from bench.generate import generate

    env = django_env(size, database)
    content = Path(env["CONTENT_DIR"])
    shutil.rmtree(content, ignore_errors=True)
    fresh_database(env, size, database)
    generate(content, size)
    manage(env, "migrate", "--noinput")
    loads = in_django(env, "load_timing.py")
    only = os.environ.get("BENCH_PAGES")
    section = max(1, size // 2 // 1000)  # a sitemap section page from the middle
    pages = [
        (name, path.format(middle=size // 2, section=section))
        for name, path in PAGES
        if not only or name in only.split(",") or name == "FAQ page"
    ]
    env["BENCH_PATHS"] = json.dumps([path for _, path in pages])
    queries = in_django(env, "query_counts.py")

    static_file = ROOT / "staticfiles" / STATIC_NAME
    static_file.parent.mkdir(parents=True, exist_ok=True)
    faq_path = next(path for name, path in pages if name == "FAQ page")
    static_file.write_bytes(b"x" * queries["sizes"][faq_path])
    gunicorn = start_gunicorn(env)
    try:
        rows = [
            (
                "static file (same size as FAQ page)",
                f"/static/{STATIC_NAME}",
                drive(f"http://127.0.0.1:{PORT}/static/{STATIC_NAME}"),
            )
        ]
        for name, path in pages:
            rows.append((name, path, drive(f"http://127.0.0.1:{PORT}{path}")))
        rss, workers = worker_rss_mb(gunicorn.pid)
    finally:
        stop_gunicorn(gunicorn)
    try:
        front = run_through_nginx(env, size, f"/static/{STATIC_NAME}") if Path("/usr/sbin/nginx").exists() else []
    finally:
        static_file.unlink(missing_ok=True)
    return {
        "size": size, "loads": loads, "queries": queries, "rows": rows, "rss": rss, "workers": workers, "front": front,
        "database": database,
    }  # fmt: skip


def section_title(database):
    """One section per database and set of sizes, so a 100,000 run does not replace the 1,000 and 10,000 one."""
    return f"{DATABASE_NAMES[database]}, {' and '.join(f'{size:,}' for size in SIZES)} FAQs"


def report(results, database):
    name = DATABASE_NAMES[database]
    lines = [
        f"## {section_title(database)}",
        "",
        f"Run {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, {name}, production settings, gunicorn on loopback, "
        f"load from {LOADER} at concurrency {CONCURRENCY} for {SECONDS} s per page; load average at the start "
        f"{os.getloadavg()[0]:.1f} (other work on the machine slows every row). "
        f"Re-run: `BENCH_DB={database} BENCH_SIZES={','.join(str(r['size']) for r in results)} make bench`.",
        "",
    ]
    for result in results:
        lines += report_size(result)
    lines += report_growth(results)
    return lines


def report_size(result):
    size, loads = result["size"], result["loads"]
    static_rps = result["rows"][0][2]["rps"]
    lines = [
        f"### {size:,} FAQs",
        "",
        "| page | requests/s | × static | p50 ms | p99 ms | errors | queries (uncached / cached) | bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    sizes = result["queries"]["sizes"]
    faq_bytes = next(sizes[path] for name, path, _ in result["rows"] if name == "FAQ page")
    for name, path, stats in result["rows"]:
        q = result["queries"]["counts"].get(path)
        queries = f"{q[0]} / {q[1]}" if q else "0"
        size_bytes = sizes.get(path, faq_bytes)  # the static file is the FAQ page's size
        lines.append(
            f"| {name} `{path}` | {stats['rps']:,.0f} | {stats['rps'] / static_rps:.2f} | {stats['p50']:.1f} | "
            f"{stats['p99']:.1f} | {stats['errors']} | {queries} | {size_bytes:,} |"
        )
    lines += [
        "",
        f"- `load_content`, first load: {loads['first_seconds']:.2f} s ({size / loads['first_seconds']:,.0f} files/s)",
        f"- `load_content`, second load, nothing changed: {loads['second_seconds']:.2f} s "
        f"({size / loads['second_seconds']:,.0f} files/s)",
        f"- `load_content`, 1 file changed among {size:,}: "
        + (f"{loads['one_changed_seconds']:.2f} s" if "one_changed_seconds" in loads else "not measured (BENCH_LOADS)"),
        f"- gunicorn worker resident memory after the run: {result['rss']:.0f} MB "
        f"(largest of {result['workers']} workers)",
        "",
    ]
    return lines + report_through_nginx(result)


def report_growth(results):
    first = {result["size"]: result["loads"]["first_seconds"] for result in results}
    if 1000 in first and 10000 in first:
        ratio = first[10000] / first[1000]
        return [f"First load of 10,000 files took {ratio:.1f}× the first load of 1,000 (target: at most 11×).", ""]
    return []


def write_results(sections):
    """RESULTS.md with this run's sections; every other section (other databases and sizes, notes) as it was."""
    path = ROOT / "bench" / "RESULTS.md"
    kept = {}
    if path.exists():
        for match in re.finditer(r"^## ([^\n]+)\n.*?(?=^## |\Z)", path.read_text(), re.M | re.S):
            kept[match.group(1).strip()] = match.group(0).rstrip("\n").split("\n")
    for database, lines in sections.items():
        kept[section_title(database)] = lines
    lines = ["# Benchmark results", ""]
    for section in kept.values():
        lines += [*section, ""]
    path.write_text("\n".join(lines).rstrip("\n") + "\n")
    print("\n".join(lines))


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    sections = {}
    for database in DATABASES:
        sections[database] = report([bench_size(size, database) for size in SIZES], database)
        write_results(sections)  # after each database: a later failure keeps what was measured


if __name__ == "__main__":
    main()

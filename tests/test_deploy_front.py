"""The production front for real: nginx from the shipped site file in front of socket-activated gunicorn, over TLS.

Everything starts from the files in deploy/ (tests/front.py): the deploy unit's commands prepare the site, the
service and socket units start gunicorn, nginx runs Debian's nginx.conf with the rendered site.
"""

import concurrent.futures
import gzip
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time

import pytest

from tests.front import (
    NGINX,
    REPO,
    SECRET_KEY,
    SERVER_NAME,
    Front,
    exec_lines,
    free_port,
    make_certificates,
    nginx,
    nginx_main_config,
    real_content_copy,
    render,
    require_tools,
    run,
    service_env,
    start_gunicorn,
    stop,
    unit_values,
    wait_for,
    write_env_file,
)

SECURITY_HEADERS = (
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)
STAFF_PASSWORD = "front-test-Staff-pass-8841"
SLUG = "can-my-family-be-part-of-my-care"  # an FAQ in content/


def run_unit_commands(unit, key="ExecStart"):
    (workdir,) = unit_values(unit, "Service", "WorkingDirectory")
    for command in exec_lines(unit, key):
        run(command, cwd=workdir, env=service_env(unit), timeout=300)


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    require_tools()
    tmp = tmp_path_factory.mktemp("front")
    http_port, https_port = free_port(), free_port()
    certificates = make_certificates(tmp / "tls", SERVER_NAME)
    socket_path = tmp / "run" / "gunicorn.sock"
    state = tmp / "state"
    state.mkdir()
    files = render(
        tmp / "root", http_port=http_port, https_port=https_port, certificates=certificates,
        socket_path=socket_path, state_dir=state, cache_dir=tmp / "cache",
    )  # fmt: skip
    write_env_file(
        tmp / "root" / "etc/iop/iop.env",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=SERVER_NAME,
        SITE_URL=f"https://{SERVER_NAME}:{https_port}",
        DATABASE_URL=f"sqlite:///{state / 'db.sqlite3'}",
        BACKUP_DIR=state / "backups",
        CONTENT_DIR=real_content_copy(tmp / "content"),
        WEB_CONCURRENCY=2,
    )
    run_unit_commands(files["iop-deploy.service"])
    env = service_env(files["iop.service"])
    site_manage = [REPO / "deploy/iop-manage", "--env-file", tmp / "root/etc/iop/iop.env", "--app-dir", REPO]
    site_manage += ["--user", "root"]
    run([*site_manage, "--set", f"DJANGO_SUPERUSER_PASSWORD={STAFF_PASSWORD}", "createsuperuser", "--noinput",
         "--username", "staff", "--email", "staff@harborlight-iop.org"])  # fmt: skip
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp / "notify.sock"))
    notify.settimeout(30)
    app_log = tmp / "gunicorn.log"
    app = start_gunicorn(files, socket_path, app_log, notify_socket=tmp / "notify.sock")
    site = Front(tmp / "root", http_port, https_port, certificates, files, socket_path, app_log,
                 tmp / "root" / "log" / "iop.access.log", env, manage=site_manage)  # fmt: skip
    site.notify = notify
    site.processes["app"] = app
    with nginx(tmp / "root", files["site"]) as server:
        site.processes["nginx"] = server
        wait_for(lambda: site.request("/healthz").status == 200, 60, "the site did not answer through nginx")
        yield site
    stop(site.processes["app"])
    notify.close()


def csp(value):
    return {part.strip().split(" ", 1)[0]: part.strip() for part in value.split(";") if part.strip()}


def security_headers(response):
    found = {}
    for name in SECURITY_HEADERS:
        values = response.all(name)
        assert len(values) == 1, f"{name} appears {len(values)} times in a {response.status} response"
        found[name] = csp(values[0]) if name == "Content-Security-Policy" else values[0]
    return found


def hashed_stylesheet():
    manifest = json.loads((REPO / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


def cached(front, path, headers=None, attempts=20):
    """Request path until nginx answers from its micro-cache (a copy lasts until the end of its second)."""
    for _ in range(attempts):
        response = front.request(path, headers=headers)
        if response.header("X-Cache-Status") == "HIT":
            return response
    raise AssertionError(f"{path}: no micro-cache hit in {attempts} requests")


# --- the units ---------------------------------------------------------------------------------------------------


def test_rendered_units_pass_systemd_analyze_verify(front):
    units = sorted(str(path) for name, path in front.files.items() if name.startswith("iop"))
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if "iop" in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_gunicorn_tells_systemd_it_is_ready_on_the_socket_it_was_handed(front):
    message = front.notify.recv(4096).decode()
    assert "READY=1" in message
    assert "Listening at: unix:" in front.app_log.read_text()


def test_the_deploy_step_wrote_nginx_error_pages_from_the_collected_stylesheet(front):
    page = (REPO / "staticfiles" / "errors" / "503.html").read_text()
    assert hashed_stylesheet() in page
    assert 'href="tel:988"' in page
    assert 'href="tel:988"' in (REPO / "staticfiles" / "errors" / "429.html").read_text()


def test_the_daily_jobs_unit_makes_a_backup_while_the_site_runs(front):
    run_unit_commands(front.files["iop-jobs.service"])
    (manifest,) = (front.root.parent / "state" / "backups").glob("iop-backup-*/manifest.json")
    assert json.loads(manifest.read_text())["tables"]["faq_faq"]["rows"] >= 30
    (timer,) = unit_values(front.files["iop-jobs.timer"], "Timer", "OnCalendar")
    assert timer == "*-*-* 03:15:00"


# --- TLS and the redirect -----------------------------------------------------------------------------------------


def test_plain_http_redirects_permanently_to_the_same_address_over_https(front):
    response = front.request("/faq/?page=2", https=False)
    assert response.status == 301
    assert response.header("Location") == f"https://{SERVER_NAME}:{front.https_port}/faq/?page=2"
    assert not any("page=2" in line for line in front.app_requests())  # nginx answered it alone


def test_certbot_challenges_are_served_over_plain_http(front):
    challenge = front.root / "acme" / ".well-known" / "acme-challenge" / "token-abc"
    challenge.parent.mkdir(parents=True, exist_ok=True)
    challenge.write_text("token-abc.key")
    response = front.request("/.well-known/acme-challenge/token-abc", https=False)
    assert (response.status, response.body) == (200, b"token-abc.key")


def test_https_offers_http2(front):
    context = ssl.create_default_context(cafile=str(front.certificates["ca"]))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", front.https_port)) as raw,
        context.wrap_socket(raw, server_hostname=SERVER_NAME) as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused(front):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(front.certificates["ca"]))
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.TLSv1_1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    with socket.create_connection(("127.0.0.1", front.https_port)) as raw, pytest.raises(ssl.SSLError):
        context.wrap_socket(raw, server_hostname=SERVER_NAME)


def test_another_host_name_gets_no_tls_handshake_and_no_http_answer(front):
    with pytest.raises(ssl.SSLError):
        front.request("/", server_name="other.example", headers={"Host": "other.example"})
    with pytest.raises(ConnectionError):
        front.request("/", https=False, headers={"Host": "other.example"})


# --- static files -------------------------------------------------------------------------------------------------


def test_static_files_come_from_nginx_not_gunicorn(front):
    before = len(front.app_requests())
    response = front.request(hashed_stylesheet())
    favicon = front.request("/favicon.ico")
    assert response.status == 200 and favicon.status == 200
    assert response.body == (REPO / "staticfiles" / hashed_stylesheet().removeprefix("/static/")).read_bytes()
    assert favicon.body == (REPO / "public" / "favicon.ico").read_bytes()
    assert front.app_requests_since(before) == []


def test_hashed_static_names_are_cached_for_a_year_and_others_briefly(front):
    assert front.request(hashed_stylesheet()).header("Cache-Control") == "public, max-age=31536000, immutable"
    assert front.request("/static/css/site.css").header("Cache-Control") == "public, max-age=60"


def test_static_files_go_out_as_their_precompressed_copies(front):
    path = hashed_stylesheet()
    response = front.request(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    on_disk = REPO / "staticfiles" / (path.removeprefix("/static/") + ".gz")
    assert response.header("Content-Encoding") == "gzip"
    assert response.body == on_disk.read_bytes()
    assert gzip.decompress(response.body) == front.request(path).body
    assert "Accept-Encoding" in response.header("Vary")


def test_static_files_and_pages_answer_304_to_a_current_copy(front):
    static = front.request(hashed_stylesheet())
    again = front.request(hashed_stylesheet(), headers={"If-None-Match": static.header("ETag")})
    assert (again.status, again.body) == (304, b"")
    page = front.request("/faq/")
    for _ in range(3):  # whether nginx answers from its cache or the app answers
        repeat = front.request("/faq/", headers={"If-None-Match": page.header("ETag")})
        assert (repeat.status, repeat.body) == (304, b"")


# --- pages ----------------------------------------------------------------------------------------------------------


def test_pages_reach_the_app_over_https_and_go_out_gzipped_by_the_app(front):
    plain = front.request("/faq/")
    packed = front.request("/faq/", headers={"Accept-Encoding": "br, gzip"})
    refused = front.request("/faq/", headers={"Accept-Encoding": "br, gzip;q=0"})
    assert plain.status == 200 and plain.header("Content-Encoding") is None
    assert packed.header("Content-Encoding") == "gzip"
    assert refused.header("Content-Encoding") is None and refused.body == plain.body
    assert gzip.decompress(packed.body) == plain.body
    assert f'href="https://{SERVER_NAME}:{front.https_port}/faq/"'.encode() in plain.body  # canonical: https
    assert plain.header("Set-Cookie") is None
    assert plain.header("X-Accel-Expires") is None  # for nginx only


def test_readers_pages_are_served_from_the_micro_cache(front):
    before = len(front.app_requests())
    responses = [cached(front, "/") for _ in range(5)]
    first = front.request("/")
    assert all(response.body == first.body for response in responses)
    assert len(front.app_requests_since(before)) <= 20  # about one per second per page, not one per request
    assert responses[0].header("Cache-Control") == "public, max-age=300"


def test_staff_with_a_session_bypass_the_micro_cache_and_never_fill_it(front):
    login = front.request("/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login.body).group(1).decode()
    csrf_cookie = login.header("Set-Cookie").split(";")[0]
    origin = f"https://{SERVER_NAME}:{front.https_port}"
    body = f"csrfmiddlewaretoken={token}&username=staff&password={STAFF_PASSWORD}&next=/admin/"
    posted = front.request(
        "/admin/login/", "POST", body=body,
        headers={"Cookie": csrf_cookie, "Content-Type": "application/x-www-form-urlencoded",
                 "Origin": origin, "Referer": origin + "/admin/login/"},
    )  # fmt: skip
    assert posted.status == 302, posted.body[:500]
    session = [c.split(";")[0] for c in posted.all("Set-Cookie") if c.startswith("sessionid=")][0]

    cached(front, "/faq/")  # a reader's copy is in the cache
    before = len(front.app_requests())
    staff = [front.request("/faq/", headers={"Cookie": session}) for _ in range(3)]
    assert [r.header("X-Cache-Status") for r in staff] == ["BYPASS"] * 3
    assert front.app_requests_since(before) == ["GET /faq/ HTTP/1.1"] * 3
    assert all("private" in r.header("Cache-Control") for r in staff)
    reader = front.request("/faq/")
    assert reader.header("Cache-Control") == "public, max-age=300"
    assert reader.header("Set-Cookie") is None


def test_admin_search_and_staff_addresses_are_never_cached(front):
    for path in ("/admin/login/", "/search/?q=group", "/staff/markdown/preview/"):
        before = len(front.app_requests())
        statuses = {front.request(path).header("X-Cache-Status") for _ in range(3)}
        assert len(front.app_requests_since(before)) == 3, path
        assert statuses == {None}, path


def measure_staleness(front, marker):
    """Readers keep asking for SLUG through nginx while its question changes to marker in the database; return how
    long after the change was committed a request could still start and get the old page."""
    seen, stop_event = [], threading.Event()

    def reader():
        while not stop_event.is_set():
            started = time.time()
            body = front.request(f"/faq/{SLUG}/").body
            seen.append((started, marker.encode() in body))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    script = (
        f"import time; from faq.models import FAQ; faq = FAQ.objects.get(slug={SLUG!r}); "
        f"faq.question = {marker!r}; faq.save(); print(time.time())"
    )
    try:
        result = run([*front.manage, "shell", "-c", script])
        committed = float(result.stdout.strip().splitlines()[-1])
        time.sleep(2.5)
    finally:
        stop_event.set()
        for thread in threads:
            thread.join()
    assert any(new for _, new in seen), "the change never showed"
    return max((started - committed for started, new in seen if not new and started > committed), default=0.0)


def test_a_page_is_never_served_more_than_one_second_after_a_change(front):
    staleness = [measure_staleness(front, f"Staleness probe {n} {time.time_ns()}") for n in range(3)]
    print(f"micro-cache staleness after a change, 3 runs: {', '.join(f'{s:.3f} s' for s in staleness)}")
    assert max(staleness) < 1.0, staleness


# --- limits ---------------------------------------------------------------------------------------------------------


def test_search_is_rate_limited_with_a_429_page_that_has_the_crisis_line(front):
    assert front.request("/search/?q=group").status == 200
    with concurrent.futures.ThreadPoolExecutor(16) as pool:  # faster than the 5 a second the zone allows
        responses = list(pool.map(lambda _: front.request("/search/?q=group"), range(80)))
    statuses = {response.status for response in responses}
    assert statuses == {200, 429}
    limited = next(response for response in responses if response.status == 429)
    assert b'href="tel:988"' in limited.body
    assert limited.header("Retry-After") == "60"
    time.sleep(5)  # the search zone refills at 5 requests a second


def test_staff_login_is_rate_limited(front):
    statuses = [front.request("/admin/login/").status for _ in range(15)]
    assert statuses.count(429) >= 1 and statuses[0] == 200


def test_a_request_body_over_the_limit_is_refused_before_the_app(front):
    before = len(front.app_requests())
    response = front.request("/search/", "POST", body=b"x" * (4 * 1024 * 1024))
    assert response.status == 413
    assert front.app_requests_since(before) == []


# --- headers everywhere -------------------------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_same_security_headers(front):
    expected = security_headers(front.request("/faq/"))
    assert expected["Strict-Transport-Security"].startswith("max-age=31536000")
    kinds = {
        "micro-cache hit": cached(front, "/faq/"),
        "static file": front.request(hashed_stylesheet()),
        "missing static file": front.request("/static/no-such-file.css"),
        "file from public/": front.request("/favicon.ico"),
        "redirect to https": front.request("/faq/", https=False),
        "app 404": front.request("/no-such-page/"),
        "rate-limit 429": next(r for r in (front.request("/admin/login/") for _ in range(30)) if r.status == 429),
    }
    assert kinds["app 404"].status == 404 and kinds["missing static file"].status == 404
    for kind, response in kinds.items():
        assert security_headers(response) == expected, kind


# --- the MDN HTTP Observatory ------------------------------------------------------------------------------------

OBSERVATORY = REPO / "deploy" / "observatory" / "node_modules" / "@mdn" / "mdn-http-observatory" / "src" / "scan.js"
SCAN = """set -eu
ip link set lo up
mount --bind "$HOSTS" /etc/hosts
"$NGINX" -c "$CONFIG" -e "$ERROR_LOG" -g 'daemon off;' &
server=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/443) 2>/dev/null && break; sleep 0.1; done
status=0
node "$SCANNER" "$SERVER_NAME" > "$OUT" || status=$?
kill -QUIT "$server"; wait "$server" || true
exit "$status"
"""


def test_the_mdn_http_observatory_grades_the_front_a_plus_with_no_failed_test(front, tmp_path):
    """The scanner only takes a host name and uses ports 80 and 443, so nginx and the scanner run in a network
    and mount namespace of their own: its own loopback, and an /etc/hosts naming the test host."""
    if not OBSERVATORY.exists():
        pytest.fail("The Observatory is not installed: run `make deploy/observatory/node_modules/.installed`.")
    files = render(
        tmp_path / "root", http_port=80, https_port=443, certificates=front.certificates,
        socket_path=front.socket_path, state_dir=tmp_path / "state", cache_dir=tmp_path / "cache",
    )  # fmt: skip
    config = nginx_main_config(tmp_path / "root", files["site"], tmp_path / "nginx.pid", tmp_path / "error.log")
    (tmp_path / "hosts").write_text(f"127.0.0.1 localhost\n127.0.0.1 {SERVER_NAME}\n")
    (tmp_path / "scan.sh").write_text(SCAN)
    env = {
        "PATH": os.environ["PATH"], "HOSTS": str(tmp_path / "hosts"), "NGINX": NGINX, "CONFIG": str(config),
        "ERROR_LOG": str(tmp_path / "error.log"), "SCANNER": str(OBSERVATORY), "SERVER_NAME": SERVER_NAME,
        "OUT": str(tmp_path / "scan.json"), "NODE_EXTRA_CA_CERTS": str(front.certificates["ca"]),
    }  # fmt: skip
    result = subprocess.run(
        ["unshare", "--net", "--mount", "--fork", "bash", str(tmp_path / "scan.sh")],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    output = (tmp_path / "scan.json").read_text() if (tmp_path / "scan.json").exists() else ""
    assert result.returncode == 0, result.stderr + output
    report = json.loads(output)
    failed = {name: test.get("result") for name, test in report["tests"].items() if not test.get("pass")}
    print(f"MDN HTTP Observatory: grade {report['scan']['grade']}, score {report['scan']['score']}, "
          f"{report['scan']['testsPassed']}/{report['scan']['testsQuantity']} tests passed")  # fmt: skip
    assert failed == {}
    assert report["scan"]["grade"] == "A+"


# --- reloads and the app going away -------------------------------------------------------------------------------


def test_reloading_nginx_and_gunicorn_under_load_loses_no_request(front):
    results, stop_event = [], threading.Event()

    def reader(path):
        while not stop_event.is_set():
            try:
                results.append(front.request(path).status)
            except OSError as exc:
                results.append(repr(exc))

    threads = [threading.Thread(target=reader, args=(path,)) for path in ("/", "/faq/", f"/faq/{SLUG}/")]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        front.reload_nginx()
        time.sleep(2)
        (reload_command,) = unit_values(front.files["iop.service"], "Service", "ExecReload")
        run(reload_command.replace("$MAINPID", str(front.processes["app"].pid)).split())
        time.sleep(4)
    finally:
        stop_event.set()
        for thread in threads:
            thread.join()
    assert len(results) > 50
    assert [r for r in results if r != 200] == []
    assert "handling signal: hup" in front.app_log.read_text().lower()


def test_with_the_app_down_nginx_answers_502_with_the_crisis_line_and_the_headers(front):
    expected = security_headers(front.request("/faq/"))
    stop(front.processes["app"])
    try:
        time.sleep(1.5)  # let any cached copy expire: nothing stale is served while the app is down
        response = front.request("/faq/")
        assert response.status == 502
        assert b'href="tel:988"' in response.body and b"having trouble" in response.body
        assert response.header("Cache-Control") == "no-store"
        assert security_headers(response) == expected
    finally:
        front.processes["app"] = start_gunicorn(front.files, front.socket_path, front.app_log)
    wait_for(lambda: front.request("/faq/").status == 200, 60, "the app did not come back")


def test_nginx_access_log_records_no_client_address(front):
    log = front.nginx_log.read_text()
    assert '"GET /faq/ HTTP/1.1" 200' in log and '"GET /search/ HTTP/1.1" 200' in log
    assert "127.0.0.1" not in log and "q=group" not in log

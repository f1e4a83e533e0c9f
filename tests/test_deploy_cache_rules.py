"""The micro-cache's rules in the shipped nginx site, checked against an upstream that sends whatever a test asks.

The app itself only opts public pages in (tests/test_proxy_cache.py); these tests show nginx alone refuses to
store anything else, so one mistake in the app cannot put a private page in the shared cache.
"""

import collections
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from tests.front import SERVER_NAME, Front, free_port, make_certificates, nginx, render, require_tools, wait_for

OPTED_IN = [("X-Accel-Expires", "60"), ("Cache-Control", "public, max-age=300")]
ANSWERS = {
    "/opted-in/": OPTED_IN,
    "/staff-first/": OPTED_IN,
    "/sets-cookie/": [*OPTED_IN, ("Set-Cookie", "sessionid=abc; HttpOnly; Secure")],
    "/private/": [("X-Accel-Expires", "60"), ("Cache-Control", "private, max-age=300")],
    "/no-store/": [("X-Accel-Expires", "60"), ("Cache-Control", "no-store")],
    "/no-cache/": [("X-Accel-Expires", "60"), ("Cache-Control", "no-cache")],
    "/not-opted-in/": [("Cache-Control", "public, max-age=300")],
    "/admin/page/": OPTED_IN,
    "/search/": OPTED_IN,
}


class _Upstream(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def upstream_handler(hits):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path = self.path.split("?")[0]
            hits[path] += 1
            body = f"answer {hits[path]} for {path}".encode()
            self.send_response(200)
            answer = next((value for prefix, value in ANSWERS.items() if path.startswith(prefix)), [])
            for name, value in answer:
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def address_string(self):
            return "nginx"

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    require_tools()
    tmp = tmp_path_factory.mktemp("cache-rules")
    socket_path = tmp / "upstream.sock"
    hits = collections.Counter()
    server = _Upstream(str(socket_path), upstream_handler(hits))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    certificates = make_certificates(tmp / "tls", SERVER_NAME)
    http_port, https_port = free_port(), free_port()
    files = render(
        tmp / "root", http_port=http_port, https_port=https_port, certificates=certificates,
        socket_path=socket_path, state_dir=tmp / "state", cache_dir=tmp / "cache",
    )  # fmt: skip
    site = Front(tmp / "root", http_port, https_port, certificates, files, socket_path, None, None, {})
    site.hits = hits
    try:
        with nginx(tmp / "root", files["site"]):
            wait_for(lambda: site.request("/opted-in/").status == 200, 30, "nginx did not answer")
            yield site
    finally:
        server.shutdown()
        server.server_close()


def asked_three_times(front, path, headers=None):
    before = front.hits[path]
    statuses = [front.request(path, headers=headers).header("X-Cache-Status") for _ in range(3)]
    return front.hits[path] - before, statuses


def test_an_answer_the_app_opted_in_is_served_from_the_cache(front):
    upstream_hits, statuses = asked_three_times(front, "/opted-in/")
    assert upstream_hits <= 1
    assert "HIT" in statuses


@pytest.mark.parametrize("path", ["/sets-cookie/", "/private/", "/no-store/", "/no-cache/", "/not-opted-in/"])
def test_nginx_never_stores_an_answer_that_is_private_sets_a_cookie_or_did_not_opt_in(front, path):
    upstream_hits, statuses = asked_three_times(front, path)
    assert upstream_hits == 3
    assert "HIT" not in statuses


def test_the_x_accel_expires_header_never_reaches_the_browser(front):
    response = front.request("/opted-in/")
    assert response.header("X-Accel-Expires") is None
    assert response.header("Cache-Control") == "public, max-age=300"


@pytest.mark.parametrize(
    "name, headers", [("cookie", {"Cookie": "sessionid=staff"}), ("authorization", {"Authorization": "Basic eDp5"})]
)
def test_a_staff_request_always_reaches_the_app_and_its_answer_is_not_stored(front, name, headers):
    path = f"/staff-first/{name}/"
    upstream_hits, statuses = asked_three_times(front, path, headers)
    assert (upstream_hits, statuses) == (3, ["BYPASS"] * 3)
    reader = front.request(path)
    assert reader.header("X-Cache-Status") in ("MISS", "EXPIRED")  # the staff answers were not kept for readers


def test_a_cookie_other_than_the_session_does_not_stop_readers_sharing_the_cache(front):
    front.request("/opted-in/")
    assert front.request("/opted-in/", headers={"Cookie": "csrftoken=x"}).header("X-Cache-Status") == "HIT"


@pytest.mark.parametrize("path", ["/admin/page/", "/search/"])
def test_admin_and_search_are_not_cached_even_when_the_answer_says_it_may_be(front, path):
    upstream_hits, statuses = asked_three_times(front, path)
    assert upstream_hits == 3
    assert set(statuses) == {None}

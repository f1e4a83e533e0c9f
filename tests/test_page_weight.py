"""Page weight as a phone gets it: gunicorn with the production settings, measured by Chromium on the wire.

`pytest tests/test_page_weight.py -s` prints the figures.
"""

import re
import urllib.request

import pytest

from tests.servers import gunicorn
from tests.test_served import manage, production_env

pytestmark = pytest.mark.browser

FAQ_PATH = "/faq/does-medicare-cover-an-intensive-outpatient-program/"
HASHED_CSS = re.compile(r"/static/css/site\.[0-9a-f]{12}\.css$")
ONE_YEAR = 31_536_000


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """gunicorn on loopback with the production settings, the real content and collected (compressed) static files."""
    tmp_path = tmp_path_factory.mktemp("weight")
    env = production_env(tmp_path, ALLOWED_HOSTS="127.0.0.1", WEB_CONCURRENCY="2")
    manage(env, "migrate", "--noinput")
    manage(env, "load_content")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    with gunicorn(env, ready_path="/healthz") as (_, base):
        yield base


@pytest.fixture
def load(browser, site_url):
    """load(path) -> (page, finished requests): a fresh, empty-cache browser tab, as if behind the TLS proxy."""
    contexts = []

    def _load(path):
        context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
        contexts.append(context)
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        response = page.goto(site_url + path, wait_until="load")
        assert response.status in {200, 404}
        return page, finished

    yield _load
    for context in contexts:
        context.close()


def on_the_wire(request):
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def test_an_faq_page_with_its_stylesheet_is_at_most_20_kb_in_at_most_2_requests(load):
    _, finished = load(FAQ_PATH)
    total = sum(on_the_wire(request) for request in finished)
    for request in finished:
        response = request.response()
        print(
            f"{request.url}: {on_the_wire(request)} bytes with headers, {request.sizes()['responseBodySize']} body, "
            f"Accept-Encoding {request.all_headers().get('accept-encoding')!r}, "
            f"Content-Encoding {response.all_headers().get('content-encoding')!r}"
        )
    print(f"total: {total} bytes in {len(finished)} requests")
    by_type = {request.resource_type: request for request in finished}
    assert sorted(by_type) == ["document", "stylesheet"] and len(finished) == 2
    assert by_type["document"].response().all_headers().get("content-encoding") == "gzip"
    assert total <= 20 * 1024


def test_the_stylesheet_is_compressed_has_a_hashed_name_and_is_cached_for_a_year(load):
    _, finished = load(FAQ_PATH)
    (css,) = [request for request in finished if request.resource_type == "stylesheet"]
    headers = css.response().all_headers()
    assert HASHED_CSS.search(css.url), css.url
    assert headers["content-encoding"] in {"gzip", "br"}
    cache_control = headers["cache-control"]
    assert "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= ONE_YEAR
    assert css.sizes()["responseBodySize"] < len(css.response().body()) / 2  # compressed on the wire


def test_public_pages_load_no_javascript(load, site_url):
    page, finished = load("/faq/")
    paths = ["/", "/faq/no-such-page/"]
    paths += page.evaluate("() => [...document.querySelectorAll(`main a[href^='/faq/']`)].map((a) => a.pathname)")
    inline = {}
    for path in paths:
        page.goto(site_url + path)
        # Structured data (application/ld+json) is data, not a script that runs.
        if count := page.evaluate("() => document.querySelectorAll(`script:not([type='application/ld+json'])`).length"):
            inline[path] = count
    assert len(paths) >= 32
    assert len([r for r in finished if r.resource_type == "document"]) == len(paths) + 1
    assert [r.url for r in finished if r.resource_type == "script"] == []
    assert inline == {}


def test_the_favicon_browsers_ask_for_is_there(site_url):
    """Without it every first visit logs a 404 in the browser's console."""
    request = urllib.request.Request(site_url + "/favicon.ico", headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.headers["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
        assert response.read(4) == b"\x00\x00\x01\x00"  # an ICO file
        assert "Set-Cookie" not in response.headers

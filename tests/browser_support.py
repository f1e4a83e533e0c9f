"""Playwright fixtures for browser tests: Debian's headless Chromium, and a page that records what happened.

Use them from a test module with `from tests.browser_support import browser, browser_page  # noqa: F401`
(or list this module in a conftest's `pytest_plugins`). Tests that use them need `live_server`.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Runs in every page before the page's own scripts; reports CSP violations to Python (survives navigation).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


@dataclass
class Recorded:
    """What a page did: CSP violations, console errors, uncaught errors, dialogs, and every URL it asked for."""

    origin: str
    csp_violations: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)
    requests: list = field(default_factory=list)

    def foreign_requests(self):
        return [url for url in self.requests if _origin(url) != self.origin and not url.startswith(("data:", "blob:"))]

    def problems(self):
        return self.csp_violations + self.console_errors + self.page_errors + self.dialogs + self.foreign_requests()


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}. Install it with: apt-get install -y chromium "
            "(.ci/run does this).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so Django would take the test's own ORM
    # calls for calls from async code and refuse them. They are not: allow them while the browser runs, which is
    # one test module at a time (so the variable never leaks into other modules or the processes they start).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server):
    """open_page(bypass_csp=False) -> (page, recorded): a fresh browser context on the live server.

    Requests to any other origin are recorded and blocked, dialogs are recorded and dismissed.
    """
    contexts = []

    def _open(bypass_csp=False):
        recorded = Recorded(origin=_origin(live_server.url))
        context = browser.new_context(base_url=live_server.url, bypass_csp=bypass_csp)
        contexts.append(context)
        context.expose_function("__reportViolation", lambda text: recorded.csp_violations.append(text))
        context.add_init_script(_REPORT_VIOLATIONS)

        def route(route):
            recorded.requests.append(route.request.url)
            if _origin(route.request.url) == recorded.origin:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and recorded.console_errors.append(msg.text))
        page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))

        def dialog(d):
            recorded.dialogs.append(f"dialog: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        return page, recorded

    yield _open
    for context in contexts:
        context.close()


# axe-core, pinned in package.json and installed into node_modules by `make test` (npm ci); nothing is fetched.
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, tags=AXE_TAGS):
    """Run axe-core's WCAG 2.0/2.1/2.2 A and AA rules (or the tags given) on the page; one line per failing element."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make test` (it runs npm ci) or `npm ci`.", pytrace=False)
    # Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not govern.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", tags
    )
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} at {' '.join(node['target'])}"
        for rule in results["violations"]
        for node in rule["nodes"]
    ]

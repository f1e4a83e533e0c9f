"""In Chromium: axe-core finds no WCAG 2.2 AA problem on any page, in light and dark; the keyboard reaches everything
in order with focus visible; nothing scrolls sideways on a 320 px screen or with text at 200%."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from faq import signoff
from faq.entries import entry_of
from faq.models import FAQ, ReviewerProfile, Revision, Topic
from tests.browser_support import AXE_TAGS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Public pages besides the FAQs themselves (every published FAQ is added). Search joins this list with issue 5.
PUBLIC_PATHS = [
    "/",
    "/faq/",
    "/faq/no-such-page/",
    "/search/?q=medicare",
    "/search/?q=zzzzqx",
    "/search/",
    "/es/",
    "/es/preguntas/",
    "/es/no-existe/",
    "/es/buscar/?q=medicare",
    "/es/buscar/?q=quiero+morir",
    "/es/buscar/?q=zzzzqx",
]
MEDICARE = "/faq/does-medicare-cover-an-intensive-outpatient-program/"
PASSWORD = "pw-for-tests-only"

FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"
OPEN_EVERY_FOLD = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def public_paths():
    """The fixed pages, every published FAQ and topic page, in English and Spanish."""
    topics = Topic.objects.filter(faqs__status=FAQ.Status.PUBLISHED).distinct()
    return [
        *PUBLIC_PATHS,
        *(topic.page_url() for topic in topics),
        *(faq.get_absolute_url() for faq in FAQ.objects.published()),
    ]


@pytest.fixture
def admin_page(open_page, real_content):
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    page, _ = open_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_public_page(open_page, real_content, scheme):
    """WCAG 2.0/2.1/2.2 A and AA, and axe's best practices too (heading order, landmarks, one main, one h1)."""
    page, _ = open_page()
    page.emulate_media(color_scheme=scheme)
    found = {}
    paths = public_paths()
    for path in paths:
        page.goto(path)
        page.evaluate(OPEN_EVERY_FOLD)
        if problems := axe_violations(page, AXE_TAGS + ["best-practice"]):
            found[path] = problems
    assert len(paths) >= 30
    assert found == {}, "\n".join(f"{path}: {line}" for path, lines in found.items() for line in lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_admin_faq_list_and_edit_pages(admin_page, real_content, scheme):
    admin_page.emulate_media(color_scheme=scheme)
    found = {}
    faq = real_content.get(slug="does-medicare-cover-an-intensive-outpatient-program")
    for path in ["/admin/faq/faq/", f"/admin/faq/faq/{faq.pk}/change/"]:
        admin_page.goto(path)
        if problems := axe_violations(admin_page):
            found[path] = problems
    assert found == {}, "\n".join(f"{path}: {line}" for path, lines in found.items() for line in lines)


@pytest.fixture
def signoff_paths(admin_page, real_content):
    """The sign-off's pages, each with something in it: a change waiting, one sent back, answers overdue and due
    soon. Made through faq.signoff directly: these tests look at pages, not at the rules a save must pass."""
    admin = User.objects.get(username="admin")
    ReviewerProfile.objects.create(user=admin, display_name="Dana Ortiz", credentials="LCSW")
    crisis = real_content.get(slug="what-should-i-do-in-a-crisis")
    first, second, third = real_content.exclude(pk=crisis.pk).order_by("slug")[:3]
    waiting = change(crisis, admin, "Text 988 if you cannot talk right now.")
    sent = change(first, admin, "Call us to ask about this.")
    signoff.send_back(sent, user=admin, comment="Say who answers the phone.")
    today = timezone.localdate()
    FAQ.objects.filter(pk=second.pk).update(reviewed=today - datetime.timedelta(days=800), review_months=12)
    FAQ.objects.filter(pk=third.pk).update(reviewed=today - datetime.timedelta(days=355), review_months=12)
    version = crisis.history.earliest()
    return [
        "/admin/",
        "/admin/faq/revision/",
        f"/admin/faq/revision/{waiting.pk}/change/",
        "/admin/faq/revision/?state__exact=sent_back",
        f"/admin/faq/revision/{sent.pk}/change/",
        "/admin/faq/faq/due/",
        f"/admin/faq/faq/{crisis.pk}/change/",
        f"/admin/faq/faq/{first.pk}/change/",
        f"/admin/faq/faq/{crisis.pk}/history/",
        f"/admin/faq/faq/{crisis.pk}/history/{version.history_id}/",
        "/admin/guide/",
    ]


def change(faq, user, sentence):
    entry = entry_of(faq)
    entry.body += f"\n\n{sentence}"
    return signoff.save("faq", faq, entry, user=user).revision


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_sign_off_pages(admin_page, signoff_paths, scheme):
    """The review queue and pages, the due list, entries waiting or sent back, History, the guide and the home page."""
    admin_page.emulate_media(color_scheme=scheme)
    found = {}
    for path in signoff_paths:
        admin_page.goto(path)
        admin_page.evaluate(OPEN_EVERY_FOLD)
        if problems := axe_violations(admin_page, AXE_TAGS + ["best-practice"]):
            found[path] = problems
    assert Revision.objects.filter(state=Revision.State.PENDING).count() == 1
    assert found == {}, "\n".join(f"{path}: {line}" for path, lines in found.items() for line in lines)


def test_axe_reports_a_violation_when_there_is_one(open_page, real_content):
    """The check above can fail: strip the page's language and a link's text, and axe says so."""
    page, _ = open_page()
    page.goto("/")
    page.evaluate("() => document.documentElement.removeAttribute('lang')")
    page.evaluate("() => { document.querySelector('main a').text = ''; }")
    rules = {line.split(" ")[0] for line in axe_violations(page)}
    assert {"html-has-lang", "link-name"} <= rules


def tab_through(page):
    """Press Tab past every focusable element; return (expected order, what got focus, focus styles seen).

    What a closed <details> folds away (all but its summary) is not reachable, though Chromium still gives it boxes.
    """
    expected = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.getClientRects().length > 0 && !el.closest("details:not([open]) > :not(summary)"))
            .map((el, i) => { el.dataset.kbd = i; return el.textContent.trim() || el.name || el.type; })""",
        FOCUSABLE,
    )
    reached, styles = [], []
    for _ in expected:
        page.keyboard.press("Tab")
        seen = page.evaluate(
            """() => {
              const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
              return {kbd: el.dataset.kbd, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                      shadow: s.boxShadow !== 'none', onScreen: r.bottom > 0 && r.top < innerHeight
                        && r.right > 0 && r.left < innerWidth, text: el.textContent.trim()};
            }"""
        )
        reached.append(int(seen["kbd"]) if seen["kbd"] is not None else None)
        styles.append(seen)
    return expected, reached, styles


@pytest.mark.parametrize("path", ["/", MEDICARE])
def test_keyboard_reaches_every_link_and_field_in_order_with_focus_visible(open_page, real_content, path):
    page, _ = open_page()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(path)
    expected, reached, styles = tab_through(page)
    assert len(expected) >= 10
    assert expected[0] == "Skip to main content"
    assert reached == list(range(len(expected)))
    hidden = [s["text"] for s in styles if not (s["outline"] or s["shadow"]) or not s["onScreen"]]
    assert hidden == []


def test_skip_link_moves_the_keyboard_to_the_main_content(open_page, real_content):
    page, _ = open_page()
    page.goto(MEDICARE)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def overflowing(page):
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_no_page_scrolls_sideways_on_a_320_px_screen(open_page, real_content):
    page, _ = open_page()
    page.set_viewport_size({"width": 320, "height": 640})
    wide = {}
    for path in public_paths():
        page.goto(path)
        page.evaluate(OPEN_EVERY_FOLD)
        if extra := overflowing(page):
            wide[path] = extra
    assert wide == {}


def test_text_at_200_percent_needs_no_sideways_scrolling_on_a_phone(open_page, real_content):
    """Browser text zoom, as a reader with low vision sets it: the root font size doubles."""
    page, _ = open_page()
    page.set_viewport_size({"width": 375, "height": 812})
    wide = {}
    for path in ["/", "/faq/", MEDICARE]:
        page.goto(path)
        page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") >= 36
        if extra := overflowing(page):
            wide[path] = extra
    assert wide == {}


def test_the_overflow_check_can_fail(open_page, real_content):
    page, _ = open_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    page.evaluate("() => { document.querySelector('h1').style.width = '500px'; }")
    assert overflowing(page) > 0

"""The staff guide (docs/staff-guide.md) is illustrated from the admin as it is now: this test drives every step the
guide describes in Chromium and draws its pictures, then checks that the guide shows exactly the pictures it just
drew and that static/staff-guide/ holds exactly those. The pictures go to a temporary folder, so a test run never
changes the repository; `make guide-pictures` runs this test with STAFF_GUIDE_PICTURES=static/staff-guide to
redraw the committed ones after an admin change. The guide's own page in the admin is tested here too."""

import datetime
import io
import os
import pathlib
import re
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from faq.editors import EDITOR_GROUP, REVIEWER_GROUP
from faq.models import FAQ, Revision, SiteInfo
from faq.staff_guide import GUIDE, guide_html
from tests.admin_forms import PASSWORD, make_user
from tests.conftest import REPO

CRISIS = "what-should-i-do-in-a-crisis"
COMMITTED = REPO / "static" / "staff-guide"
PICTURE_RE = re.compile(r"!\[[^\]]+\]\(\.\./static/staff-guide/([a-z0-9-]+\.png)\)")
ADDED = "If you are deaf or hard of hearing, you can text 988 or use a relay service."


class Camera:
    """Saves what the browser shows as small palette PNGs (screenshots of an admin need few colours)."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.written = set()

    def _keep(self, name):
        path = self.folder / f"{name}.png"
        image = Image.open(path).convert("RGB").quantize(colors=128)
        assert len(image.getcolors()) > 16, f"{path.name} looks blank: was the page still loading?"
        image.save(path, optimize=True)
        self.written.add(path.name)

    def page(self, page, name):
        """The window as the person sees it."""
        page.screenshot(path=self.folder / f"{name}.png")
        self._keep(name)

    def around(self, page, locator, name, *, above=0, height=None):
        """A strip of the page the width of the window, from `above` px over the element, `height` px tall."""
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        scroll = page.evaluate("() => window.scrollY")
        top = max(box["y"] + scroll - above, 0)
        width = page.viewport_size["width"]
        clip = {"x": 0, "y": top, "width": width, "height": height or box["height"] + above + 16}
        page.screenshot(path=self.folder / f"{name}.png", clip=clip, full_page=True)
        self._keep(name)


# The pictures leave out the admin's side menu (closed, as its « button leaves it) so the page itself has room.
CLOSED_MENU = "localStorage.setItem('django.admin.navSidebarIsOpen', 'false')"


def log_in(open_page, username, code=None, camera=None):
    page, recorded = open_page()
    page.context.add_init_script(CLOSED_MENU)
    page.set_viewport_size({"width": 1100, "height": 720})
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    if code:
        page.get_by_label("Code from your authenticator app").fill(code)
    if camera:
        camera.page(page, "log-in")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return page, recorded


def current_code(user):
    device = TOTPDevice.objects.get(user=user)
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_guide_is_drawn_from_the_admin_as_it_is_now(open_page, real_content, tmp_path):
    started = time.time()
    camera = Camera(pathlib.Path(os.environ.get("STAFF_GUIDE_PICTURES") or tmp_path))
    editor = make_user("erin", group=EDITOR_GROUP, full_name="Erin Walsh")
    make_user("dana", group=REVIEWER_GROUP, full_name="Dana Ortiz", reviewer_name="Dana Ortiz, LCSW")
    crisis = real_content.get(slug=CRISIS)
    call_command("add_totp_device", "erin", stdout=io.StringIO())

    # Log in, with the code app.
    page, recorded = log_in(open_page, "erin", code=current_code(editor), camera=camera)
    camera.page(page, "home")

    # Find and change an answer; read the preview and its reading grade.
    page.get_by_role("main").get_by_role("link", name="FAQs", exact=True).click()
    page.locator("#searchbar").fill("crisis")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url("**/admin/faq/faq/?q=crisis")
    camera.page(page, "find-an-answer")
    page.get_by_role("link", name=crisis.question, exact=True).click()
    body = page.locator("#id_body")
    body.fill(body.input_value() + f"\n\n{ADDED}")
    page.locator(".markdownx-preview p", has_text=ADDED).wait_for()
    grade = page.locator(".preview-grade")
    assert re.search(r"Reading grade \d", grade.inner_text())
    camera.around(page, grade, "preview-and-grade", above=260, height=620)

    # Send it for review.
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/faq/revision/*/change/")
    assert "Saved for review" in page.locator(".messagelist").inner_text()
    camera.page(page, "saved-for-review")

    # Approve (a clinical reviewer).
    review, review_saw = log_in(open_page, "dana")
    review.get_by_role("link", name="Changes waiting for review").first.click()
    review.wait_for_url("**/admin/faq/revision/")
    camera.page(review, "review-queue")
    review.locator("#result_list tbody a", has_text=crisis.question).click()
    review.locator(".review-diff ins", has_text=ADDED).first.wait_for()
    camera.around(review, review.get_by_role("heading", name="What changed"), "review-page", above=400, height=700)
    decide = review.get_by_role("heading", name="Decide")
    camera.around(review, decide, "review-decide", height=420)
    review.get_by_label("Note (optional; kept in the history)").fill("Checked against the 988 Lifeline's guidance.")
    review.get_by_role("button", name="Approve and publish").click()
    review.wait_for_url("**/admin/faq/revision/")
    reader, _ = open_page()
    reader.set_viewport_size({"width": 1100, "height": 720})
    reader.goto(crisis.get_absolute_url())
    stamp = reader.locator(".reviewed")
    assert stamp.inner_text().startswith("Reviewed by Dana Ortiz, LCSW, on ")
    camera.around(reader, stamp, "reviewed-on-the-page", above=120)

    # Restore an old version from History (the editor), which waits for review like any change.
    page.goto(f"/admin/faq/faq/{crisis.pk}/change/")
    page.get_by_role("link", name="History").click()
    page.wait_for_url(f"**/admin/faq/faq/{crisis.pk}/history/")
    camera.page(page, "history")
    page.locator("#change-history tbody tr").last.get_by_role("link").click()
    page.wait_for_url(f"**/admin/faq/faq/{crisis.pk}/history/*/")
    camera.page(page, "history-version")
    page.get_by_role("button", name="Revert").first.click()
    page.wait_for_url("**/admin/faq/revision/*/change/")
    restored = Revision.objects.get(state=Revision.State.PENDING)
    assert restored.origin.startswith("a restore of the version of ")

    # Send back (the reviewer), and the editor reads why.
    review.goto(f"/admin/faq/revision/{restored.pk}/change/")
    comment = "Please keep the line about text and relay services: deaf readers need it."
    review.get_by_label("Why it goes back").fill(comment)
    review.get_by_role("button", name="Send back").click()
    review.wait_for_url("**/admin/faq/revision/")
    page.goto(f"/admin/faq/faq/{crisis.pk}/change/")
    banner = page.locator(".signoff-banner")
    assert comment in banner.inner_text()
    camera.around(page, banner, "sent-back", above=110, height=330)

    # Change the phone number or the hours.
    page.goto("/admin/")
    page.get_by_role("main").get_by_role("link", name="Site information", exact=True).click()
    page.locator("#result_list tbody a").first.click()
    hours = page.get_by_label("Hours")
    camera.around(page, page.get_by_label("Phone"), "site-information", above=60, height=300)
    hours.fill("Monday to Friday, 8 am to 7 pm")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/faq/revision/*/change/")
    assert SiteInfo.objects.get(language="en").hours != "Monday to Friday, 8 am to 7 pm"

    # Answers due for review.
    other = FAQ.objects.published().filter(language="en").exclude(slug=CRISIS).order_by("slug").first()
    FAQ.objects.filter(pk=other.pk).update(reviewed=timezone.localdate() - datetime.timedelta(days=800))
    review.goto("/admin/")
    review.get_by_role("link", name="Answers due for review").click()
    review.get_by_role("link", name=other.question, exact=True).wait_for()
    camera.page(review, "due-list")

    assert recorded.problems() == review_saw.problems() == []  # no CSP violation, console error or dialog
    referenced = PICTURE_RE.findall(GUIDE.read_text(encoding="utf-8"))
    assert sorted(set(referenced)) == sorted(camera.written), "the guide and the pictures this test draws differ"
    assert all((camera.folder / name).stat().st_mtime >= started for name in referenced)
    committed = sorted(path.name for path in COMMITTED.glob("*.png"))
    assert committed == sorted(set(referenced)), "static/staff-guide/ and the guide differ: run make guide-pictures"


def test_every_picture_in_the_guide_has_alternative_text_and_exists():
    text = GUIDE.read_text(encoding="utf-8")
    images = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", text)
    assert len(images) >= 10
    for alt, src in images:
        assert len(alt) > 15, src
        assert src.startswith("../static/staff-guide/") and (GUIDE.parent / src).is_file(), src


def test_the_guide_page_shows_the_guide_rendered_and_sanitised_with_its_pictures(staff):
    response = staff.get("/admin/guide/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "<h1>Staff guide</h1>" in html
    assert '<img src="/static/staff-guide/review-page.png"' in html
    assert "../static/" not in html and "<script>" not in html.split('<div id="content-main" class="staff-guide">')[1]
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_the_guide_page_only_reads(staff):
    assert staff.post("/admin/guide/").status_code == 405


def test_the_guide_page_is_for_staff_only(client, db):
    response = client.get("/admin/guide/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(User.objects.create_user("reader", password=PASSWORD))
    assert client.get("/admin/guide/")["Location"].startswith("/admin/login/")


def test_the_admin_home_page_links_to_the_guide_and_what_waits_for_review(editor):
    html = editor.get("/admin/").content.decode()
    assert '<a href="/admin/guide/">Staff guide</a>' in html
    assert '<a href="/admin/faq/revision/">Changes waiting for review</a>: 0' in html
    assert '<a href="/admin/faq/faq/due/">Answers due for review</a>' in html


def test_the_guide_renderer_drops_what_the_site_renderer_drops():
    html = guide_html(
        "# Title\n\n![x](../static/staff-guide/a.png)\n\n<script>alert(1)</script>\n\n![y](https://e.org/y.png)"
    )
    assert '<img src="/static/staff-guide/a.png" alt="x">' in html
    assert "<script>" not in html and "e.org" not in html and "Title" not in html

"""The full browser sweep: every HTML page of the URL table, as each role, in chromium.

One browser context per role, logged in once through the form. On each page: axe-core
(WCAG 2.2 A/AA) finds nothing, and at 390px wide nothing scrolls sideways. Screenshots of the
main pages, on desktop and on a phone, go to var/screenshots/ for CI to keep.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import assert_accessible, log_in
from tests.sweep.demo import load_demo
from tests.sweep.urls import HTML_PAGE_NAMES, ROLE_EMAILS, build_pages

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "wmasn-demo"
BROWSER_ROLES = ["anonymous", "pending", "member", "officer"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOT_ROLE = "member"  # members see the most: venues, answers, contacts
SCREENSHOTS = {
    "home": "home",
    "event-list": "events",
    "event-detail": "event",
    "calendar": "calendar",
    "pledge-list": "pledges",
    "agency-list": "agencies",
    "newsletter-list": "newsletters",
    "newsletter-issue": "issue",
    "services": "services",
}
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"

# (page, role, check): reason. Known failures for the lead; a fixed one fails the test, so
# that the entry is removed (strict, like xfail(strict=True)).
KNOWN_FAILURES = {}

SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# The elements that stick out past the right edge, to say what to fix.
OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(-5)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
       + (el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
       + ' right=' + Math.round(el.getBoundingClientRect().right))"""


@pytest.fixture
def demo_site(live_server):
    load_demo()
    return live_server


def _check_page(page, role, target, failures, seen_404):
    response = page.goto(target.path)
    status = response.status if response else None
    if status == 404:
        # Every 404 is the same template: check it once per role.
        if seen_404:
            return "404 (checked once)"
        seen_404.add(role)
    try:
        assert_accessible(page)
    except AssertionError as error:
        failures[(target.name, role, "axe")] = str(error)
    take_shot = role == SCREENSHOT_ROLE and target.name in SCREENSHOTS
    if take_shot:
        page.screenshot(
            path=SCREENSHOT_DIR / f"{SCREENSHOTS[target.name]}-desktop.png", full_page=True
        )
    page.set_viewport_size(PHONE)
    try:
        scroll_width, inner_width = page.evaluate(SCROLL_WIDTH)
        if scroll_width > inner_width:
            failures[(target.name, role, "phone-scroll")] = (
                f"{target.path} as {role} scrolls sideways at 390px: "
                f"scrollWidth {scroll_width} > innerWidth {inner_width}; "
                f"sticking out: {page.evaluate(OVERFLOWING)}"
            )
        if take_shot:
            page.screenshot(
                path=SCREENSHOT_DIR / f"{SCREENSHOTS[target.name]}-phone.png", full_page=True
            )
    finally:
        page.set_viewport_size(DESKTOP)
    return status


@pytest.mark.parametrize("role", BROWSER_ROLES)
def test_every_page_is_accessible_and_fits_a_phone(role, browser, demo_site):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=demo_site.url, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        if role != "anonymous":
            log_in(page, ROLE_EMAILS[role], DEMO_PASSWORD)
            assert page.get_by_role("button", name="Log out").count() == 1, (
                f"{role} could not log in"
            )
        failures, seen_404, visited = {}, set(), {}
        for target in build_pages(HTML_PAGE_NAMES):
            if target.skip_reason:
                visited[target.name] = f"skipped: {target.skip_reason}"
                continue
            visited[target.name] = _check_page(page, role, target, failures, seen_404)
    finally:
        context.close()

    print(f"browser sweep as {role}: {visited}")
    known = {key: reason for key, reason in KNOWN_FAILURES.items() if key[1] == role}
    unexpected = {key: error for key, error in failures.items() if key not in known}
    fixed = [key for key in known if key not in failures and key[0] in visited]
    assert not unexpected, "\n\n".join(unexpected.values())
    assert not fixed, f"known failures now pass, remove them from KNOWN_FAILURES: {fixed}"
    if role == SCREENSHOT_ROLE:
        missing = [
            name
            for name in SCREENSHOTS.values()
            if not (SCREENSHOT_DIR / f"{name}-desktop.png").exists()
        ]
        assert not missing, f"no screenshots of {missing}"

"""The chair's desk, the network in pictures and the annual report: axe finds nothing, and
screenshots (and the report printed to A4) go to var/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    PASSWORD,
    EventFactory,
    OfficerFactory,
    PendingMembershipFactory,
    RSVPFactory,
)
from tests.reports.factories import build_year

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def network_year(db):
    year = timezone.localdate().year
    data = build_year(year)
    PendingMembershipFactory(agency=data["agencies"][1])
    meeting = EventFactory(
        title="Next network meeting", venue=None, starts_at=timezone.now() + dt.timedelta(days=12)
    )
    RSVPFactory(event=meeting, user=data["people"]["clerk"])
    OfficerFactory(email="chair@example.org", first_name="Chair", last_name="Person")
    return year


def test_desk_charts_and_report_are_accessible(page, network_year):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    log_in(page, "chair@example.org", PASSWORD)

    page.goto("/admin/")
    assert page.get_by_role("link", name="1 membership request waiting").count() == 1
    assert page.get_by_role("table", name="Next meetings").count() == 1
    assert_accessible(page)
    page.screenshot(path=SCREENSHOT_DIR / "desk.png", full_page=True)

    page.get_by_role("link", name="The network in pictures").click()
    page.wait_for_load_state()
    assert page.locator("svg[role=img]").count() == 6
    assert_accessible(page)
    page.screenshot(path=SCREENSHOT_DIR / "charts.png", full_page=True)

    page.goto(f"/reports/{network_year}/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.screenshot(path=SCREENSHOT_DIR / "report.png", full_page=True)
    page.emulate_media(media="print")
    assert page.get_by_role("button", name="Publish the public version").is_hidden()
    page.pdf(path=str(SCREENSHOT_DIR / "report-a4.pdf"), format="A4", print_background=True)
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Publish the public version").click()
    page.wait_for_load_state()
    page.goto(f"/reports/{network_year}/public/")
    assert page.get_by_text("Cleo Clerk").count() == 0
    assert_accessible(page)
    page.screenshot(path=SCREENSHOT_DIR / "report-public.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_desks_next_meetings_fit_the_screen_and_read_across(browser, live_server, width):
    """Attending and Apologies came out one letter per line; meeting names wrapped letter by
    letter on a phone; the table used 635 of 1,280 px."""
    OfficerFactory(email="chair@example.org")
    EventFactory(
        title="Network meeting, Sandwell Council House, Oldbury",
        starts_at=timezone.now() + dt.timedelta(days=12),
    )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, is_mobile=width < 500
    )
    try:
        page = context.new_page()
        log_in(page, "chair@example.org", PASSWORD)
        page.goto("/admin/")
        table = page.get_by_role("table", name="Next meetings")
        line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 20")
        # Headers on a wide screen, labelled counts on a phone: each on one line.
        cells = table.locator("thead th") if width >= 500 else table.locator("tbody td")
        for index in range(cells.count()):
            assert cells.nth(index).bounding_box()["height"] < 2.5 * line, index
        name_cell = table.locator("tbody th").first
        # Words wrap whole: the name takes at most three lines, never one letter a line.
        assert name_cell.bounding_box()["height"] < 4 * line
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 1280:
            assert table.bounding_box()["width"] >= 800
        page.screenshot(path=SCREENSHOT_DIR / f"desk-meetings-{width}.png", full_page=True)
    finally:
        context.close()

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

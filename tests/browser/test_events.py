"""A member answers for a meeting and copies their personal calendar link."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import RSVP
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    EventFactory,
    MembershipFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_answers_attending_and_copies_their_feed_link(page):
    agency = AgencyFactory(name="West Midlands Police", slug="west-midlands-police")
    member = MembershipFactory(agency=agency, user__email="police@example.org").user
    venue = VenueFactory(
        name="Lloyd House", address="Colmore Circus Queensway\nBirmingham", postcode="B4 6NQ"
    )
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    EventFactory(
        title="Network meeting",
        slug="network-meeting-soon",
        venue=venue,
        organiser=agency,
        starts_at=start + dt.timedelta(days=7),
        ends_at=start + dt.timedelta(days=7, hours=2, minutes=30),
    )

    log_in(page, "police@example.org", PASSWORD)
    page.get_by_role("link", name="Events", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_role("link", name="Network meeting").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("Lloyd House").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Attending").check()
    page.get_by_role("button", name="Save my answer").click()
    page.wait_for_load_state()
    assert page.get_by_text("You answered: Attending").is_visible()
    assert_accessible(page)
    assert RSVP.objects.get(user=member).answer == "attending"

    page.get_by_role("link", name="Calendar", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    link = page.get_by_label("Your link (https)").input_value()
    assert "/calendar/" in link and link.endswith(".ics")
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").or_(page.get_by_text("Press Ctrl+C")).wait_for()
    assert_accessible(page)

    feed = page.request.get(link)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "LOCATION:Lloyd House" in feed.text().replace("\r\n ", "")

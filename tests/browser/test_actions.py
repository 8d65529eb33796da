"""Browser journey: a member finds their agency's action, reports progress, marks it done; the
action pages, the decision register, the meeting and group pages pass axe and fit a phone."""

import io

import pytest
from django.core.management import call_command

from actions.models import Action
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def demo(settings, live_server):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    settings.DEBUG = False
    return live_server


def fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    scroll_width, inner_width = page.evaluate(SCROLL_WIDTH)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert scroll_width <= inner_width, page.url


def test_a_member_updates_their_agencys_action(page, demo):
    log_in(page, "police@example.org", "wmasn-demo")
    page.goto("/actions/")
    assert page.locator("h1").inner_text() == "Actions"
    assert_accessible(page)
    fits_a_phone(page)

    action = Action.objects.open().get(owner_agency__slug="west-midlands-police")
    page.get_by_role("link", name=action.title).first.click()
    page.wait_for_url(f"**/actions/{action.pk}/")
    assert_accessible(page)

    # A mistake first: dropping needs a reason, and the error summary is accessible too.
    page.get_by_label("Status", exact=True).select_option("dropped")
    page.get_by_role("button", name="Save the update").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)

    page.get_by_label("Progress note").fill("Reported at the January meeting.")
    page.get_by_label("Status", exact=True).select_option("done")
    page.get_by_role("button", name="Save the update").click()
    page.wait_for_url(f"**/actions/{action.pk}/")
    main = page.locator("main").inner_text()
    assert "Reported at the January meeting." in main
    assert_accessible(page)
    action.refresh_from_db()
    assert action.status == "done"

    for url in [
        "/decisions/",
        "/actions/?status=any",
        "/events/network-meeting-2017-12-07/",
        "/groups/lead-agencies-point-of-rescue-nrm-pathway/",
    ]:
        page.goto(url)
        assert_accessible(page)
        fits_a_phone(page)


def test_the_next_meeting_shows_matters_arising_accessibly(page, demo):
    from django.utils import timezone

    from events.models import Event

    log_in(page, "barnardos@example.org", "wmasn-demo")
    meeting = Event.objects.upcoming().scheduled().filter(kind="meeting").first()
    page.goto(f"/events/{meeting.slug}/")
    assert "Matters arising" in page.locator("main").inner_text()
    assert "Overdue" in page.locator("main").inner_text()
    assert_accessible(page)
    fits_a_phone(page)
    assert timezone.now() < meeting.ends_at

"""A new member's first hour, in a browser: sign up with a name and an agency (or a proposed
one), confirm, see the next step, an officer approves, the home page turns personal. And the
gap table on a phone. Screenshots of each step go to var/screenshots/first-hour-*.png.

Journeys run once in CI, on PostgreSQL (they are slow); on SQLite they skip.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import ON_POSTGRESQL
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    AreaFactory,
    EventFactory,
    OfficerFactory,
    ProvidedServiceFactory,
    ServiceFactory,
    VenueFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ON_POSTGRESQL, reason="Browser journeys run once, on PostgreSQL."),
]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
NEW_PASSWORD = "a-long-and-unusual-passphrase-2018"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"first-hour-{name}.png"), full_page=True)


@pytest.fixture
def network(db):
    police = AgencyFactory(name="West Midlands Police", slug="west-midlands-police")
    OfficerFactory(email="chair@example.org", first_name="Chris", last_name="Chair")
    venue = VenueFactory(
        name="Lloyd House", address="Colmore Circus Queensway\nBirmingham", postcode="B4 6NQ"
    )
    starts = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    starts += dt.timedelta(days=14)
    EventFactory(
        title="Network meeting",
        slug="next-network-meeting",
        venue=venue,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2, minutes=30),
    )
    return police


def sign_up(page, *, agency=None, proposal=None):
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Email").fill("sam.okafor@example.org")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    if agency:
        page.get_by_label("Your agency", exact=True).select_option(label=agency)
    if proposal:
        page.get_by_label("Or, if it is not listed, your agency's name").fill(proposal)
        page.get_by_label("Its sector").select_option(label="Third sector")
    shot(page, "1-sign-up")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Verify Your Email Address"


def confirm(page):
    [message] = [m for m in mail.outbox if m.to == ["sam.okafor@example.org"]]
    assert message.body.startswith("Hello Sam,")
    path = re.search(r"http://[^/]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(path)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()


def officer_runs(browser, live_server, action_label, name):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    officer = context.new_page()
    log_in(officer, "chair@example.org", PASSWORD)
    officer.goto("/admin/network/membership/")
    row = officer.locator("#result_list tbody tr").filter(has_text="Sam Okafor")
    row.locator("input[name=_selected_action]").check()
    officer.locator("select[name=action]").select_option(label=action_label)
    officer.get_by_role("button", name="Go").click()
    officer.wait_for_load_state()
    shot(officer, name)
    text = officer.locator("ul.messagelist:not(.background-warnings)").inner_text()
    context.close()
    return text


def test_first_hour_from_sign_up_to_a_personal_home_page(page, browser, live_server, network):
    sign_up(page, agency="West Midlands Police")
    officer_mail = [m for m in mail.outbox if m.to == ["chair@example.org"]]
    assert officer_mail == []  # officers hear only once the address is confirmed

    confirm(page)
    # Logged in, on the home page that says what happens next.
    assert page.get_by_role("button", name="Log out").is_visible()
    heading = page.get_by_role("heading", name=re.compile("Next step"))
    assert "Welcome, Sam. Next step: an officer approves your request" in heading.inner_text()
    assert page.get_by_text("Lloyd House").count() == 0  # no venue before approval
    assert_accessible(page)
    shot(page, "2-next-step")
    [request_mail] = [m for m in mail.outbox if m.to == ["chair@example.org"]]
    assert "Sam Okafor" in request_mail.subject

    # The officer sees the agency's status and approves.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    officer = context.new_page()
    log_in(officer, "chair@example.org", PASSWORD)
    officer.goto("/admin/network/membership/")
    # The agency column says when an agency is only proposed; this one is active.
    assert officer.get_by_role("columnheader", name="Status", exact=True).is_visible()
    row = officer.locator("#result_list tbody tr").filter(has_text="Sam Okafor")
    assert "Pending" in row.inner_text() and "Proposed" not in row.inner_text()
    context.close()
    message = officer_runs(
        browser, live_server, "Approve the selected requests (emails each person)", "3-approved"
    )
    assert "Approved 1 membership(s)." in message
    [approval] = [m for m in mail.outbox if "approved" in m.subject.lower()]
    assert approval.body.startswith("Hello Sam Okafor,")
    assert "You can now see meeting venues" in approval.body

    # The home page is now personal: the next meeting, its venue, no answer yet.
    page.goto("/")
    mine = page.get_by_role("region", name="Sam, your next meeting")
    assert "Lloyd House, Colmore Circus Queensway, Birmingham, B4 6NQ" in mine.inner_text()
    assert "You have not answered yet" in mine.inner_text()
    assert_accessible(page)
    shot(page, "4-home-member")

    mine.get_by_role("link", name="Say whether you will attend").click()
    page.wait_for_load_state()
    page.get_by_label("Attending").check()
    page.get_by_role("button", name="Save my answer").click()
    page.wait_for_load_state()
    page.goto("/")
    mine = page.get_by_role("region", name="Sam, your next meeting")
    assert "Your answer: Attending" in mine.inner_text()
    assert page.get_by_role("heading", name=re.compile("Next step")).count() == 0
    shot(page, "5-home-answered")


def test_first_hour_with_a_proposed_agency(page, browser, live_server, network):
    sign_up(page, proposal="Safe Haven Birmingham")
    confirm(page)
    heading = page.get_by_role("heading", name=re.compile("Next step"))
    assert "an officer approves your request" in heading.inner_text()
    assert page.get_by_text("Safe Haven Birmingham (which you proposed)").is_visible()
    shot(page, "6-proposed-next-step")

    refused = officer_runs(
        browser, live_server, "Approve the selected requests (emails each person)", "7-refused"
    )
    assert "Safe Haven Birmingham is still only a proposed agency" in refused
    approved = officer_runs(
        browser,
        live_server,
        "Approve the selected requests with their proposed agencies (emails each)",
        "8-approved-with-agency",
    )
    assert "Also approved the proposed agency Safe Haven Birmingham" in approved
    page.goto("/")
    assert page.get_by_role("region", name="Sam, your next meeting").is_visible()


def test_without_an_agency_the_next_step_is_to_ask_to_join(page, network):
    sign_up(page)
    confirm(page)
    page.get_by_role("link", name="Ask to join your agency").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Next step: ask to join your agency").is_visible()
    assert_accessible(page)
    shot(page, "9-ask-to-join")


def test_gap_table_scrolls_in_its_region_on_a_phone_with_its_caption_whole(phone_page):
    for order, name in enumerate(
        ["Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"]
    ):
        AreaFactory(name=name, slug=name.lower(), order=order)
    region = AreaFactory(name="Region-wide", slug="region-wide", is_region_wide=True, order=9)
    for order, name in enumerate(["Safe accommodation", "Legal advice", "Interpreting"]):
        ServiceFactory(name=name, slug=name.lower().replace(" ", "-"), order=order)
    ProvidedServiceFactory(service__name="Outreach", service__slug="outreach", areas=[region])

    page = phone_page
    page.goto("/services/")
    page_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_width[0] <= page_width[1], "the page itself must not scroll sideways"
    wrapper = page.get_by_role("region", name=re.compile("Number of agencies providing"))
    scroll, client = wrapper.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll > client, "the table scrolls inside its own region"
    caption = page.locator("#gaps-caption")
    box = caption.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert caption.evaluate("el => el.scrollWidth <= el.clientWidth")
    outreach = page.locator("table.gap-table tbody tr").filter(
        has=page.get_by_role("rowheader", name="Outreach")
    )
    assert "Gap" not in outreach.inner_text()  # region-wide counts in every area
    wrapper.scroll_into_view_if_needed()
    assert_accessible(page)
    shot(page, "10-gap-table-phone")

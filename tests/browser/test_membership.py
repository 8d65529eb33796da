"""Journey: a user asks to join an agency, the chair approves it, the user sees contacts."""

import re

import pytest
from playwright.sync_api import expect

from network.models import Membership
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    PASSWORD,
    AgencyContactFactory,
    AgencyFactory,
    OfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

CONTACT_EMAIL = "pptc.lead@example.org"


def test_user_asks_to_join_chair_approves_user_sees_member_details(page, browser, live_server):
    barnardos = AgencyFactory(name="Barnardo's", slug="barnardos", sector="third")
    AgencyContactFactory(agency=barnardos, name="Rachel Lead", email=CONTACT_EMAIL)
    AgencyFactory(name="West Midlands Police", slug="west-midlands-police")
    UserFactory(email="pending@example.org")
    OfficerFactory(email="chair@example.org")

    # The user asks to join.
    log_in(page, "pending@example.org", PASSWORD)
    page.get_by_role("link", name="Membership").first.click()
    expect(page).to_have_url(re.compile(r"/membership/$"))
    expect(page.locator("h1")).to_have_text("Your membership")
    assert_accessible(page)
    join = page.get_by_role("region", name="Ask to join your agency")
    # Search as you type: the radio buttons follow what is typed (static/js/agency-search.js).
    join.get_by_role("searchbox", name="Find your agency by name").fill("barn")
    join.get_by_role("radio", name="Barnardo's").check()
    expect(join.get_by_role("radio", name="West Midlands Police")).to_have_count(0)
    join.get_by_label("Your role at the agency").fill("Caseworker")
    join.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_text("Your request to join Barnardo's is sent")).to_be_visible()
    expect(page.get_by_role("cell", name="Pending")).to_be_visible()
    assert_accessible(page)

    # Not yet a member: no named contacts.
    page.goto("/agencies/barnardos/")
    expect(page.locator("h1")).to_have_text("Barnardo's")
    expect(page.get_by_text(CONTACT_EMAIL)).to_have_count(0)
    assert_accessible(page)

    # The chair approves it in the admin with the action.
    chair_context = browser.new_context(base_url=live_server.url)
    chair = chair_context.new_page()
    chair.set_default_timeout(15_000)
    log_in(chair, "chair@example.org", PASSWORD)
    chair.goto("/admin/network/membership/")
    row = chair.locator("#result_list tbody tr", has_text="pending@example.org")
    expect(row).to_have_count(1)
    row.locator("input[name=_selected_action]").check()
    chair.locator("select[name=action]").select_option("approve")
    chair.get_by_role("button", name="Go").click()
    expect(chair.get_by_text("Approved 1 membership(s).")).to_be_visible()
    chair_context.close()

    membership = Membership.objects.get(user__email="pending@example.org")
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by.email == "chair@example.org"

    # The user now sees the member-only details.
    page.goto("/agencies/barnardos/")
    expect(page.get_by_role("link", name=CONTACT_EMAIL)).to_be_visible()
    assert_accessible(page)
    page.goto("/agencies/")
    expect(page.get_by_role("link", name=CONTACT_EMAIL)).to_be_visible()
    assert_accessible(page)
    page.goto("/membership/")
    expect(page.get_by_role("cell", name="Approved")).to_be_visible()
    assert_accessible(page)

"""Browser journey: a member records a pledge, reports progress and sees both on the wall."""

import pytest
from django.utils import timezone

from pledges.models import Pledge, PledgeUpdate
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, MembershipFactory, PledgeFactory

pytestmark = pytest.mark.django_db(transaction=True)

PLEDGE = "Brief every neighbourhood team on the Pan West Midlands Modern Slavery Policy."
NOTE = "Four of the ten neighbourhood teams have been briefed."


def test_member_records_a_pledge_and_reports_progress(page):
    membership = MembershipFactory(
        agency__name="West Midlands Police", user__email="police@example.org"
    )
    log_in(page, "police@example.org", PASSWORD)

    page.goto("/pledges/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a pledge").click()
    assert page.locator("h1").inner_text() == "Record a pledge"
    assert_accessible(page)

    # A mistake first: the error summary must be accessible too.
    page.get_by_role("button", name="Record the pledge").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="Pledge").fill(PLEDGE)
    # The form's default year moves on after the October conference; the wall shows this
    # calendar year's pledges: choose this year, whatever the date the test runs on.
    this_year = str(timezone.localdate().year)
    page.get_by_role("combobox", name="Year").select_option(this_year)
    page.get_by_role("button", name="Record the pledge").click()
    page.wait_for_url("**/pledges/*/")
    assert PLEDGE in page.locator("main").inner_text()
    assert_accessible(page)
    pledge = Pledge.objects.get()
    assert pledge.agency == membership.agency

    page.get_by_role("link", name="Edit or add a progress update").click()
    assert_accessible(page)
    page.get_by_label("Progress note").fill(NOTE)
    page.get_by_label("New status").select_option("in_progress")
    page.get_by_role("button", name="Add the update").click()
    page.wait_for_url(f"**/pledges/{pledge.pk}/")
    main = page.locator("main").inner_text()
    assert NOTE in main
    assert "In progress" in main
    assert_accessible(page)
    assert PledgeUpdate.objects.get().note == NOTE

    page.get_by_role("link", name="Pledges", exact=True).click()
    wall = page.locator("main").inner_text()
    assert PLEDGE in wall
    assert "In progress" in wall
    assert_accessible(page)

    page.get_by_role("link", name="West Midlands Police").first.click()
    assert NOTE in page.locator("main").inner_text()


def test_visitor_sees_public_pledges_on_a_phone(phone_page):
    pledge = PledgeFactory(text="Run free advice clinics.")
    PledgeFactory(
        agency=pledge.agency,
        year=pledge.year,
        text="Members-only pledge.",
        visibility=Pledge.Visibility.MEMBERS,
    )

    phone_page.goto(f"/pledges/?year={pledge.year}")
    wall = phone_page.locator("main").inner_text()
    assert "Run free advice clinics." in wall
    assert "Members-only pledge." not in wall
    assert_accessible(phone_page)

    phone_page.get_by_label("Status").select_option("achieved")
    phone_page.get_by_role("button", name="Show pledges").click()
    assert "Run free advice clinics." not in phone_page.locator("main").inner_text()
    assert_accessible(phone_page)

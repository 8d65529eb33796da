"""Journeys: a member updates their agency's services and the gap view changes; groups and
resources pages are accessible."""

import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    AreaFactory,
    MembershipFactory,
    ProvidedServiceFactory,
    ResourceFactory,
    ServiceFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def survey(db):
    birmingham = AreaFactory(name="Birmingham", slug="birmingham", order=0)
    AreaFactory(name="Sandwell", slug="sandwell", order=1)
    AreaFactory(name="Region-wide", slug="region-wide", is_region_wide=True, order=2)
    legal = ServiceFactory(name="Legal advice", slug="legal-advice", category="legal", order=0)
    ServiceFactory(name="Interpreting", slug="interpreting", category="interpreting", order=1)
    ProvidedServiceFactory(
        agency=AgencyFactory(name="Bailey Wright & Co Solicitors"),
        service=legal,
        areas=[birmingham],
    )
    police = AgencyFactory(name="West Midlands Police", slug="west-midlands-police")
    MembershipFactory(agency=police, user__email="police@example.org")
    return police


def interpreting_in_sandwell(page):
    row = page.locator("table.gap-table tbody tr").filter(
        has=page.get_by_role("rowheader", name="Interpreting")
    )
    # Columns: Birmingham, Sandwell, Region-wide.
    return row.locator("td").nth(1)


def test_member_updates_services_and_the_gap_closes(page, survey):
    page.goto("/services/")
    assert page.locator("h1").count() == 1
    assert interpreting_in_sandwell(page).inner_text() == "Gap"
    assert page.get_by_text("Bailey Wright").count() == 0  # the public sees counts only
    assert_accessible(page)

    log_in(page, "police@example.org", PASSWORD)
    page.goto("/services/")
    assert page.get_by_text("Bailey Wright").count() >= 1
    assert_accessible(page)

    page.get_by_role("link", name="Update West Midlands Police's services").click()
    page.wait_for_load_state()
    assert_accessible(page)
    interpreting = page.get_by_role("group", name="Interpreting", exact=True)
    interpreting.get_by_label("We provide this").check()
    interpreting.get_by_label("Sandwell").check()
    interpreting.get_by_label("Notes").fill("Polish and Romanian interpreters")
    page.get_by_role("button", name="Save West Midlands Police's services").click()
    page.wait_for_load_state()

    assert page.url.endswith("/services/")
    assert page.get_by_text("West Midlands Police's services are saved.").is_visible()
    assert interpreting_in_sandwell(page).inner_text() == "1"
    assert_accessible(page)

    interpreting_in_sandwell(page).get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Interpreting in Sandwell").is_visible()
    assert_accessible(page)


def test_survey_form_error_is_summarised_and_accessible(page, survey):
    log_in(page, "police@example.org", PASSWORD)
    page.goto("/services/west-midlands-police/edit/")
    page.get_by_role("group", name="Interpreting", exact=True).get_by_label(
        "We provide this"
    ).check()
    page.get_by_role("button", name="Save West Midlands Police's services").click()
    page.wait_for_load_state()
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)


def test_member_joins_a_group_and_reads_resources(page, survey):
    group = WorkingGroupFactory(name="Point of rescue", slug="point-of-rescue")
    ResourceFactory(title="Modern Slavery Helpline", phone="08000 121 700")
    ResourceFactory(kind="form", title="NRM forms", phone="", url="https://www.gov.uk/nrm")

    page.goto("/resources/")
    assert page.get_by_role("main").get_by_role("link", name="08000 121 700").get_attribute(
        "href"
    ) == ("tel:+448000121700")
    assert_accessible(page)

    log_in(page, "police@example.org", PASSWORD)
    page.goto("/groups/")
    assert_accessible(page)
    page.get_by_role("link", name="Point of rescue").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Join this group").click()
    page.wait_for_load_state()
    assert page.get_by_text("You have joined Point of rescue.").is_visible()
    assert page.get_by_label("Show this group's meetings in my calendar").is_checked()
    assert_accessible(page)
    assert group.memberships.count() == 1


def test_gap_view_on_a_phone_scrolls_inside_an_accessible_region(phone_page, survey):
    phone_page.goto("/services/")
    region = phone_page.get_by_role("region", name="Number of agencies providing each service")
    assert region.is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(phone_page)

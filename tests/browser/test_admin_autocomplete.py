"""The admin's autocomplete selects after their options became valid HTML
(templates/django/forms/widgets/): select2 still shows the chosen value or a blank
placeholder, finds and picks by search, never offers the empty option, and clears an
optional field."""

import pytest
from playwright.sync_api import expect

from events.models import Event
from pledges.models import Pledge
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, AgencyFactory, EventFactory, OfficerFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)


def select2(page, field):
    return page.locator(f"#id_{field} + .select2")


def choose(page, field, search, text):
    select2(page, field).locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    results = page.locator(".select2-results__option:not(.loading-results)")
    expect(results.first).to_have_text(text)
    # The empty option is select2's placeholder, never a result.
    assert "---------" not in results.all_inner_texts()
    results.first.click()


def test_optional_autocomplete_shows_searches_chooses_and_clears(page, live_server):
    officer = OfficerFactory()
    event = EventFactory(venue=VenueFactory(name="Lloyd House"), organiser=AgencyFactory())
    other_venue = VenueFactory(name="Oldbury Council House")
    log_in(page, officer.email, PASSWORD)
    page.goto(f"/admin/events/event/{event.pk}/change/")

    expect(select2(page, "venue").locator(".select2-selection__rendered")).to_contain_text(
        "Lloyd House"
    )
    expect(select2(page, "working_group").locator(".select2-selection__rendered")).to_have_text("")
    choose(page, "venue", "Oldbury", "Oldbury Council House")
    assert page.locator("#id_venue").input_value() == str(other_venue.pk)
    select2(page, "organiser").locator(".select2-selection__clear").click()
    page.keyboard.press("Escape")
    assert page.locator("#id_organiser").input_value() == ""
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()

    event = Event.objects.get(pk=event.pk)
    assert event.venue == other_venue
    assert event.organiser is None


def test_required_autocomplete_starts_blank_and_chooses(page, live_server):
    officer = OfficerFactory()
    agency = AgencyFactory(name="West Midlands Police")
    log_in(page, officer.email, PASSWORD)
    page.goto("/admin/pledges/pledge/add/")

    rendered = select2(page, "agency").locator(".select2-selection__rendered")
    expect(rendered).to_have_text("")
    # A required field offers no "clear".
    expect(select2(page, "agency").locator(".select2-selection__clear")).to_have_count(0)
    choose(page, "agency", "Midlands", "West Midlands Police")
    expect(rendered).to_have_text("West Midlands Police")
    assert page.locator("#id_agency").input_value() == str(agency.pk)
    assert Pledge.objects.count() == 0

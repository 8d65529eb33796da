"""Long lists are paged: the directory and the pledge wall cost the same at any size."""

import pytest
from django.urls import reverse

from pledges.services import current_pledge_year
from tests.factories import AgencyFactory, PledgeFactory
from wmasn.pagination import PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_directory_shows_one_page_of_agencies_and_links_to_the_next(anon_client):
    AgencyFactory.create_batch(PAGE_SIZE + 3)
    response = anon_client.get(reverse("network:agency-list"))
    assert len(response.context["page_obj"]) == PAGE_SIZE
    assert f"{PAGE_SIZE + 3} agencies" in response.text
    assert "?page=2" in response.text

    second = anon_client.get(reverse("network:agency-list"), {"page": 2})
    assert len(second.context["page_obj"]) == 3


@pytest.mark.parametrize("page", ["0", "-1", "999", "abc", "1e9", "\u202e"])
def test_bad_page_numbers_give_a_valid_page(anon_client, page):
    AgencyFactory.create_batch(3)
    response = anon_client.get(reverse("network:agency-list"), {"page": page})
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 3


def test_pager_keeps_the_filters(anon_client):
    AgencyFactory.create_batch(PAGE_SIZE + 1, sector="third")
    response = anon_client.get(reverse("network:agency-list"), {"sector": "third"})
    assert "?sector=third&amp;page=2" in response.text


def test_pledge_wall_is_paged(anon_client):
    PledgeFactory.create_batch(PAGE_SIZE + 2, year=current_pledge_year())
    response = anon_client.get(reverse("pledges:pledge-list"))
    assert len(response.context["page_obj"]) == PAGE_SIZE
    assert f"{PAGE_SIZE + 2} pledges" in response.text
    last = anon_client.get(reverse("pledges:pledge-list"), {"page": 2})
    assert len(last.context["page_obj"]) == 2


def test_pledge_wall_searches_agencies_by_name(anon_client):
    year = current_pledge_year()
    PledgeFactory(year=year, agency__name="Sandwell Council", text="Run an awareness day.")
    PledgeFactory(year=year, agency__name="West Midlands Police", text="Launch the policy.")
    response = anon_client.get(reverse("pledges:pledge-list"), {"agency_name": "sandwell"})
    assert [p.text for p in response.context["page_obj"]] == ["Run an awareness day."]


def test_pledge_wall_filter_by_agency_slug_names_the_agency(anon_client):
    year = current_pledge_year()
    pledge = PledgeFactory(year=year, agency__name="Sandwell Council", agency__slug="sandwell")
    PledgeFactory(year=year)
    response = anon_client.get(reverse("pledges:pledge-list"), {"agency": "sandwell"})
    assert list(response.context["page_obj"]) == [pledge]
    assert "Showing the pledges of" in response.text

"""Admin list filters and choosers that stay small however many agencies there are."""

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, MembershipFactory, PledgeFactory

MEMBERSHIPS = reverse("admin:network_membership_changelist")
PLEDGES = reverse("admin:pledges_pledge_changelist")


@pytest.fixture
def many_agencies(db):
    return [AgencyFactory(name=f"Agency {i:03d}") for i in range(40)]


def extra(url):
    """The membership list opens on pending requests: ask for all of them."""
    return {"status": "all"} if url == MEMBERSHIPS else {}


def agency_links(html):
    return html.count("agency__id__exact=")


@pytest.mark.parametrize("url", [MEMBERSHIPS, PLEDGES])
def test_the_agency_filter_never_lists_every_agency(officer_client, many_agencies, url):
    for agency in many_agencies[:5]:
        MembershipFactory(agency=agency)
        PledgeFactory(agency=agency)
    html = officer_client.get(url, extra(url)).content.decode()
    assert agency_links(html) == 0
    assert "Agency 039" not in html


@pytest.mark.parametrize("url", [MEMBERSHIPS, PLEDGES])
def test_a_list_filtered_by_agency_shows_that_agency_alone(officer_client, many_agencies, url):
    chosen, other = many_agencies[0], many_agencies[1]
    MembershipFactory(agency=chosen, user__email="chosen@example.org")
    MembershipFactory(agency=other, user__email="other@example.org")
    PledgeFactory(agency=chosen, text="Chosen agency's pledge")
    PledgeFactory(agency=other, text="Other agency's pledge")
    response = officer_client.get(url, {"agency__id__exact": chosen.pk, **extra(url)})
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed and all(row.agency_id == chosen.pk for row in listed)
    assert chosen.name in response.content.decode()
    assert other.name not in response.content.decode().split('id="changelist-filter"', 1)[1]


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_a_bad_agency_filter_lists_nothing_and_is_no_error(officer_client, many_agencies, value):
    MembershipFactory(agency=many_agencies[0])
    response = officer_client.get(MEMBERSHIPS, {"agency__id__exact": value, "status": "all"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:events_event_add"),
        reverse("admin:events_venue_add"),
        reverse("admin:network_membership_add"),
        reverse("admin:pledges_pledge_add"),
        reverse("admin:newsletters_issue_add"),
    ],
)
def test_agency_choosers_in_the_admin_search_as_you_type(officer_client, many_agencies, url):
    html = officer_client.get(url).content.decode()
    assert "admin-autocomplete" in html
    assert "Agency 039" not in html

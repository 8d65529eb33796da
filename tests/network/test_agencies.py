"""The agency directory, profile and member edit page, against every role."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network.models import Agency, AgencyContact
from tests.factories import (
    AgencyContactFactory,
    AgencyFactory,
    AreaFactory,
    EventFactory,
    PledgeFactory,
    VenueFactory,
)
from wmasn.concurrency import version_of

CONTACT_EMAIL = "named.contact@example.org"

# role -> whether the role sees member-only details
SEES_MEMBER_DETAILS = {
    "anonymous": False,
    "pending": False,
    "other_member": True,
    "member": True,
    "officer": True,
}


@pytest.fixture
def contact(agency):
    return AgencyContactFactory(
        agency=agency, name="Dana Named", email=CONTACT_EMAIL, phone="0121 496 0999"
    )


@pytest.fixture
def proposed_agency(db):
    return AgencyFactory(name="New Charity", slug="new-charity", status=Agency.Status.PROPOSED)


def edit_data(agency, **overrides):
    data = {
        "version": version_of(agency),
        "description": "Updated description.",
        "website": "https://updated.example.org/",
        "public_email": "info@example.org",
        "public_phone": "0121 496 0123",
        "address": "1 Example Street\nBirmingham",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "Sam New",
        "contacts-0-role": "Lead",
        "contacts-0-email": "sam.new@example.org",
        "contacts-0-phone": "0121 496 0456",
        "contacts-0-order": "0",
    }
    data.update(overrides)
    return data


# Directory


def test_directory_shows_contacts_only_to_members_and_officers(client_for_role, role, contact):
    response = client_for_role(role).get(reverse("network:agency-list"))
    assert response.status_code == 200
    assert "West Midlands Police" in response.text
    assert (CONTACT_EMAIL in response.text) is SEES_MEMBER_DETAILS[role]
    assert ("Dana Named" in response.text) is SEES_MEMBER_DETAILS[role]


def test_directory_refuses_post(member_client):
    assert member_client.post(reverse("network:agency-list")).status_code == 405


def test_directory_lists_active_agencies_only(anon_client, agency, proposed_agency):
    response = anon_client.get(reverse("network:agency-list"))
    assert agency.name in response.text
    assert proposed_agency.name not in response.text


def test_directory_filters_by_sector(anon_client, agency, other_agency):
    response = anon_client.get(reverse("network:agency-list"), {"sector": "third"})
    assert list(response.context["page_obj"]) == [other_agency]


def test_directory_filters_by_area(anon_client, agency, other_agency):
    sandwell = AreaFactory(name="Sandwell", slug="sandwell")
    other_agency.areas.add(sandwell)
    response = anon_client.get(reverse("network:agency-list"), {"area": "sandwell"})
    assert list(response.context["page_obj"]) == [other_agency]


def test_directory_searches_by_name(anon_client, agency, other_agency):
    response = anon_client.get(reverse("network:agency-list"), {"q": "police"})
    assert list(response.context["page_obj"]) == [agency]
    assert 'value="police"' in response.text


def test_directory_ignores_bad_filters(anon_client, agency, other_agency):
    response = anon_client.get(reverse("network:agency-list"), {"sector": "x", "area": "nowhere"})
    assert response.status_code == 200
    assert set(response.context["page_obj"]) == {agency, other_agency}


def test_directory_filter_form_is_labelled(anon_client, agency):
    response = anon_client.get(reverse("network:agency-list"))
    for field in ("q", "sector", "area"):
        assert f'for="id_{field}"' in response.text


def _directory_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("network:agency-list"))
    assert response.status_code == 200
    return len(queries)


def test_directory_query_count_does_not_grow_with_agencies(member_client):
    areas = [AreaFactory(), AreaFactory()]

    def add_agencies(n):
        for _ in range(n):
            agency = AgencyFactory()
            agency.areas.set(areas)
            AgencyContactFactory.create_batch(2, agency=agency)

    add_agencies(2)
    few = _directory_queries(member_client)
    add_agencies(10)
    many = _directory_queries(member_client)
    assert Agency.objects.count() >= 13
    assert many == few


def test_directory_query_count_is_small(member_client, django_assert_max_num_queries):
    for _ in range(5):
        AgencyContactFactory(agency=AgencyFactory())
    with django_assert_max_num_queries(10):
        member_client.get(reverse("network:agency-list"))


# Profile


def test_profile_shows_contacts_only_to_members_and_officers(client_for_role, role, contact):
    response = client_for_role(role).get(
        reverse("network:agency-detail", args=[contact.agency.slug])
    )
    assert response.status_code == 200
    assert "An agency working against modern slavery." in response.text
    assert (CONTACT_EMAIL in response.text) is SEES_MEMBER_DETAILS[role]


def test_profile_refuses_post(member_client, agency):
    url = reverse("network:agency-detail", args=[agency.slug])
    assert member_client.post(url).status_code == 405


def test_profile_of_unknown_agency_is_404(anon_client):
    assert anon_client.get(reverse("network:agency-detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    ("role_name", "expected"),
    [
        ("anonymous", 404),
        ("pending", 404),
        ("other_member", 404),
        ("member", 404),
        ("officer", 200),
    ],
)
def test_proposed_agency_is_visible_to_officers_only(
    client_for_role, role_name, expected, proposed_agency
):
    url = reverse("network:agency-detail", args=[proposed_agency.slug])
    assert client_for_role(role_name).get(url).status_code == expected


def test_profile_shows_public_details_and_areas(anon_client, agency):
    agency.areas.add(AreaFactory(name="Region-wide", slug="region-wide"))
    agency.public_phone = "0121 496 0777"
    agency.save()
    response = anon_client.get(reverse("network:agency-detail", args=[agency.slug]))
    assert "Region-wide" in response.text
    assert "0121 496 0777" in response.text
    assert "Public sector" in response.text
    assert agency.website in response.text


def test_profile_shows_members_only_pledges_to_members_only(client_for_role, role, agency):
    PledgeFactory(agency=agency, year=2017, text="Public pledge for 2017.")
    PledgeFactory(agency=agency, year=2018, text="Members pledge for 2018.", visibility="members")
    response = client_for_role(role).get(reverse("network:agency-detail", args=[agency.slug]))
    assert "Public pledge for 2017." in response.text
    assert ("Members pledge for 2018." in response.text) is SEES_MEMBER_DETAILS[role]


def test_profile_groups_pledges_by_year_newest_first(anon_client, agency):
    PledgeFactory(agency=agency, year=2017, text="Pledge for last year.", status="achieved")
    PledgeFactory(agency=agency, year=2018, text="Pledge for this year.")
    response = anon_client.get(reverse("network:agency-detail", args=[agency.slug]))
    text = response.text
    assert text.index("2018") < text.index("Pledge for this year.") < text.index("2017")
    assert text.index("2017") < text.index("Pledge for last year.")
    assert "Achieved" in text


def test_profile_lists_upcoming_events_it_organises_or_hosts_without_venue(
    client_for_role, role, agency
):
    now = timezone.now()
    EventFactory(title="Organised meeting", organiser=agency, venue=VenueFactory(name="Room X"))
    EventFactory(title="Hosted meeting", venue=VenueFactory(name="Room Y", host_agency=agency))
    EventFactory(title="Someone else's meeting")
    EventFactory(
        title="Past meeting",
        organiser=agency,
        starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=30, hours=-2),
    )
    response = client_for_role(role).get(reverse("network:agency-detail", args=[agency.slug]))
    assert "Organised meeting" in response.text
    assert "Hosted meeting" in response.text
    assert "Someone else" not in response.text
    assert "Past meeting" not in response.text
    assert "Room X" not in response.text
    assert "Room Y" not in response.text


def test_profile_offers_edit_link_only_to_its_members(client_for_role, role, agency):
    response = client_for_role(role).get(reverse("network:agency-detail", args=[agency.slug]))
    edit_url = reverse("network:agency-edit", args=[agency.slug])
    assert (edit_url in response.text) is (role == "member")


# Edit

EDIT_GET_STATUS = {
    "anonymous": 302,
    "pending": 404,
    "other_member": 404,
    "member": 200,
    "officer": 404,
}


def test_edit_get_by_role(client_for_role, role, agency):
    response = client_for_role(role).get(reverse("network:agency-edit", args=[agency.slug]))
    assert response.status_code == EDIT_GET_STATUS[role]
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role_name", ["anonymous", "pending", "other_member", "officer"])
def test_edit_post_by_outsiders_changes_nothing(client_for_role, role_name, agency):
    url = reverse("network:agency-edit", args=[agency.slug])
    response = client_for_role(role_name).post(url, edit_data(agency))
    assert response.status_code == (302 if role_name == "anonymous" else 404)
    agency.refresh_from_db()
    assert agency.description == "An agency working against modern slavery."
    assert not AgencyContact.objects.filter(agency=agency).exists()


def test_other_agency_member_cannot_edit_agency(other_member_client, agency, other_agency):
    url = reverse("network:agency-edit", args=[agency.slug])
    assert other_member_client.get(url).status_code == 404
    assert other_member_client.post(url, edit_data(agency)).status_code == 404
    agency.refresh_from_db()
    assert agency.description == "An agency working against modern slavery."
    # Their own agency opens.
    own = reverse("network:agency-edit", args=[other_agency.slug])
    assert other_member_client.get(own).status_code == 200


def test_member_edits_profile_and_contacts(member_client, agency):
    area = AreaFactory(name="Dudley", slug="dudley")
    url = reverse("network:agency-edit", args=[agency.slug])
    response = member_client.post(url, edit_data(agency, areas=[area.pk]))
    assert response.status_code == 302
    assert response.url == agency.get_absolute_url()
    agency.refresh_from_db()
    assert agency.description == "Updated description."
    assert agency.public_phone == "0121 496 0123"
    assert list(agency.areas.all()) == [area]
    assert agency.contacts.get().email == "sam.new@example.org"


@pytest.mark.parametrize("area_id", [str(2**63), str(-(2**63) - 1), "99999999999999999999999"])
def test_an_area_id_out_of_range_is_a_form_error(member_client, agency, area_id):
    url = reverse("network:agency-edit", args=[agency.slug])
    response = member_client.post(url, edit_data(agency, areas=[area_id]))
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    agency.refresh_from_db()
    assert agency.description != "Updated description."


def test_member_edit_with_bad_contact_shows_contact_errors(member_client, agency):
    url = reverse("network:agency-edit", args=[agency.slug])
    response = member_client.post(url, edit_data(agency, **{"contacts-0-email": "nope"}))
    assert response.status_code == 200
    assert "There is a problem with the contacts" in response.text
    assert not agency.contacts.exists()


def test_member_deletes_a_contact(member_client, agency, contact):
    url = reverse("network:agency-edit", args=[agency.slug])
    data = edit_data(
        agency,
        **{
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(contact.pk),
            "contacts-0-name": contact.name,
            "contacts-0-DELETE": "on",
        },
    )
    assert member_client.post(url, data).status_code == 302
    assert not AgencyContact.objects.filter(pk=contact.pk).exists()


def test_member_edit_with_bad_input_shows_errors_and_saves_nothing(member_client, agency):
    url = reverse("network:agency-edit", args=[agency.slug])
    response = member_client.post(url, edit_data(agency, website="not a url"))
    assert response.status_code == 200
    assert "There is a problem" in response.text
    agency.refresh_from_db()
    assert agency.website == "https://agency.example.org/"
    assert not agency.contacts.exists()


def test_member_cannot_touch_another_agencys_contact_through_the_formset(
    member_client, agency, other_agency
):
    theirs = AgencyContactFactory(agency=other_agency, name="Not Yours")
    url = reverse("network:agency-edit", args=[agency.slug])
    data = edit_data(
        agency,
        **{
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(theirs.pk),
            "contacts-0-name": "Hijacked",
        },
    )
    member_client.post(url, data)
    theirs.refresh_from_db()
    assert theirs.name == "Not Yours"
    assert theirs.agency == other_agency


def test_edit_refuses_other_methods(member_client, agency):
    url = reverse("network:agency-edit", args=[agency.slug])
    assert member_client.put(url).status_code == 405
    assert member_client.delete(url).status_code == 405


def test_edit_of_proposed_agency_is_404_even_for_its_approved_proposer(client, proposed_agency):
    from tests.factories import MembershipFactory

    user = MembershipFactory(agency=proposed_agency).user
    client.force_login(user)
    url = reverse("network:agency-edit", args=[proposed_agency.slug])
    assert client.get(url).status_code == 404


def test_nav_links(client_for_role, role, agency):
    response = client_for_role(role).get(reverse("network:agency-list"))
    assert 'href="/agencies/" aria-current="page"' in response.text
    assert ('href="/membership/">Membership</a>' in response.text) is (role != "anonymous")


def test_profile_links_its_events(anon_client, agency):
    event = EventFactory(title="Linked meeting", organiser=agency)
    response = anon_client.get(reverse("network:agency-detail", args=[agency.slug]))
    assert f'href="{reverse("events:event-detail", args=[event.slug])}"' in response.text

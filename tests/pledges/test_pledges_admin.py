"""The pledge admin: filters, progress inline, CSV export and the conference capture page."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from pledges.models import Pledge, PledgeUpdate
from tests.conftest import ROLES
from tests.factories import (
    AgencyFactory,
    ConferenceFactory,
    EventFactory,
    PledgeFactory,
    PledgeUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CAPTURE = reverse("admin:pledges_pledge_conference")
CHANGELIST = reverse("admin:pledges_pledge_changelist")


def capture_data(event, rows, total=10):
    data = {
        "event": event.pk if event else "",
        "pledges-TOTAL_FORMS": str(total),
        "pledges-INITIAL_FORMS": "0",
        "pledges-MIN_NUM_FORMS": "1",
        "pledges-MAX_NUM_FORMS": "60",
    }
    for i, (agency, text, visibility) in enumerate(rows):
        data[f"pledges-{i}-agency"] = agency.pk if agency else ""
        data[f"pledges-{i}-text"] = text
        data[f"pledges-{i}-visibility"] = visibility
    for i in range(len(rows), total):
        data[f"pledges-{i}-visibility"] = "public"
    return data


@pytest.mark.parametrize("role", ROLES)
def test_capture_page_is_for_officers_only(role, client_for_role):
    response = client_for_role(role).get(CAPTURE)

    if role == "officer":
        assert response.status_code == 200
        assert "Capture pledges made at a conference" in response.content.decode()
    else:
        # The admin sends anyone who is not staff to its log-in page.
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_staff_without_the_add_pledge_permission_is_refused(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_pledge"))
    client.force_login(staff)

    assert client.get(CAPTURE).status_code == 403
    assert client.post(CAPTURE, {}).status_code == 403


def test_capture_page_rejects_wrong_methods(officer_client):
    assert officer_client.put(CAPTURE).status_code == 405


def test_capture_page_offers_only_conferences(officer_client):
    conference = ConferenceFactory()
    meeting = EventFactory()

    form = officer_client.get(CAPTURE).context["event_form"]

    assert list(form.fields["event"].queryset) == [conference]
    assert meeting not in form.fields["event"].queryset


def test_officer_captures_many_pledges_linked_to_the_conference(officer_client, officer):
    conference = ConferenceFactory()  # 18 October 2017
    police, charity, council = AgencyFactory.create_batch(3)

    response = officer_client.post(
        CAPTURE,
        capture_data(
            conference,
            [
                (police, "Launch the policy.", "public"),
                (charity, "More partnership visits.", "public"),
                (council, "An awareness day.", "members"),
            ],
        ),
    )

    assert response.status_code == 302
    pledges = Pledge.objects.order_by("pk")
    assert [(p.agency, p.text, p.visibility) for p in pledges] == [
        (police, "Launch the policy.", "public"),
        (charity, "More partnership visits.", "public"),
        (council, "An awareness day.", "members"),
    ]
    assert {(p.year, p.made_at, p.created_by) for p in pledges} == {(2018, conference, officer)}


def test_an_invalid_row_saves_nothing_and_shows_the_error(officer_client):
    conference = ConferenceFactory()
    police, charity = AgencyFactory.create_batch(2)

    response = officer_client.post(
        CAPTURE,
        capture_data(
            conference, [(police, "Launch the policy.", "public"), (charity, "", "public")]
        ),
    )

    assert response.status_code == 200
    assert response.context["formset"].errors[1] == {"text": ["This field is required."]}
    assert "Nothing has been saved" in response.content.decode()
    assert not Pledge.objects.exists()


def test_capture_without_a_conference_or_any_row_is_an_error(officer_client):
    police = AgencyFactory()
    meeting = EventFactory()

    no_event = officer_client.post(CAPTURE, capture_data(None, [(police, "x", "public")]))
    not_a_conference = officer_client.post(
        CAPTURE, capture_data(meeting, [(police, "x", "public")])
    )
    no_rows = officer_client.post(CAPTURE, capture_data(ConferenceFactory(), []))

    assert "event" in no_event.context["event_form"].errors
    assert "event" in not_a_conference.context["event_form"].errors
    assert no_rows.context["formset"].non_form_errors()
    assert not Pledge.objects.exists()


def test_forged_agency_in_a_row_is_an_error(officer_client):
    conference = ConferenceFactory()
    data = capture_data(conference, [(AgencyFactory(), "x", "public")])
    data["pledges-0-agency"] = "999999"

    response = officer_client.post(CAPTURE, data)

    assert "agency" in response.context["formset"].errors[0]
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["year=2018", "status=achieved", "visibility=members", "agency__sector=third", "q=visits"],
)
def test_pledge_changelist_filters(officer_client, query):
    third = AgencyFactory(sector="third")
    PledgeFactory(
        agency=third,
        text="Partnership visits",
        status="achieved",
        visibility="members",
        year=2018,
    )
    PledgeFactory(year=2017, text="Other pledge")

    response = officer_client.get(f"{CHANGELIST}?{query}")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_pledge_change_page_has_progress_updates_inline(officer_client):
    update = PledgeUpdateFactory(note="Half way there.")

    response = officer_client.get(reverse("admin:pledges_pledge_change", args=[update.pledge.pk]))

    assert response.status_code == 200
    assert "Half way there." in response.content.decode()


def test_progress_update_added_in_the_admin_records_the_officer(officer_client, officer):
    pledge = PledgeFactory()
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    data = {
        "agency": pledge.agency.pk,
        "year": pledge.year,
        "text": pledge.text,
        "status": "in_progress",
        "visibility": "public",
        "made_at": "",
        "created_by": "",
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "updates-0-note": "Started.",
        "updates-0-status": "in_progress",
        "updates-0-author": "",
    }

    response = officer_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PledgeUpdate.objects.get().author == officer


def test_csv_export_neutralises_formulas(officer_client):
    agency = AgencyFactory(name="=Evil Agency")
    pledge = PledgeFactory(agency=agency, text='=HYPERLINK("http://evil.example")')
    PledgeUpdateFactory(pledge=pledge)

    response = officer_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [pledge.pk]}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "year", "agency"]
    assert rows[1][2] == "'=Evil Agency"
    assert rows[1][6] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][8] == "1"
    assert len(rows) == 2

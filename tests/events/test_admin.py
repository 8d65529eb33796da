"""Officers' work in the admin: edit, schedule a year, cancel with a reason, export CSV."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.events.conftest import admin_change_data, london
from tests.factories import EventFactory, MembershipFactory, RSVPFactory, VenueFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/events/event/"
SCHEDULE = "/admin/events/event/schedule-year/"


def test_schedule_url():
    assert reverse("admin:events_event_schedule_year") == SCHEDULE


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 302),
        ("pending", 302),
        ("other_member", 302),
        ("member", 302),
        ("officer", 200),
    ],
)
def test_admin_pages_are_for_officers(client_for_role, role, status, meeting):
    client = client_for_role(role)
    for url in [
        CHANGELIST,
        SCHEDULE,
        f"/admin/events/event/{meeting.pk}/change/",
        "/admin/events/venue/",
        "/admin/events/eventnotice/",
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert "login" in response["Location"]


def test_staff_without_permission_cannot_schedule(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(SCHEDULE).status_code == 403
    assert client.post(SCHEDULE, {}).status_code == 403


def schedule_data(rows, **shared):
    """The "Schedule a year" POST: shared fields, then a row per (date, venue, organiser)."""
    data = {
        "title": "Network meeting",
        "starts": "10:00",
        "ends": "12:30",
        "description": "",
        "meetings-TOTAL_FORMS": str(max(len(rows), 6)),
        "meetings-INITIAL_FORMS": "0",
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "12",
        **shared,
    }
    for index, (day, venue, organiser) in enumerate(rows):
        data[f"meetings-{index}-day"] = day
        data[f"meetings-{index}-venue"] = venue.pk if venue else ""
        data[f"meetings-{index}-organiser"] = organiser.pk if organiser else ""
    return data


def test_schedule_a_year_with_rotating_venues_skipping_existing_dates(
    officer_client, agency, other_agency, django_capture_on_commit_callbacks, time_machine
):
    # Before the meetings: the worker announces only those still to come.
    time_machine.move_to(london(2026, 12, 1, 9, 0), tick=False)
    oldbury = VenueFactory(name="Sandwell Council House", town="Oldbury", postcode="B69 3DE")
    birmingham = VenueFactory(name="Lloyd House", town="Birmingham")
    EventFactory(
        kind=Event.Kind.NETWORK_MEETING,
        starts_at=london(2027, 3, 18, 14),
        ends_at=london(2027, 3, 18, 16),
    )
    rows = [
        ("2027-01-21", oldbury, agency),
        ("18/03/2027", birmingham, other_agency),
        ("2027-05-20", None, None),
        ("2027-07-15", birmingham, agency),
        ("2027-09-16", oldbury, other_agency),
        ("2027-11-18", None, agency),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(SCHEDULE, schedule_data(rows), follow=True)
    assert response.redirect_chain == [(CHANGELIST, 302)]
    assert (
        "Scheduled 5 meeting(s); the announcement is being emailed to members. Skipped dates "
        "that already have a network meeting: 18 Mar 2027"
    ) in response.content.decode()
    created = Event.objects.filter(slug__startswith="network-meeting-2027").order_by("starts_at")
    assert [(e.slug, e.title, e.venue, e.organiser) for e in created] == [
        ("network-meeting-2027-01-21", "Network meeting, Oldbury", oldbury, agency),
        ("network-meeting-2027-05-20", "Network meeting", None, None),
        ("network-meeting-2027-07-15", "Network meeting, Birmingham", birmingham, agency),
        ("network-meeting-2027-09-16", "Network meeting, Oldbury", oldbury, other_agency),
        ("network-meeting-2027-11-18", "Network meeting", None, agency),
    ]
    may = created[1]
    assert may.starts_at == dt.datetime(2027, 5, 20, 9, 0, tzinfo=dt.UTC)  # 10:00 BST
    assert created[0].starts_at == dt.datetime(2027, 1, 21, 10, 0, tzinfo=dt.UTC)  # 10:00 GMT
    # Once committed, the task sends one announcement per invited person (the officer
    # here), listing the five meetings.
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]
    assert "5 meetings scheduled" in mail.outbox[0].subject
    # Running it again creates nothing and announces nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(SCHEDULE, schedule_data([("2027-01-21", oldbury, agency)]))
    assert Event.objects.filter(slug__startswith="network-meeting-2027").count() == 5
    assert mail.outbox == []


@pytest.mark.parametrize(
    "shared,rows",
    [
        ({}, [("31/02/2027", None, None)]),
        ({}, []),
        ({"starts": "12:00", "ends": "10:00"}, [("2027-01-21", None, None)]),
        ({"starts": "x", "ends": "y"}, [("next tuesday", None, None)]),
        ({}, [("2027-01-21", None, None), ("21/01/2027", None, None)]),
    ],
)
def test_schedule_bad_input_is_a_form_error(officer_client, shared, rows):
    response = officer_client.post(SCHEDULE, schedule_data(rows, **shared))
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Event.objects.exists()


def test_schedule_row_with_a_venue_but_no_date_is_a_form_error(officer_client, venue):
    data = schedule_data([("2027-01-21", None, None)])
    data["meetings-1-venue"] = venue.pk
    response = officer_client.post(SCHEDULE, data)
    assert response.status_code == 400
    assert "Give this meeting" in response.content.decode()
    assert not Event.objects.exists()


def test_schedule_with_a_forged_venue_is_a_form_error(officer_client):
    data = schedule_data([("2027-01-21", None, None)])
    data["meetings-0-venue"] = "99999"
    assert officer_client.post(SCHEDULE, data).status_code == 400
    assert not Event.objects.exists()


def test_cancel_action_asks_for_a_reason_then_cancels_and_emails_everyone_invited(
    officer_client, agency, django_capture_on_commit_callbacks
):
    meeting = EventFactory(title="Network meeting, Oldbury")
    attending = MembershipFactory(agency=agency, user__email="going@example.org").user
    apologies = MembershipFactory(agency=agency, user__email="notgoing@example.org").user
    RSVPFactory(event=meeting, user=attending)
    RSVPFactory(event=meeting, user=apologies, answer="apologies")
    selection = {"action": "cancel_selected", ACTION_CHECKBOX_NAME: [meeting.pk]}
    confirm = officer_client.post(CHANGELIST, selection)
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.content.decode()
    meeting.refresh_from_db()
    assert not meeting.is_cancelled

    empty = officer_client.post(CHANGELIST, {**selection, "apply": "1", "reason": ""})
    assert empty.status_code == 200
    meeting.refresh_from_db()
    assert not meeting.is_cancelled

    with django_capture_on_commit_callbacks(execute=True):
        done = officer_client.post(CHANGELIST, {**selection, "apply": "1", "reason": "Snow."})
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancellation_reason == "Snow."
    assert meeting.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "going@example.org",
        "notgoing@example.org",
        "officer@example.org",
    ]
    going = next(m for m in mail.outbox if m.to == ["going@example.org"])
    assert "Cancelled: Network meeting, Oldbury" in going.subject
    assert "Snow." in going.body
    assert "You had said you would attend." in going.body


def test_change_of_time_venue_or_status_in_the_admin_raises_sequence(officer_client, meeting):
    url = f"/admin/events/event/{meeting.pk}/change/"
    form = officer_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(admin_change_data(meeting, title="Renamed"))
    data.update({"documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0"})
    data.pop("starts_at", None), data.pop("ends_at", None)
    data = {k: v for k, v in data.items() if not hasattr(v, "pk")}
    response = officer_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert (meeting.title, meeting.sequence) == ("Renamed", 0)
    data["starts_at_1"] = "11:00:00"
    data["title"] = "Renamed"
    assert officer_client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    data["venue"] = VenueFactory().pk
    assert officer_client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 2


def test_export_attendees_csv(officer_client, meeting, agency):
    person = MembershipFactory(
        agency=agency, user__email="going@example.org", user__first_name="=cmd", user__last_name="X"
    ).user
    RSVPFactory(event=meeting, user=person)
    response = officer_client.post(
        CHANGELIST, {"action": "export_attendees_csv", ACTION_CHECKBOX_NAME: [meeting.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Event", "Date", "Name", "Email"]
    assert rows[1][2] == "'=cmd X"  # no formula injection
    assert rows[1][3] == "going@example.org"
    assert rows[1][4] == "West Midlands Police"
    assert rows[1][5] == "Attending"


def test_rsvp_inline_is_read_only(officer_client, meeting, member):
    RSVPFactory(event=meeting, user=member)
    html = officer_client.get(f"/admin/events/event/{meeting.pk}/change/").content.decode()
    assert member.email in html or str(member) in html
    assert 'name="rsvps-0-answer"' not in html


def test_event_notices_are_read_only_in_the_admin(officer_client, meeting, officer):
    from events.services import cancel_event

    notice = cancel_event(event=meeting, reason="Snow.", by=officer)
    page = officer_client.get("/admin/events/eventnotice/").content.decode()
    assert "Cancelled" in page and meeting.title in page
    assert officer_client.get("/admin/events/eventnotice/add/").status_code == 403
    change = f"/admin/events/eventnotice/{notice.pk}/change/"
    assert 'name="kind"' not in officer_client.get(change).content.decode()
    assert officer_client.post(change, {"kind": "changed"}).status_code == 403
    notice.refresh_from_db()
    assert notice.kind == "cancelled"


def test_event_list_shows_upcoming_events_first_soonest_at_the_top(officer_client):
    """Issue 25: the list was oldest first, so the next meetings started at row 17."""
    now = timezone.now()
    long_ago = EventFactory(title="Long ago", starts_at=now - dt.timedelta(days=300))
    last_week = EventFactory(title="Last week", starts_at=now - dt.timedelta(days=7))
    next_month = EventFactory(title="Next month", starts_at=now + dt.timedelta(days=30))
    tomorrow = EventFactory(title="Tomorrow", starts_at=now + dt.timedelta(days=1))
    response = officer_client.get(reverse("admin:events_event_changelist"))
    assert list(response.context["cl"].result_list) == [tomorrow, next_month, last_week, long_ago]
    # A column header still sorts by that column.
    by_title = officer_client.get(reverse("admin:events_event_changelist"), {"o": "1"})
    assert [e.title for e in by_title.context["cl"].result_list][0] == "Last week"


def test_event_list_keeps_to_four_columns(officer_client, meeting):
    """Issue 25: admin tables fit 1,280 px beside the admin's navigation."""
    html = officer_client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "column-venue" in html and "column-status" in html
    assert "column-sequence" not in html and "column-kind" not in html

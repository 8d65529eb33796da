"""/events/<slug>/check-in/: officers and named door staff check people in by code, scan or
name, into the attendance register; walk-ins are added at the door."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, DoorStaff
from events.registration import checkin, services, tickets
from tests.factories import EventFactory, NetworkMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def door_url(event):
    return reverse("events:check-in", args=[event.slug])


@pytest.fixture
def ticket(conference):
    user = NetworkMemberFactory(first_name="Priya", last_name="Shah")
    return services.register_member(
        event=conference, user=user, details={"organisation": "Sandwell Council"}
    )


@pytest.fixture
def guest_ticket(conference):
    rsvp = services.register_guest(
        event=conference, name="Gail Guest", email="gail@example.org", details={}
    )
    return services.confirm_guest(rsvp=rsvp)


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("pending", 404),
        ("other_member", 404),
        ("member", 404),
        ("officer", 200),
    ],
)
def test_only_officers_and_door_staff_reach_the_door(client_for_role, conference, role, status):
    response = client_for_role(role).get(door_url(conference))
    assert response.status_code == status
    if role == "anonymous":
        assert "/accounts/login/" in response.url
    if status == 200:
        assert "camera=(self)" in response.headers["Permissions-Policy"]
        assert "Check-in: Anti-Slavery Day conference" in response.content.decode()


@pytest.mark.parametrize("role", ["pending", "other_member", "member"])
def test_no_role_but_officer_checks_anyone_in(client_for_role, conference, ticket, role):
    response = client_for_role(role).post(door_url(conference), {"code": ticket.ticket_code})
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_named_door_staff_keep_only_their_events_door(client, conference, ticket):
    volunteer = UserFactory()
    DoorStaff.objects.create(registration=conference.registration, user=volunteer)
    client.force_login(volunteer)
    assert client.get(door_url(conference)).status_code == 200
    other = EventFactory()
    services_settings = type(conference.registration).objects.create(event=other)
    assert services_settings.pk
    assert client.get(door_url(other)).status_code == 404


def test_a_typed_code_checks_in_once(officer_client, officer, conference, ticket):
    response = officer_client.post(door_url(conference), {"code": ticket.formatted_ticket_code})
    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.user, attendance.registration, attendance.recorded_by) == (
        ticket.user,
        ticket,
        officer,
    )
    assert attendance.agency is not None  # the member's agency, kept as it was on the day
    again = officer_client.post(
        door_url(conference), {"code": ticket.ticket_code}, HTTP_ACCEPT="application/json"
    ).json()
    at = timezone.localtime(attendance.recorded_at).strftime("%H:%M")
    assert again["status"] == "already"
    assert again["message"] == f"Already checked in at {at}."
    assert Attendance.objects.count() == 1


def test_a_scan_answers_in_json(officer_client, conference, guest_ticket):
    response = officer_client.post(
        door_url(conference),
        {"code": tickets.qr_payload(guest_ticket)},
        HTTP_ACCEPT="application/json",
    )
    answer = response.json()
    assert answer["status"] == "checked-in" and answer["ok"] is True
    assert answer["name"] == "Gail Guest"
    assert answer["checked_in"] == 1
    attendance = Attendance.objects.get()
    assert attendance.user is None and attendance.registration == guest_ticket


def test_a_ticket_for_another_event_says_so(officer_client, conference):
    other = EventFactory(title="Sandwell awareness day")
    type(conference.registration).objects.create(event=other)
    theirs = services.register_member(event=other, user=NetworkMemberFactory(), details={})
    answer = officer_client.post(
        door_url(conference), {"code": theirs.ticket_code}, HTTP_ACCEPT="application/json"
    ).json()
    assert answer["status"] == "wrong-event"
    assert "another event: Sandwell awareness day" in answer["message"]
    assert not Attendance.objects.exists()


def test_a_cancelled_place_says_so(officer_client, conference, ticket):
    services.cancel_place(rsvp=ticket)
    answer = officer_client.post(
        door_url(conference), {"code": ticket.ticket_code}, HTTP_ACCEPT="application/json"
    ).json()
    assert (answer["status"], answer["message"]) == ("cancelled", "This place was cancelled.")


def test_an_unknown_code_says_so(officer_client, conference):
    answer = officer_client.post(
        door_url(conference), {"code": "ZZZZ-ZZZZ"}, HTTP_ACCEPT="application/json"
    ).json()
    assert answer["status"] == "unknown" and answer["ok"] is False


def test_a_scan_queued_offline_keeps_its_time(officer_client, conference, ticket):
    scanned = (timezone.now() - dt.timedelta(minutes=40)).replace(microsecond=0)
    officer_client.post(
        door_url(conference),
        {"code": ticket.ticket_code, "scanned_at": scanned.isoformat()},
        HTTP_ACCEPT="application/json",
    )
    assert Attendance.objects.get().recorded_at == scanned


def test_a_scan_time_from_the_future_is_not_believed(officer_client, conference, ticket):
    future = timezone.now() + dt.timedelta(days=1)
    officer_client.post(
        door_url(conference),
        {"code": ticket.ticket_code, "scanned_at": future.isoformat()},
        HTTP_ACCEPT="application/json",
    )
    assert Attendance.objects.get().recorded_at < future


def test_find_by_name_and_check_in(officer_client, conference, ticket, guest_ticket):
    page = officer_client.get(door_url(conference), {"q": "priya"}).content.decode()
    assert "Priya Shah" in page and "Gail Guest" not in page
    response = officer_client.post(door_url(conference), {"registration": ticket.pk, "q": "priya"})
    assert response.status_code == 302 and response.url.endswith("?q=priya")
    page = officer_client.get(response.url).content.decode()
    assert "checked in at" in page


def test_find_by_organisation_or_typed_code(officer_client, conference, ticket, guest_ticket):
    by_org = officer_client.get(door_url(conference), {"q": "sandwell"}).context["found"]
    assert by_org == [ticket]
    by_code = officer_client.get(door_url(conference), {"q": guest_ticket.ticket_code})
    assert by_code.context["found"] == [guest_ticket]


def test_a_member_ticked_on_the_register_is_already_checked_in(
    officer_client, officer, conference, ticket
):
    from events.services import record_attendance

    record_attendance(event=conference, users=[ticket.user], recorded_by=officer)
    answer = officer_client.post(
        door_url(conference), {"code": ticket.ticket_code}, HTTP_ACCEPT="application/json"
    ).json()
    assert answer["status"] == "already"


def test_the_attendance_register_keeps_guests_checked_in(officer, conference, guest_ticket):
    from events.services import record_attendance

    services_result = services.counts(conference)
    assert services_result["checked_in"] == 0
    from events.registration import checkin

    checkin.check_in(event=conference, rsvp=guest_ticket, by=officer)
    record_attendance(event=conference, users=[], recorded_by=officer)
    assert Attendance.objects.filter(registration=guest_ticket).exists()


def test_a_walk_in_is_added_and_checked_in(officer_client, conference):
    response = officer_client.post(
        reverse("events:walk-in", args=[conference.slug]),
        {"name": "Walter Inn", "email": "Walter@example.org", "organisation": "Red Cross"},
    )
    assert response.status_code == 302
    attendance = Attendance.objects.select_related("registration").get()
    assert attendance.registration.guest_name == "Walter Inn"
    assert attendance.registration.guest_email == "walter@example.org"


def test_a_walk_in_needs_a_name(officer_client, conference):
    response = officer_client.post(reverse("events:walk-in", args=[conference.slug]), {})
    assert response.status_code == 400
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", ["pending", "other_member", "member"])
def test_walk_ins_are_for_the_door_only(client_for_role, conference, role):
    url = reverse("events:walk-in", args=[conference.slug])
    assert client_for_role(role).post(url, {"name": "X"}).status_code == 404


def test_anonymous_walk_in_goes_to_login(anon_client, conference):
    url = reverse("events:walk-in", args=[conference.slug])
    assert anon_client.post(url, {"name": "X"}).status_code == 302


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_door_refuses_other_methods(officer_client, conference, method):
    assert getattr(officer_client, method)(door_url(conference)).status_code == 405
    walk_in = reverse("events:walk-in", args=[conference.slug])
    assert officer_client.get(walk_in).status_code == 405


def test_the_ticket_page_shows_the_check_in_time(client, officer, conference, ticket):
    from events.registration import checkin

    checkin.check_in(event=conference, rsvp=ticket, by=officer)
    page = client.get(reverse("events:ticket", args=[conference.slug, ticket.ticket_secret]))
    assert "checked in at" in page.content.decode()


def test_the_door_page_gives_live_counts_as_json(officer_client, officer, conference, ticket):
    checkin.check_in(event=conference, rsvp=ticket, by=officer)
    counts = officer_client.get(door_url(conference), HTTP_ACCEPT="application/json").json()
    assert (counts["checked_in"], counts["attending"]) == (1, 1)


def test_live_counts_are_for_the_door_only(member_client, conference):
    response = member_client.get(door_url(conference), HTTP_ACCEPT="application/json")
    assert response.status_code == 404


def test_an_officer_without_mfa_is_sent_to_enrol_at_the_door_unless_named(
    settings, officer, officer_client, conference
):
    settings.WMASN_ADMIN_REQUIRES_MFA = True
    for url in (door_url(conference), reverse("events:walk-in", args=[conference.slug])):
        response = officer_client.post(url, {"code": "ABCD-2345", "name": "Walk In"})
        assert (response.status_code, response["Location"]) == (
            302,
            "/accounts/2fa/totp/activate/",
        ), url
    assert not Attendance.objects.exists()
    DoorStaff.objects.create(registration=conference.registration, user=officer)
    assert officer_client.get(door_url(conference)).status_code == 200

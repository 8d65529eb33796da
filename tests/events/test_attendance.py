"""Attendance: recorded by officers after a meeting on one page, ticked from the answers."""

import pytest
from django.db import IntegrityError

from events.models import Attendance
from tests.factories import EventFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(member, other_member):
    event = EventFactory(title="January network meeting")
    RSVPFactory(event=event, user=member, answer="attending")
    RSVPFactory(event=event, user=other_member, answer="apologies")
    return event


def url(event):
    return f"/admin/events/event/{event.pk}/attendance/"


def ticked_ids(html):
    import re

    return {
        int(value)
        for tag in re.findall(r"<input[^>]*name=\"attended\"[^>]*>", html)
        if "checked" in tag
        for value in re.findall(r'value="(\d+)"', tag)
    }


def test_meeting_page_links_to_attendance(officer_client, meeting):
    html = officer_client.get(f"/admin/events/event/{meeting.pk}/change/").content.decode()
    assert f'href="{url(meeting)}">Attendance</a>' in html


def test_attendance_is_prefilled_from_the_answers(officer_client, meeting, member, other_member):
    response = officer_client.get(url(meeting))
    assert response.status_code == 200
    html = response.content.decode()
    assert member.email in html and other_member.email in html
    assert ticked_ids(html) == {member.pk}


def test_saving_records_who_came_with_their_agency(
    officer_client, officer, meeting, member, other_member, agency, other_agency
):
    walk_in = MembershipFactory(agency=other_agency, user__email="walkin@example.org").user
    response = officer_client.post(
        url(meeting), {"attended": [other_member.pk], "others": "WalkIn@example.org\n"}
    )
    assert response.status_code == 302
    rows = {a.user_id: a for a in Attendance.objects.filter(event=meeting)}
    assert set(rows) == {other_member.pk, walk_in.pk}
    assert rows[other_member.pk].agency == other_agency
    assert rows[other_member.pk].recorded_by == officer
    # Once recorded, the page shows the record rather than the answers.
    assert ticked_ids(officer_client.get(url(meeting)).content.decode()) == {
        other_member.pk,
        walk_in.pk,
    }


def test_saving_again_replaces_the_record(officer_client, meeting, member, other_member):
    officer_client.post(url(meeting), {"attended": [member.pk, other_member.pk]})
    officer_client.post(url(meeting), {"attended": [member.pk]})
    assert list(Attendance.objects.filter(event=meeting).values_list("user_id", flat=True)) == [
        member.pk
    ]


def test_unknown_address_is_a_form_error_and_nothing_is_written(officer_client, meeting, member):
    response = officer_client.post(
        url(meeting), {"attended": [member.pk], "others": "nobody@example.org"}
    )
    assert response.status_code == 200
    assert "No account has these addresses: nobody@example.org" in response.content.decode()
    assert not Attendance.objects.exists()


def test_someone_not_listed_cannot_be_ticked(officer_client, meeting):
    stranger = UserFactory()
    response = officer_client.post(url(meeting), {"attended": [stranger.pk]})
    assert response.status_code == 200
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_record_attendance(client_for_role, role, meeting, member):
    client = client_for_role(role)
    assert client.get(url(meeting)).status_code == 302
    assert client.post(url(meeting), {"attended": [member.pk]}).status_code == 302
    assert not Attendance.objects.exists()


def test_wrong_method_and_unknown_event(officer_client, meeting):
    assert officer_client.delete(url(meeting)).status_code == 405
    assert officer_client.get("/admin/events/event/999999/attendance/").status_code == 404


def test_one_attendance_per_event_and_person(meeting, member):
    Attendance.objects.create(event=meeting, user=member)
    with pytest.raises(IntegrityError):
        Attendance.objects.create(event=meeting, user=member)


def test_attendance_is_in_download_my_data(member_client, member, other_member, meeting, agency):
    Attendance.objects.create(event=meeting, user=member, agency=agency)
    Attendance.objects.create(event=meeting, user=other_member)
    data = member_client.get("/account/data/").json()
    assert data["attendance"] == [
        {
            "event": "January network meeting",
            "event_starts_at": meeting.starts_at.isoformat(),
            "agency": "West Midlands Police",
            "recorded_at": data["attendance"][0]["recorded_at"],
        }
    ]

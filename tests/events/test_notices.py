"""Who is invited, and each notice: announcement, change, cancellation, reminders, waiting list."""

import datetime as dt
import email

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from events import notices
from events.models import RSVP, Event, SentReminder
from events.services import PlannedMeeting, answer_event, cancel_events, schedule_network_meetings
from network import notifications
from network.notifications import Kind
from tests.events.conftest import NOTICE_TIME, admin_change_data, london, new_event_data
from tests.factories import (
    EventFactory,
    GroupMembershipFactory,
    MembershipFactory,
    NetworkMemberFactory,
    RSVPFactory,
    UserFactory,
    VenueFactory,
    WorkingGroupFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_notice_time")]

NOW = NOTICE_TIME


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a callable and return the emails it sent once its transactions committed (the
    tests' task backend runs each task, such as the announcement, as it is enqueued)."""

    def run(function, *args, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            function(*args, **kwargs)
        return list(mail.outbox)

    return run


@pytest.fixture
def oldbury(db):
    return VenueFactory(
        name="Sandwell Council House",
        address="Freeth Street",
        town="Oldbury",
        postcode="B69 3DE",
        access_notes="Step-free entrance on Freeth Street.",
    )


@pytest.fixture
def upcoming(oldbury):
    """A network meeting on Thursday 18 March 2027 (GMT), 10:00 to 12:30."""
    return EventFactory(
        title="Network meeting, Oldbury",
        slug="network-meeting-2027-03-18",
        starts_at=london(2027, 3, 18, 10, 0),
        ends_at=london(2027, 3, 18, 12, 30),
        venue=oldbury,
    )


def addressees(messages):
    return sorted(message.to[0] for message in messages)


def opt_out(user, kind):
    notifications.switch(user, kind, on=False)


def choose_invitations(user):
    from network.models import NotificationPreferences

    NotificationPreferences.objects.update_or_create(
        user=user, defaults={"calendar_invitations": True}
    )


def calendar_parts(message):
    parsed = email.message_from_bytes(message.message().as_bytes())
    return [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]


# Who is invited ------------------------------------------------------------------------------


def test_a_network_meeting_invites_every_member_and_officer_only(
    upcoming, member, other_member, pending_user, officer
):
    gone = MembershipFactory(user__email="gone@example.org", user__is_active=False).user
    UserFactory(email="visitor@example.org")
    invited = set(upcoming.invited().values_list("email", flat=True))
    assert invited == {member.email, other_member.email, officer.email}
    assert gone.email not in invited


def test_a_working_group_meeting_invites_its_current_members_only(member, other_member):
    group = WorkingGroupFactory()
    GroupMembershipFactory(group=group, user=member)
    left_network = GroupMembershipFactory(group=group).user
    left_network.memberships.update(status="ended")
    meeting = EventFactory(kind=Event.Kind.NETWORK_MEETING, working_group=group)
    assert list(meeting.invited()) == [member]


def test_other_events_invite_whom_the_event_says(member):
    workshop = EventFactory(kind=Event.Kind.WORKSHOP)
    assert not workshop.invited().exists()
    workshop.invites_members = True
    assert list(workshop.invited()) == [member]


def test_opted_out_members_are_left_out_of_that_kind_only(member, other_member):
    event = EventFactory()
    opt_out(member, Kind.REMINDERS)
    assert set(notifications.wanting(event.invited(), Kind.REMINDERS)) == {other_member}
    assert set(notifications.wanting(event.invited(), Kind.MEETINGS)) == {member, other_member}


# Announcements ---------------------------------------------------------------------------------


def test_scheduling_a_year_sends_each_member_one_email_listing_every_meeting(
    send, member, other_member, oldbury
):
    opt_out(other_member, Kind.MEETINGS)
    birmingham = VenueFactory(name="Lloyd House", town="Birmingham")
    planned = [
        PlannedMeeting(dt.date(2027, 5, 20), oldbury),
        PlannedMeeting(dt.date(2027, 7, 15), birmingham),
        PlannedMeeting(dt.date(2027, 9, 16), None),
    ]
    [message] = send(
        schedule_network_meetings,
        meetings=planned,
        starts=dt.time(10),
        ends=dt.time(12, 30),
        title="Network meeting",
    )
    assert message.to == [member.email]
    assert message.subject == "[WMASN] 3 meetings scheduled, May 2027 to September 2027"
    body = message.body
    for text in (
        "Network meeting, Oldbury",
        "Thursday 20 May 2027, 10:00 to 12:30 (UK time)",
        "Network meeting, Birmingham",
        "Where: venue to be confirmed",
        "Step-free entrance on Freeth Street.",
    ):
        assert text in body
    assert body.count("Attending: http://testserver/events/network-meeting-2027-") == 3
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/account/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert calendar_parts(message) == []


def test_a_member_who_chose_invitations_gets_one_invitation_per_meeting(send, member, oldbury):
    choose_invitations(member)
    planned = [PlannedMeeting(dt.date(2027, 5, 20), oldbury), PlannedMeeting(dt.date(2027, 7, 15))]
    messages = send(
        schedule_network_meetings,
        meetings=planned,
        starts=dt.time(10),
        ends=dt.time(12, 30),
        title="Network meeting",
    )
    assert len(messages) == 2
    for message in messages:
        [part] = calendar_parts(message)
        assert part.get_param("method") == "REQUEST"
        assert b"METHOD:REQUEST" in part.get_payload(decode=True)


def test_adding_one_event_in_the_admin_announces_it_once_committed(
    send, officer_client, member, oldbury
):
    data = new_event_data(venue=oldbury.pk)
    messages = send(officer_client.post, "/admin/events/event/add/", data)
    assert Event.objects.filter(slug="extra-meeting").exists()
    assert addressees(messages) == [member.email, "officer@example.org"]
    assert "New date: Network meeting, Oldbury, Thursday 18 March 2027" in messages[0].subject


# Changes ---------------------------------------------------------------------------------------


def admin_post(officer_client, event, **changes):
    url = f"/admin/events/event/{event.pk}/change/"
    event.refresh_from_db()
    data = admin_change_data(event, **changes)
    response = officer_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    return response


def test_a_new_time_sends_a_change_notice_but_a_description_typo_does_not(
    send, officer_client, upcoming, member
):
    assert send(admin_post, officer_client, upcoming, description="Tyop fixed") == []
    messages = send(
        admin_post, officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00"
    )
    assert upcoming.sequence == 1
    assert addressees(messages) == [member.email, "officer@example.org"]
    message = next(m for m in messages if m.to == [member.email])
    assert message.subject == "[WMASN] New time: Network meeting, Oldbury, Thursday 18 March 2027"
    assert "Thursday 18 March 2027, 13:00 to 15:00 (UK time)" in message.body


def test_confirming_the_venue_sends_the_change_notice_and_names_the_town(
    send, officer_client, member, oldbury
):
    meeting = EventFactory(
        title="Network meeting", venue=None, starts_at=london(2027, 3, 18, 10, 0)
    )
    messages = send(admin_post, officer_client, meeting, venue=oldbury.pk)
    assert meeting.title == "Network meeting, Oldbury"
    message = next(m for m in messages if m.to == [member.email])
    assert message.subject.startswith("[WMASN] Venue confirmed: Network meeting, Oldbury")
    assert "Sandwell Council House, Freeth Street, Oldbury, B69 3DE" in message.body


def test_a_member_who_opted_out_of_announcements_gets_no_change_notice(
    send, officer_client, upcoming, member
):
    opt_out(member, Kind.MEETINGS)
    messages = send(
        admin_post, officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00"
    )
    assert addressees(messages) == ["officer@example.org"]


# Cancellation ----------------------------------------------------------------------------------


def test_cancellation_goes_to_everyone_invited_with_the_reason(
    send, upcoming, member, other_member, officer
):
    feed_only = MembershipFactory(user__email="feed@example.org").user
    messages = send(cancel_events, events=[upcoming], reason="The venue flooded.")
    assert addressees(messages) == sorted(
        [member.email, other_member.email, officer.email, feed_only.email]
    )
    for message in messages:
        assert "The venue flooded." in message.body
        assert (
            message.subject
            == "[WMASN] Cancelled: Network meeting, Oldbury, Thursday 18 March 2027, 10:00–12:30"
        )


def test_cancellation_reaches_those_attending_even_if_they_opted_out(
    send, upcoming, member, other_member
):
    opt_out(member, Kind.MEETINGS)
    opt_out(other_member, Kind.MEETINGS)
    RSVPFactory(event=upcoming, user=member)
    messages = send(cancel_events, events=[upcoming], reason="Snow.")
    assert addressees(messages) == [member.email]
    assert "You had said you would attend." in messages[0].body


def test_a_cancellation_carries_a_cancel_invitation_for_those_who_chose_them(
    send, upcoming, member
):
    choose_invitations(member)
    [message] = send(cancel_events, events=[upcoming], reason="Snow.")
    [part] = calendar_parts(message)
    assert part.get_param("method") == "CANCEL"
    assert b"STATUS:CANCELLED" in part.get_payload(decode=True)


# Reminders -------------------------------------------------------------------------------------


def test_reminders_go_seven_days_and_one_day_before_and_never_twice(send, upcoming, member):
    RSVPFactory(event=upcoming, user=member, answer=RSVP.Answer.ATTENDING)
    assert send(notices.send_reminders, now=london(2027, 3, 10, 9, 0)) == []  # 8 days before
    [week] = send(notices.send_reminders, now=london(2027, 3, 11, 6, 0))
    assert week.to == [member.email]
    assert week.subject == "[WMASN] In 7 days: Network meeting, Oldbury, Thursday 18 March 2027"
    assert send(notices.send_reminders, now=london(2027, 3, 11, 18, 0)) == []  # same day again
    assert send(notices.send_reminders, now=london(2027, 3, 14, 9, 0)) == []
    [day] = send(notices.send_reminders, now=london(2027, 3, 17, 0, 5))
    assert day.subject.startswith("[WMASN] Tomorrow: Network meeting, Oldbury")
    assert send(notices.send_reminders, now=london(2027, 3, 17, 23, 0)) == []
    assert send(notices.send_reminders, now=london(2027, 3, 18, 9, 0)) == []  # the day itself
    assert SentReminder.objects.filter(event=upcoming, user=member).count() == 2


def test_a_reminder_has_the_venue_access_notes_papers_and_the_members_answer(
    send, upcoming, member
):
    RSVPFactory(event=upcoming, user=member, answer=RSVP.Answer.ATTENDING)
    [message] = send(notices.send_reminders, now=london(2027, 3, 17, 9, 0))
    body = message.body
    assert "You said you will attend." in body
    assert "Your answer: Attending" in body
    assert "Where: Sandwell Council House, Freeth Street, Oldbury, B69 3DE" in body
    assert "Access: Step-free entrance on Freeth Street." in body
    assert "Sending apologies: http://testserver/events/network-meeting-2027-03-18/answer/" in body
    assert "/account/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_no_reminder_for_apologies_opted_out_members_or_cancelled_meetings(
    send, upcoming, member, other_member, officer
):
    RSVPFactory(event=upcoming, user=member, answer=RSVP.Answer.APOLOGIES)
    opt_out(officer, Kind.REMINDERS)
    cancelled = EventFactory(starts_at=london(2027, 3, 18, 14, 0))
    cancelled.cancel("Snow.")
    messages = send(notices.send_reminders, now=london(2027, 3, 17, 9, 0))
    assert addressees(messages) == [other_member.email]


def test_a_missed_week_reminder_is_sent_late_but_not_after_the_day_before_one(
    send, upcoming, member
):
    [late] = send(notices.send_reminders, now=london(2027, 3, 14, 9, 0))
    assert late.subject.startswith("[WMASN] In 7 days")
    assert SentReminder.objects.get().days_before == 7
    other = EventFactory(title="Later", starts_at=london(2027, 3, 25, 10, 0))
    [day_before] = send(notices.send_reminders, now=london(2027, 3, 24, 9, 0))
    assert day_before.subject.startswith("[WMASN] Tomorrow: Later")
    assert not SentReminder.objects.filter(event=other, days_before=7).exists()


def test_the_command_sends_due_reminders_once(send, upcoming, member, capsys):
    with time_machine.travel(london(2027, 3, 17, 9, 0), tick=False):
        first = send(call_command, "send_meeting_reminders")
        second = send(call_command, "send_meeting_reminders")
    assert [m.to for m in first] == [[member.email]]
    assert second == []
    assert "Meeting reminders sent: 1." in capsys.readouterr().out


# The waiting list ------------------------------------------------------------------------------


@pytest.fixture
def small_meeting():
    return EventFactory(
        title="Network meeting, Oldbury",
        starts_at=london(2027, 3, 18, 10, 0),
        venue=VenueFactory(town="Oldbury", capacity=1),
    )


def fill_small_meeting(send, meeting):
    """Three members say they will attend a one-place meeting (their emails sent)."""
    people = [NetworkMemberFactory() for _ in range(3)]

    def answer_all():
        for person in people:
            answer_event(event=meeting, user=person, answer="attending")

    send(answer_all)
    return people


def test_past_capacity_answers_join_the_waiting_list_in_order(send, small_meeting):
    first, second, third = (NetworkMemberFactory() for _ in range(3))
    assert send(answer_event, event=small_meeting, user=first, answer="attending") == []
    [told] = send(answer_event, event=small_meeting, user=second, answer="attending")
    assert told.to == [second.email]
    assert "number 1 on its waiting list" in told.body
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        [told] = send(answer_event, event=small_meeting, user=third, answer="attending")
    assert "number 2 on its waiting list" in told.body
    assert [r.user for r in RSVP.objects.waiting().filter(event=small_meeting)] == [second, third]


def test_apologies_move_the_first_waiting_up_and_both_are_told(send, small_meeting):
    first, second, third = fill_small_meeting(send, small_meeting)
    messages = send(answer_event, event=small_meeting, user=first, answer="apologies")
    answers = dict(RSVP.objects.filter(event=small_meeting).values_list("user_id", "answer"))
    assert answers == {first.pk: "apologies", second.pk: "attending", third.pk: "waiting"}
    by_person = {message.to[0]: message for message in messages}
    assert set(by_person) == {first.email, second.email}
    assert "it is yours" in by_person[second.email].body
    assert "Your place has gone to the next person" in by_person[first.email].body


def test_answering_attending_again_keeps_a_waiting_members_place_in_line(small_meeting):
    first, second, third = (NetworkMemberFactory() for _ in range(3))
    for person in (first, second, third):
        answer_event(event=small_meeting, user=person, answer="attending")
    answer_event(event=small_meeting, user=second, answer="attending")
    assert [r.user for r in RSVP.objects.waiting().filter(event=small_meeting)] == [second, third]


def test_the_database_refuses_a_waiting_answer_without_a_time(small_meeting, member):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.create(event=small_meeting, user=member, answer="waiting")


def test_the_event_page_puts_an_answer_past_capacity_on_the_waiting_list(
    small_meeting, member, member_client
):
    answer_event(event=small_meeting, user=NetworkMemberFactory(), answer="attending")
    response = member_client.post(small_meeting.get_absolute_url(), {"answer": "attending"})
    assert response.status_code == 302
    assert RSVP.objects.get(event=small_meeting, user=member).answer == "waiting"
    html = member_client.get(small_meeting.get_absolute_url()).content.decode()
    assert "the venue is full, so you are on the waiting list" in html.lower()
    assert "Waiting list</strong> (number 1;" in html


def test_more_places_at_the_venue_move_the_waiting_up_and_tell_them(
    send, small_meeting, officer_client
):
    first, second, third = fill_small_meeting(send, small_meeting)
    venue = small_meeting.venue
    data = {
        "name": venue.name,
        "address": venue.address,
        "town": venue.town,
        "postcode": venue.postcode,
        "access_notes": "",
        "capacity": "2",
    }
    messages = send(officer_client.post, f"/admin/events/venue/{venue.pk}/change/", data)
    assert [m.to for m in messages] == [[second.email]]
    assert "it is yours" in messages[0].body
    answers = dict(RSVP.objects.filter(event=small_meeting).values_list("user_id", "answer"))
    assert answers == {first.pk: "attending", second.pk: "attending", third.pk: "waiting"}


def test_cancelling_in_the_admin_form_sends_the_cancellation_with_its_reason(
    send, officer_client, upcoming, member
):
    messages = send(
        admin_post,
        officer_client,
        upcoming,
        status="cancelled",
        cancellation_reason="The venue flooded.",
    )
    assert upcoming.is_cancelled
    message = next(m for m in messages if m.to == [member.email])
    assert message.subject.startswith("[WMASN] Cancelled: Network meeting, Oldbury")
    assert "The venue flooded." in message.body


def test_reminders_are_an_hourly_periodic_job_that_sends_once(send, upcoming, member):
    from wmasn.jobs import get_job, run_job

    job = get_job("meeting-reminders")
    assert job.every == dt.timedelta(hours=1)
    with time_machine.travel(london(2027, 3, 17, 9, 0), tick=False):
        first = send(run_job, job, force=True)
        again = send(run_job, job, force=True)
    assert [m.to for m in first] == [[member.email]]
    assert again == []

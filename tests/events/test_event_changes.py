"""An event's change, from the officer's request to the notice: the request records what
changed (an EventNotice) and renders no email; the worker tells each person invited once,
whether the change came from the admin's change form, its cancel action or the scheduler."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import notices, services, tasks
from events.models import RSVP, Event, EventNotice
from events.services import PlannedMeeting, cancel_event, schedule_network_meetings
from tests.events.conftest import (
    NOTICE_TIME,
    admin_change_data,
    london,
    new_event_data,
    two_workers_at_once,
    worker_dies_on_the_second_email,
)
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkMemberFactory,
    RSVPFactory,
    VenueFactory,
)
from wmasn.mail.models import OutgoingEmail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_notice_time")]

NOW = NOTICE_TIME
CHANGELIST = "/admin/events/event/"
NOTICES_TASK = "events.tasks.send_event_notices"


@pytest.fixture
def oldbury(db):
    return VenueFactory(
        name="Sandwell Council House", address="Freeth Street", town="Oldbury", postcode="B69 3DE"
    )


@pytest.fixture
def birmingham(db):
    return VenueFactory(name="Lloyd House", address="Colmore Circus", town="Birmingham")


@pytest.fixture
def upcoming(oldbury):
    """A network meeting on Thursday 18 March 2027 (GMT), 10:00 to 12:30, announced."""
    return EventFactory(
        title="Network meeting, Oldbury",
        slug="network-meeting-2027-03-18",
        starts_at=london(2027, 3, 18, 10, 0),
        ends_at=london(2027, 3, 18, 12, 30),
        venue=oldbury,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable as a request does: its on-commit callbacks (enqueueing tasks) run."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def queued_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


def sent():
    """(recipient, subject) of each email in the outbox, sorted."""
    return sorted(OutgoingEmail.objects.values_list("recipient", "content__subject"))


def body_for(recipient):
    return OutgoingEmail.objects.get(recipient=recipient).content.text


def change_in_admin(officer_client, event, **changes):
    event.refresh_from_db()
    response = officer_client.post(
        f"/admin/events/event/{event.pk}/change/", admin_change_data(event, **changes)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    return response


def cancel_with_action(officer_client, event, reason):
    response = officer_client.post(
        CHANGELIST,
        {
            "action": "cancel_selected",
            ACTION_CHECKBOX_NAME: [event.pk],
            "apply": "1",
            "reason": reason,
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    return response


# The request records, the worker tells ---------------------------------------------------------


def test_a_new_time_in_the_admin_renders_nothing_in_the_request_and_the_worker_tells_each_once(
    database_tasks, committed, officer_client, officer, upcoming, member, other_member
):
    committed(
        change_in_admin, officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00"
    )
    assert upcoming.sequence == 1
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []
    assert queued_tasks() == [NOTICES_TASK]
    [notice] = EventNotice.objects.pending()
    assert (notice.event, notice.kind, notice.sequence) == (upcoming, "changed", 1)
    assert notice.changed_fields == ["starts_at", "ends_at"]
    assert notice.changed_by == officer

    assert tasks.send_event_notices.call() == 3
    subject = "[WMASN] New time: Network meeting, Oldbury, Thursday 18 March 2027"
    assert sent() == sorted((person.email, subject) for person in (member, other_member, officer))
    assert "Thursday 18 March 2027, 13:00 to 15:00 (UK time)" in body_for(member.email)
    notice.refresh_from_db()
    assert notice.sent_at == NOW

    # The task again (a retry, or the minute job after it): nothing is sent twice.
    assert tasks.send_event_notices.call() == 0
    assert tasks.send_pending_notices() == 0
    assert len(sent()) == 3


def test_the_officer_is_told_the_change_is_being_emailed(officer_client, upcoming):
    event_data = admin_change_data(upcoming, starts_at_1="11:00:00")
    response = officer_client.post(
        f"/admin/events/event/{upcoming.pk}/change/", event_data, follow=True
    )
    page = response.content.decode()
    assert "Those invited to “Network meeting, Oldbury” are being emailed about the change." in page


def test_a_description_typo_records_no_notice(database_tasks, committed, officer_client, upcoming):
    committed(change_in_admin, officer_client, upcoming, description="Tyop fixed")
    assert not EventNotice.objects.exists()
    assert queued_tasks() == []


CANCELLED_SUBJECT = (
    "[WMASN] Cancelled: Network meeting, Oldbury, Thursday 18 March 2027, 10:00–12:30"
)


@pytest.mark.parametrize("how", ["change form", "cancel action", "service"])
def test_a_cancellation_gives_the_same_notices_however_it_is_made(
    database_tasks, committed, officer_client, officer, upcoming, member, other_member, how
):
    RSVPFactory(event=upcoming, user=member)
    reason = "The venue flooded."
    if how == "change form":
        committed(
            change_in_admin,
            officer_client,
            upcoming,
            status="cancelled",
            cancellation_reason=reason,
        )
    elif how == "cancel action":
        committed(cancel_with_action, officer_client, upcoming, reason)
    else:
        committed(cancel_event, event=upcoming, reason=reason, by=officer)
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.sequence) == ("cancelled", 1)
    assert not OutgoingEmail.objects.exists()
    [notice] = EventNotice.objects.pending()
    assert (notice.kind, notice.changed_fields, notice.changed_by) == (
        "cancelled",
        ["status"],
        officer,
    )

    tasks.send_event_notices.call()
    assert sent() == sorted(
        (person.email, CANCELLED_SUBJECT) for person in (member, other_member, officer)
    )
    assert "You had said you would attend." in body_for(member.email)
    assert "You had said" not in body_for(other_member.email)
    assert all(reason in body_for(person.email) for person in (member, other_member, officer))


def test_cancelling_a_cancelled_event_again_records_nothing(committed, officer_client, upcoming):
    committed(cancel_with_action, officer_client, upcoming, "Snow.")
    committed(cancel_with_action, officer_client, upcoming, "Snow again.")
    upcoming.refresh_from_db()
    assert (upcoming.cancellation_reason, upcoming.sequence) == ("Snow.", 1)
    assert EventNotice.objects.count() == 1


@pytest.mark.parametrize("created_by", ["add form", "scheduler"])
def test_a_new_event_moved_and_given_its_venue_gives_the_same_notices_however_it_was_created(
    committed, officer_client, officer, member, oldbury, created_by
):
    if created_by == "add form":
        data = new_event_data(title="Network meeting", slug="network-meeting-2027-03-18")
        committed(officer_client.post, "/admin/events/event/add/", data)
    else:
        committed(
            schedule_network_meetings,
            meetings=[PlannedMeeting(dt.date(2027, 3, 18))],
            starts=dt.time(10),
            ends=dt.time(12),
            title="Network meeting",
        )
    event = Event.objects.get(slug="network-meeting-2027-03-18")
    assert event.announced_at == NOW  # announced by the worker
    OutgoingEmail.objects.all().delete()

    committed(
        change_in_admin,
        officer_client,
        event,
        venue=oldbury.pk,
        starts_at_1="14:00:00",
        ends_at_1="16:00:00",
    )
    assert event.title == "Network meeting, Oldbury"
    subject = "[WMASN] Venue confirmed: Network meeting, Oldbury, Thursday 18 March 2027"
    assert sent() == [(member.email, subject), (officer.email, subject)]
    body = body_for(member.email)
    assert "Thursday 18 March 2027, 14:00 to 16:00 (UK time)" in body
    assert "Sandwell Council House, Freeth Street, Oldbury, B69 3DE" in body


# Several changes before the worker runs -------------------------------------------------------


def test_two_changes_before_the_worker_runs_make_one_notice_per_person(
    database_tasks, committed, officer_client, upcoming, member, birmingham
):
    committed(
        change_in_admin, officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00"
    )
    committed(change_in_admin, officer_client, upcoming, venue=birmingham.pk)
    assert upcoming.title == "Network meeting, Birmingham"
    assert EventNotice.objects.pending().count() == 2

    assert tasks.send_event_notices.call() == 2  # the member and the officer
    [subject] = {subject for _, subject in sent()}
    assert (
        subject == "[WMASN] New time and venue: Network meeting, Birmingham, Thursday 18 March 2027"
    )
    assert not EventNotice.objects.pending().exists()


def test_a_move_then_a_cancellation_before_the_worker_runs_sends_only_the_cancellation(
    database_tasks, committed, officer_client, upcoming, member
):
    committed(
        change_in_admin, officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00"
    )
    committed(cancel_with_action, officer_client, upcoming, "Snow.")
    tasks.send_event_notices.call()
    assert [subject for recipient, subject in sent() if recipient == member.email] == [
        "[WMASN] Cancelled: Network meeting, Oldbury, Thursday 18 March 2027, 13:00–15:00"
    ]


def test_cancelled_and_back_on_before_the_worker_runs_sends_nothing(
    database_tasks, committed, officer_client, upcoming, member
):
    committed(cancel_with_action, officer_client, upcoming, "Snow.")
    committed(change_in_admin, officer_client, upcoming, status="scheduled")
    assert upcoming.sequence == 2
    assert tasks.send_event_notices.call() == 0
    assert not OutgoingEmail.objects.exists()


def test_moving_a_cancelled_event_sends_no_second_cancellation(
    committed, officer_client, upcoming, member
):
    committed(cancel_with_action, officer_client, upcoming, "Snow.")
    assert len(sent()) == 2  # the member and the officer
    committed(change_in_admin, officer_client, upcoming, starts_at_1="11:00:00")
    assert upcoming.sequence == 2
    assert len(sent()) == 2
    assert not EventNotice.objects.pending().exists()


def test_an_event_over_before_the_worker_got_to_it_sends_nothing(
    database_tasks, committed, officer_client, upcoming, member
):
    committed(
        change_in_admin, officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00"
    )
    with time_machine.travel(london(2027, 3, 19, 9, 0), tick=False):
        assert tasks.send_event_notices.call() == 0
    assert not OutgoingEmail.objects.exists()
    assert not EventNotice.objects.pending().exists()


def test_the_minute_job_sends_what_a_lost_task_left_and_the_late_task_adds_nothing(
    officer_client, upcoming, member, django_capture_on_commit_callbacks
):
    from wmasn.jobs import get_job, run_job

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_in_admin(officer_client, upcoming, starts_at_1="13:00:00", ends_at_1="15:00:00")
    assert not OutgoingEmail.objects.exists()
    assert run_job(get_job("meeting-announcements"), force=True) == "ran"
    assert len(sent()) == 2
    for callback in callbacks:  # the task, enqueued on commit, runs after the job
        callback()
    assert len(sent()) == 2


def test_a_crash_while_sending_sends_nothing_and_leaves_the_notice_pending(
    upcoming, member, other_member, monkeypatch
):
    cancel_event(event=upcoming, reason="Snow.")
    written = worker_dies_on_the_second_email(monkeypatch)
    with pytest.raises(ConnectionError):
        tasks.send_pending_notices()
    assert written and not OutgoingEmail.objects.exists()
    assert EventNotice.objects.pending().count() == 1

    monkeypatch.undo()
    assert tasks.send_pending_notices() == 2
    assert len(sent()) == 2


# What the request and the worker cost ---------------------------------------------------------


def request_queries(officer_client, event, how, committed):
    with CaptureQueriesContext(connection) as queries:
        if how == "change form":
            committed(change_in_admin, officer_client, event, starts_at_1="11:00:00")
        else:
            committed(cancel_with_action, officer_client, event, "Snow.")
    return len(queries)


@pytest.mark.parametrize("how", ["change form", "cancel action"])
def test_the_requests_queries_do_not_grow_with_those_invited(
    database_tasks, committed, officer_client, member, how
):
    first, second = (
        EventFactory(starts_at=london(2027, 3, 18 + day, 10), ends_at=london(2027, 3, 18 + day, 12))
        for day in (0, 1)
    )
    RSVPFactory(event=first, user=member)
    RSVPFactory(event=second, user=member)
    few = request_queries(officer_client, first, how, committed)
    for _ in range(10):
        RSVPFactory(event=second, user=MembershipFactory().user)
    many = request_queries(officer_client, second, how, committed)
    assert many == few
    assert not OutgoingEmail.objects.exists()


def test_the_worker_costs_the_same_few_queries_for_each_person(upcoming):
    def queries_to_tell(event, people):
        for _ in range(people):
            MembershipFactory()
        cancel_event(event=event, reason="Snow.")
        with CaptureQueriesContext(connection) as queries:
            tasks.send_pending_notices()
        return len(queries)

    few = queries_to_tell(upcoming, 2)
    other = EventFactory(starts_at=upcoming.starts_at, ends_at=upcoming.ends_at)
    many = queries_to_tell(other, 8)  # 10 people invited now, 2 before
    # Each person's email is one outbox write and its content; nothing is read per person.
    assert many - few <= 2 * 8


# The waiting list ------------------------------------------------------------------------------


@pytest.fixture
def small_meeting():
    return EventFactory(
        title="Network meeting, Oldbury",
        starts_at=london(2027, 3, 18, 10, 0),
        ends_at=london(2027, 3, 18, 12, 0),
        venue=VenueFactory(town="Oldbury", capacity=1),
    )


def test_an_answer_past_capacity_is_told_by_the_worker(
    database_tasks, committed, small_meeting, member, member_client
):
    services.answer_event(event=small_meeting, user=NetworkMemberFactory(), answer="attending")
    committed(member_client.post, small_meeting.get_absolute_url(), {"answer": "attending"})
    assert RSVP.objects.get(event=small_meeting, user=member).answer == "waiting"
    assert not OutgoingEmail.objects.exists()
    assert queued_tasks() == [NOTICES_TASK]

    assert tasks.send_event_notices.call() == 1
    [(recipient, _)] = sent()
    assert recipient == member.email
    assert "number 1 on its waiting list" in body_for(member.email)


def test_a_member_who_answered_otherwise_before_the_worker_is_not_told_they_wait(
    small_meeting, member
):
    services.answer_event(event=small_meeting, user=NetworkMemberFactory(), answer="attending")
    services.answer_event(event=small_meeting, user=member, answer="attending")
    services.answer_event(event=small_meeting, user=member, answer="apologies")
    assert tasks.send_pending_notices() == 0
    assert not EventNotice.objects.pending().exists()


def test_a_bigger_venue_in_the_change_form_gives_the_first_waiting_a_place(
    database_tasks, committed, officer_client, small_meeting
):
    first, second, third = (NetworkMemberFactory() for _ in range(3))
    for person in (first, second, third):
        services.answer_event(event=small_meeting, user=person, answer="attending")
    tasks.send_pending_notices()
    OutgoingEmail.objects.all().delete()
    bigger = VenueFactory(town="Oldbury", capacity=2)

    committed(change_in_admin, officer_client, small_meeting, venue=bigger.pk)
    answers = dict(RSVP.objects.filter(event=small_meeting).values_list("user_id", "answer"))
    assert answers == {first.pk: "attending", second.pk: "attending", third.pk: "waiting"}
    assert not OutgoingEmail.objects.exists()

    tasks.send_event_notices.call()
    venue_notice = "[WMASN] New venue: Network meeting, Oldbury, Thursday 18 March 2027"
    assert sent() == sorted(
        [
            (first.email, venue_notice),
            (second.email, venue_notice),
            (
                second.email,
                "[WMASN] A place for you: Network meeting, Oldbury, Thursday 18 March 2027",
            ),
            (third.email, venue_notice),
            ("officer@example.org", venue_notice),
        ]
    )
    assert (
        "it is yours"
        in OutgoingEmail.objects.get(
            recipient=second.email, content__subject__contains="place"
        ).content.text
    )


# Two workers at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once(monkeypatch, settings):
    """The claim's row lock: the second worker skips the notices the first is sending."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks with SKIP LOCKED need PostgreSQL.")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    people = [NetworkMemberFactory() for _ in range(3)]
    event = EventFactory(starts_at=london(2027, 3, 18, 10), ends_at=london(2027, 3, 18, 12))
    cancel_event(event=event, reason="Snow.")
    results = two_workers_at_once(monkeypatch, notices, "send_pending", tasks.send_pending_notices)
    assert results == [0, 3]
    recipients = sorted(OutgoingEmail.objects.values_list("recipient", flat=True))
    assert recipients == sorted(person.email for person in people)

"""New events are announced by the worker, not in the officer's request: exactly once, a
scheduled year in one email per member, nothing for an event cancelled or over first."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events import notices, tasks
from events.models import Event
from events.services import PlannedMeeting, cancel_events, schedule_network_meetings
from network.notifications import Kind
from tests.events.conftest import (
    NOTICE_TIME,
    admin_change_data,
    london,
    new_event_data,
    two_workers_at_once,
    worker_dies_on_the_second_email,
)
from tests.factories import EventFactory, NetworkMemberFactory, RSVPFactory, VenueFactory
from wmasn.jobs import get_job, run_job
from wmasn.mail.models import OutgoingEmail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_notice_time")]

NOW = NOTICE_TIME
ADD = "/admin/events/event/add/"
SCHEDULE = "/admin/events/event/schedule-year/"
TASK_PATH = "events.tasks.announce_new_events"


def announcements():
    """(recipient, subject) of each meeting announcement in the outbox, sorted."""
    return sorted(
        OutgoingEmail.objects.filter(kind=Kind.MEETINGS).values_list(
            "recipient", "content__subject"
        )
    )


def queued_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").values_list(
            "task_path", flat=True
        )
    )


def schedule(*meetings):
    """Schedule network meetings from 10:00 to 12:30, as the admin's "Schedule a year" does;
    returns (created, skipped)."""
    return schedule_network_meetings(
        meetings=list(meetings), starts=dt.time(10), ends=dt.time(12, 30), title="Network meeting"
    )


def schedule_data(days):
    data = {
        "title": "Network meeting",
        "starts": "10:00",
        "ends": "12:30",
        "description": "",
        "meetings-TOTAL_FORMS": str(len(days)),
        "meetings-INITIAL_FORMS": "0",
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "12",
    }
    for index, day in enumerate(days):
        data[f"meetings-{index}-day"] = day
    return data


YEAR = ["2027-05-20", "2027-07-15", "2027-09-16", "2027-11-18", "2028-01-20", "2028-03-16"]


# The request only queues ----------------------------------------------------------------------


def test_saving_a_new_event_in_the_admin_sends_nothing_in_the_request_but_marks_it_waiting(
    database_tasks, officer_client, member, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(ADD, new_event_data(), follow=True)
    assert response.status_code == 200
    event = Event.objects.get(slug="extra-meeting")
    assert event.announcement_queued_at == NOW
    assert event.announced_at is None
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []
    assert queued_tasks() == [TASK_PATH]
    assert "is being emailed to those invited" in response.content.decode()

    # The worker runs the task: one announcement to each person invited.
    assert tasks.announce_new_events.call() == 3
    assert [recipient for recipient, _ in announcements()] == sorted(
        [member.email, other_member.email, "officer@example.org"]
    )
    event.refresh_from_db()
    assert (event.announcement_queued_at, event.announced_at) == (None, NOW)


def test_scheduling_a_year_in_the_admin_queues_one_task_and_says_so(
    database_tasks, officer_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(SCHEDULE, schedule_data(YEAR), follow=True)
    assert "Scheduled 6 meeting(s); the announcement is being emailed to members." in (
        response.content.decode()
    )
    assert Event.objects.waiting_to_be_announced().count() == 6
    assert not OutgoingEmail.objects.exists()
    assert queued_tasks() == [TASK_PATH]

    tasks.announce_new_events.call()
    assert announcements() == [
        (member.email, "[WMASN] 6 meetings scheduled, May 2027 to March 2028"),
        ("officer@example.org", "[WMASN] 6 meetings scheduled, May 2027 to March 2028"),
    ]
    [content] = {email.content for email in OutgoingEmail.objects.filter(recipient=member.email)}
    assert content.text.count("Attending: http://testserver/events/network-meeting-20") == 6
    assert not Event.objects.waiting_to_be_announced().exists()


def test_events_that_took_no_answers_before_are_not_queued(officer_client):
    """Today's rule stays: an event already over (or cancelled) when saved is not announced."""
    officer_client.post(
        ADD, new_event_data(starts_at_0="18/02/2027", ends_at_0="18/02/2027", slug="past")
    )
    past = Event.objects.get(slug="past")  # saved
    assert past.announcement_queued_at is None and past.announced_at is None


def test_changing_an_existing_event_queues_no_announcement(officer_client):
    event = EventFactory(starts_at=london(2027, 3, 18, 10), ends_at=london(2027, 3, 18, 12))
    officer_client.post(
        f"/admin/events/event/{event.pk}/change/",
        admin_change_data(event, starts_at_1="11:00:00"),
    )
    event.refresh_from_db()
    assert event.sequence == 1
    assert event.announcement_queued_at is None


# Exactly once ----------------------------------------------------------------------------------


def test_running_the_task_twice_sends_no_second_announcement(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(PlannedMeeting(dt.date(2027, 5, 20)))
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert tasks.announce_waiting() == 0
    assert tasks.announce_new_events.call() == 0
    assert len(announcements()) == 1


def test_the_minute_job_announces_what_a_lost_task_left_waiting_and_the_late_task_adds_nothing(
    officer_client, member, django_capture_on_commit_callbacks
):
    job = get_job("meeting-announcements")
    assert job.every == dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        officer_client.post(ADD, new_event_data())
    assert Event.objects.waiting_to_be_announced().count() == 1
    assert not OutgoingEmail.objects.exists()

    assert run_job(job, force=True) == "ran"
    assert len(announcements()) == 2  # the member and the officer
    assert run_job(job, force=True) == "ran"
    for callback in callbacks:  # the task, enqueued on commit, runs after the job
        callback()
    assert len(announcements()) == 2


def test_two_batches_waiting_together_go_in_one_email(member, django_capture_on_commit_callbacks):
    """A batch is never split: all waiting events are claimed together (here the worker was
    down while two were scheduled)."""
    with django_capture_on_commit_callbacks(execute=False):
        for day in (dt.date(2027, 5, 20), dt.date(2027, 7, 15)):
            schedule(PlannedMeeting(day))
    assert tasks.announce_waiting() == 1
    assert announcements() == [
        (member.email, "[WMASN] 2 meetings scheduled, May 2027 to July 2027")
    ]


# Cancelled or over before the worker got to it -----------------------------------------------


def test_an_event_cancelled_before_its_announcement_is_not_announced(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        created, _ = schedule(
            PlannedMeeting(dt.date(2027, 5, 20)), PlannedMeeting(dt.date(2027, 7, 15))
        )
    may, july = created
    cancel_events(events=[may], reason="The venue is closed.")
    OutgoingEmail.objects.all().delete()  # the cancellation notices

    assert tasks.announce_waiting() == 1
    [(recipient, subject)] = announcements()
    assert recipient == member.email
    assert "15 July 2027" in subject
    may.refresh_from_db()
    july.refresh_from_db()
    assert (may.announcement_queued_at, may.announced_at) == (None, None)
    assert (july.announcement_queued_at, july.announced_at) == (None, NOW)


def test_a_change_before_the_announcement_sends_no_notice_and_the_announcement_is_current(
    officer_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        officer_client.post(ADD, new_event_data())
    event = Event.objects.get(slug="extra-meeting")
    with django_capture_on_commit_callbacks(execute=False):
        response = officer_client.post(
            f"/admin/events/event/{event.pk}/change/",
            admin_change_data(event, starts_at_1="14:00:00", ends_at_1="16:00:00"),
        )
    assert response.status_code == 302
    assert not OutgoingEmail.objects.exists()  # no "meeting moved" before any announcement

    assert tasks.announce_waiting() == 2
    [content] = {e.content for e in OutgoingEmail.objects.filter(recipient=member.email)}
    assert "When: Thursday 18 March 2027, 14:00 to 16:00 (UK time)" in content.text
    assert "10:00" not in content.text


def test_cancelling_before_the_announcement_tells_only_those_who_answered(
    member, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [event], _ = schedule(PlannedMeeting(dt.date(2027, 5, 20)))
    RSVPFactory(event=event, user=other_member)  # found it on the events page
    cancel_events(events=[event], reason="The venue is closed.")
    assert tasks.send_pending_notices() == 1
    assert list(
        OutgoingEmail.objects.filter(kind="event-cancelled").values_list("recipient", flat=True)
    ) == [other_member.email]
    assert tasks.announce_waiting() == 0
    assert not OutgoingEmail.objects.filter(kind=Kind.MEETINGS).exists()


def test_an_event_over_before_the_worker_got_to_it_is_not_announced(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [event], _ = schedule(PlannedMeeting(dt.date(2027, 3, 2)))
    with time_machine.travel(london(2027, 3, 3, 9, 0), tick=False):
        assert tasks.announce_waiting() == 0
    assert not OutgoingEmail.objects.exists()
    event.refresh_from_db()
    assert (event.announcement_queued_at, event.announced_at) == (None, None)


def test_announcing_leaves_the_events_last_modified_time_alone(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [event], _ = schedule(PlannedMeeting(dt.date(2027, 5, 20)))
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        tasks.announce_waiting()
    event.refresh_from_db()
    assert event.updated_at == NOW
    assert event.announced_at == NOW + dt.timedelta(minutes=5)
    assert event.sequence == 0


def test_a_crash_while_announcing_sends_nothing_and_leaves_the_events_waiting(
    member, other_member, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        schedule(PlannedMeeting(dt.date(2027, 5, 20)))
    written = worker_dies_on_the_second_email(monkeypatch)
    with pytest.raises(ConnectionError):
        tasks.announce_waiting()
    assert written and not OutgoingEmail.objects.exists()
    assert Event.objects.waiting_to_be_announced().count() == 1

    monkeypatch.undo()
    assert tasks.announce_waiting() == 2
    assert [recipient for recipient, _ in announcements()] == sorted(
        [member.email, other_member.email]
    )


# Deploying -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_leaves_existing_events_not_waiting():
    """Events from before the migration were announced in the request: none is queued."""
    before = [("events", "0004_eventdocument_sentreminder_and_more")]
    after = [("events", "0005_event_announcement")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldEvent = old_apps.get_model("events", "Event")
        OldEvent.objects.create(
            kind="meeting",
            title="Network meeting",
            slug="network-meeting-2027-05-20",
            starts_at=london(2027, 5, 20, 10),
            ends_at=london(2027, 5, 20, 12),
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        # Then on to the latest migrations, as the other tests expect.
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    event = Event.objects.get(slug="network-meeting-2027-05-20")
    assert (event.announcement_queued_at, event.announced_at) == (None, None)
    assert not Event.objects.waiting_to_be_announced().exists()
    assert tasks.announce_waiting() == 0
    assert not OutgoingEmail.objects.exists()


# Two workers at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_announce_once(monkeypatch, settings):
    """The claim's row lock: the second worker skips the events the first is announcing."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks with SKIP LOCKED need PostgreSQL.")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    people = [NetworkMemberFactory() for _ in range(3)]
    schedule(PlannedMeeting(dt.date(2027, 5, 20), VenueFactory()))
    results = two_workers_at_once(monkeypatch, notices, "announce", tasks.announce_waiting)
    assert results == [0, 3]
    recipients = sorted(OutgoingEmail.objects.values_list("recipient", flat=True))
    assert recipients == sorted(person.email for person in people)
    assert Event.objects.get().announced_at == NOW

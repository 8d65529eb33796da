"""Registration's periodic jobs: the day-before reminder, offers and unconfirmed guests."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from events.models import RSVP
from events.registration import jobs, services
from tests.factories import NetworkMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrants(conference, sent):
    """A member with a place, a confirmed guest with a place, an unconfirmed guest and a
    member who cancelled (their emails sent before the test begins)."""
    member, _ = sent(
        services.register_member, event=conference, user=NetworkMemberFactory(), details={}
    )
    guest, _ = sent(
        services.register_guest, event=conference, name="G", email="g@example.org", details={}
    )
    sent(services.confirm_guest, rsvp=guest)
    sent(services.register_guest, event=conference, name="U", email="u@example.org", details={})
    gone, _ = sent(
        services.register_member, event=conference, user=NetworkMemberFactory(), details={}
    )
    sent(services.cancel_place, rsvp=gone)
    return member, guest


def test_the_reminder_goes_the_day_before_to_those_with_a_place(conference, registrants, sent):
    member, guest = registrants
    two_days_before = conference.starts_at - dt.timedelta(days=2)
    assert sent(jobs.send_reminders, now=two_days_before)[0] == 0
    day_before = timezone.localtime(conference.starts_at).replace(hour=9, minute=0) - dt.timedelta(
        days=1
    )
    count, emails = sent(jobs.send_reminders, now=day_before)
    assert count == 2
    assert sorted(m.to[0] for m in emails) == sorted([member.email, "g@example.org"])
    assert all(m.subject == "[WMASN] Tomorrow: Anti-Slavery Day conference" for m in emails)
    assert member.formatted_ticket_code in next(m for m in emails if m.to == [member.email]).body


def test_the_day_before_a_member_with_a_place_gets_one_reminder_not_two(
    conference, registrants, sent
):
    """A conference that invites every member sends the meeting reminders too: the day
    before, a member with a place gets registration's (with the ticket) and not the other."""
    from events import notices

    member, _ = registrants
    conference.invites_members = True
    conference.save()
    undecided = NetworkMemberFactory()
    week_before = conference.starts_at - dt.timedelta(days=7)
    _, emails = sent(notices.send_reminders, now=week_before)
    assert {m.to[0] for m in emails} >= {member.email, undecided.email}
    day_before = conference.starts_at - dt.timedelta(hours=20)
    _, meeting_reminders = sent(notices.send_reminders, now=day_before)
    _, registration_reminders = sent(jobs.send_reminders, now=day_before)
    to_member = [m for m in meeting_reminders + registration_reminders if m.to == [member.email]]
    assert [m.subject for m in to_member] == ["[WMASN] Tomorrow: Anti-Slavery Day conference"]
    assert member.formatted_ticket_code in to_member[0].body
    assert undecided.email in {m.to[0] for m in meeting_reminders}


def test_a_reminder_is_sent_once(conference, registrants):
    day_before = conference.starts_at - dt.timedelta(hours=20)
    assert jobs.send_reminders(now=day_before) == 2
    assert jobs.send_reminders(now=day_before + dt.timedelta(hours=1)) == 0


def test_no_reminder_for_a_cancelled_event(conference, registrants):
    conference.cancel("Venue flooded")
    assert jobs.send_reminders(now=conference.starts_at - dt.timedelta(hours=20)) == 0


def test_the_registration_jobs_are_registered():
    from wmasn.jobs import _jobs

    assert {"registration-offers", "registration-unconfirmed", "registration-reminders"} <= set(
        _jobs
    )


def test_the_unconfirmed_job_deletes_old_unconfirmed_guests(conference, registrants):
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert jobs.delete_unconfirmed() == 1
    assert not RSVP.objects.unconfirmed().exists()

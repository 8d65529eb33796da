"""Calendar answers from real clients, read from a real IMAP server, become RSVPs; forged,
stale and unknown ones change nothing and are recorded with the reason."""

import datetime as dt

import pytest

from events.models import RSVP, EventNotice
from tests.factories import MembershipFactory, RSVPFactory, VenueFactory
from wmasn.mail.inbox.reader import read_inbox
from wmasn.mail.models import InboundMessage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.imap]

Kind = InboundMessage.Kind
Outcome = InboundMessage.Outcome


def read_one(mailbox, raw):
    mailbox.append(raw)
    ((record, was_new),) = read_inbox()
    assert was_new
    return record


@pytest.mark.parametrize(
    ("fixture_name", "answer"),
    [
        ("outlook_accepted.eml", RSVP.Answer.ATTENDING),
        ("owa_declined.eml", RSVP.Answer.APOLOGIES),
        ("google_accepted.eml", RSVP.Answer.ATTENDING),
        ("apple_tentative.eml", RSVP.Answer.TENTATIVE),
        ("thunderbird_accepted.eml", RSVP.Answer.ATTENDING),
    ],
)
def test_each_clients_answer_becomes_the_members_rsvp(
    mailbox, eml, meeting, invited_member, fixture_name, answer
):
    record = read_one(mailbox, eml(fixture_name))
    rsvp = RSVP.objects.get(event=meeting, user=invited_member)
    assert rsvp.answer == answer
    assert (record.kind, record.outcome) == (Kind.INVITATION_REPLY, Outcome.APPLIED)
    assert record.user == invited_member
    assert record.about == meeting
    assert mailbox.count("INBOX") == 0 and mailbox.count("Processed") == 1


def test_tentative_is_shown_but_never_counted_as_attending(mailbox, eml, meeting, invited_member):
    read_one(mailbox, eml("apple_tentative.eml"))
    assert not RSVP.objects.attending().filter(event=meeting).exists()
    assert RSVP.objects.get(user=invited_member).get_answer_display() == "Tentative"


def test_accepting_a_full_meeting_joins_the_waiting_list_with_the_websites_emails(
    mailbox, eml, meeting, invited_member, agency
):
    meeting.venue = VenueFactory(capacity=1)
    meeting.save()
    RSVPFactory(event=meeting, user=MembershipFactory(agency=agency).user)
    record = read_one(mailbox, eml("outlook_accepted.eml"))
    rsvp = RSVP.objects.get(event=meeting, user=invited_member)
    assert rsvp.answer == RSVP.Answer.WAITING
    assert "recorded as Waiting list" in record.reason
    assert EventNotice.objects.filter(
        event=meeting, user=invited_member, kind=EventNotice.Kind.WAITING
    ).exists()


def test_declining_frees_a_place_for_the_first_one_waiting(
    mailbox, eml, meeting, invited_member, agency, at_reply_time
):
    meeting.venue = VenueFactory(capacity=1)
    meeting.save()
    # She had accepted (the week before her calendar declined); someone is waiting.
    week_before = at_reply_time - dt.timedelta(days=7)
    RSVPFactory(event=meeting, user=invited_member, answer=RSVP.Answer.ATTENDING)
    RSVP.objects.filter(user=invited_member).update(updated_at=week_before)
    waiting = MembershipFactory(agency=agency).user
    RSVPFactory(event=meeting, user=waiting, answer=RSVP.Answer.WAITING, waiting_since=week_before)
    read_one(mailbox, eml("owa_declined.eml"))
    assert RSVP.objects.get(user=invited_member).answer == RSVP.Answer.APOLOGIES
    assert RSVP.objects.get(user=waiting).answer == RSVP.Answer.ATTENDING


def test_an_answer_for_an_unknown_uid_changes_nothing(mailbox, eml, meeting, invited_member):
    raw = eml("google_accepted.eml").replace(b"8a0f5a2c-3b1e", b"00000000-0000")
    record = read_one(mailbox, raw)
    assert (record.kind, record.outcome) == (Kind.INVITATION_REPLY, Outcome.REFUSED)
    assert "No meeting on the portal has the UID" in record.reason
    assert not RSVP.objects.exists()


def test_an_answer_for_a_cancelled_meeting_changes_nothing(mailbox, eml, meeting, invited_member):
    meeting.cancel("Venue flooded")
    record = read_one(mailbox, eml("thunderbird_accepted.eml"))
    assert record.outcome == Outcome.REFUSED and "cancelled" in record.reason
    assert not RSVP.objects.exists()


def test_an_answer_for_a_past_meeting_changes_nothing(mailbox, eml, meeting, invited_member):
    meeting.starts_at = meeting.starts_at.replace(year=2025)
    meeting.ends_at = meeting.ends_at.replace(year=2025)
    meeting.save()
    record = read_one(mailbox, eml("outlook_accepted.eml"))
    assert record.outcome == Outcome.REFUSED and "has taken place" in record.reason
    assert not RSVP.objects.exists()


def test_an_attendee_who_is_not_the_sender_changes_nothing(mailbox, eml, meeting, invited_member):
    forged = eml("google_accepted.eml").replace(
        b"From: Jean Turner <jean.turner@agency.example>", b"From: Mallory <mallory@evil.example>"
    )
    record = read_one(mailbox, forged)
    assert record.outcome == Outcome.REFUSED
    assert "not its sender mallory@evil.example" in record.reason
    assert not RSVP.objects.exists()


def test_someone_not_invited_changes_nothing(mailbox, eml, meeting):
    # Jean is not a member of any agency here: network meetings do not invite her.
    record = read_one(mailbox, eml("outlook_accepted.eml"))
    assert record.outcome == Outcome.REFUSED and "is not invited" in record.reason
    assert not RSVP.objects.exists()


def test_an_answer_older_than_the_members_own_changes_nothing(
    mailbox, eml, meeting, invited_member
):
    # She said "apologies" on the website after her calendar sent its Accept.
    RSVPFactory(event=meeting, user=invited_member, answer=RSVP.Answer.APOLOGIES)
    record = read_one(mailbox, eml("outlook_accepted.eml"))
    assert record.outcome == Outcome.REFUSED and "Older than the answer" in record.reason
    assert RSVP.objects.get(user=invited_member).answer == RSVP.Answer.APOLOGIES


def test_a_proposed_new_time_is_shown_to_officers_and_never_applied(
    mailbox, eml, meeting, invited_member
):
    record = read_one(mailbox, eml("outlook_counter.eml"))
    assert (record.kind, record.outcome) == (Kind.COUNTER, Outcome.FOR_OFFICERS)
    assert "2026-12-11 14:00:00" in record.reason
    assert "Friday afternoon" in record.text
    assert record.about == meeting
    meeting.refresh_from_db()
    assert meeting.starts_at.day == 10
    assert not RSVP.objects.exists()

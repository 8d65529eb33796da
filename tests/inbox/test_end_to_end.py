"""End to end on a real IMAP server: a member is invited, Outlook's Accept arrives, and
within one polling interval the meeting's page, the chair's desk and the waiting list show
her answer. Also the bench line: a mailbox of 1,000 messages, each read once (make bench
times it)."""

import datetime as dt
import html
import re
import time

import pytest
from django.urls import reverse
from icalendar import Calendar

from events.invitations import invitation
from events.models import RSVP
from tests.factories import MembershipFactory, RSVPFactory, VenueFactory
from wmasn import jobs
from wmasn.mail.models import InboundMessage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.imap]

POLLING_INTERVAL = jobs.get_job("mail.read-inbox").every


def desk_row(client, event):
    """(attending, apologies) on the chair's desk (the admin's front page) for `event`."""
    page = html.unescape(client.get("/admin/").content.decode())
    match = re.search(
        re.escape(str(event))
        + r"</a></th>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>",
        page,
    )
    assert match, "the desk lists the meeting"
    return int(match.group(1)), int(match.group(2))


def deliver_and_time(mailbox, raw):
    """Append the reply, run the worker's due jobs as its minute tick does; seconds taken."""
    appended = time.monotonic()
    mailbox.append(raw)
    jobs.run_due_jobs(worker="test worker", names=["mail.read-inbox"], force=True)
    return time.monotonic() - appended


def test_an_outlook_accept_is_on_the_page_and_the_desk_within_one_polling_interval(
    mailbox, eml, meeting, invited_member, officer_client, client, settings
):
    settings.NETWORK_NAME = "West Midlands Anti Slavery Network"
    invite = Calendar.from_ical(invitation(meeting, invited_member))
    organizer = next(iter(invite.walk("VEVENT")))["ORGANIZER"]
    assert str(organizer) == "mailto:replies@example.org"
    assert organizer.params["CN"] == "West Midlands Anti Slavery Network"
    assert desk_row(officer_client, meeting) == (0, 0)

    seconds = deliver_and_time(mailbox, eml("outlook_accepted.eml"))

    assert RSVP.objects.get(event=meeting, user=invited_member).answer == RSVP.Answer.ATTENDING
    assert dt.timedelta(seconds=seconds) < POLLING_INTERVAL
    client.force_login(invited_member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "You answered: <strong>Attending</strong>" in page
    assert desk_row(officer_client, meeting) == (1, 0)
    record = InboundMessage.objects.get()
    admin_page = officer_client.get(
        reverse("admin:mail_inboundmessage_change", args=[record.pk])
    ).content.decode()
    assert "Jean Turner answered Attending" in html.unescape(admin_page)


def test_an_outlook_accept_for_a_full_meeting_joins_the_waiting_list(
    mailbox, eml, meeting, invited_member, agency, client
):
    meeting.venue = VenueFactory(capacity=1)
    meeting.save()
    RSVPFactory(event=meeting, user=MembershipFactory(agency=agency).user)
    deliver_and_time(mailbox, eml("outlook_accepted.eml"))
    client.force_login(invited_member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "You answered: <strong>Waiting list</strong> (number 1;" in page
    assert list(RSVP.objects.waiting().values_list("user", flat=True)) == [invited_member.pk]


def test_a_mailbox_of_a_thousand_messages_is_read_each_once(mailbox, settings, capsys):
    settings.NETWORK_CONTACT_EMAIL = ""
    messages = [
        (
            f"From: Person {n} <person{n}@example.org>\r\nTo: replies@example.org\r\n"
            f"Subject: {'Automatic reply: ' if n % 2 else ''}Question {n}\r\n"
            f"Message-ID: <bench-{n}@example.org>\r\n\r\nHello {n}.\r\n"
        ).encode()
        for n in range(1000)
    ]
    mailbox.append(*messages)
    started = time.monotonic()
    jobs.run_due_jobs(worker="test worker", names=["mail.read-inbox"], force=True)
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n[bench] 1,000 inbound messages read and handled in {seconds:.1f} s")
    assert InboundMessage.objects.count() == 1000
    assert mailbox.count("INBOX") == 0 and mailbox.count("Processed") == 1000
    # The time is a figure for `make bench` (docs/performance.md), not a pass mark here.

"""The reader: each message once (across restarts and several readers), then moved out of
the way on the server; the command, the minute job, and the admin's view of it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from wmasn import jobs
from wmasn.mail.inbox import handling
from wmasn.mail.inbox.reader import read_inbox
from wmasn.mail.models import InboundMessage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.imap]


def reply(number):
    return (
        f"From: Person {number} <person{number}@example.org>\r\n"
        f"To: replies@example.org\r\nSubject: Question {number}\r\n"
        f"Message-ID: <question-{number}@example.org>\r\n\r\nHello {number}.\r\n"
    ).encode()


def test_each_message_is_handled_once_and_moved_to_processed(mailbox):
    mailbox.append(reply(1), reply(2))
    handled = read_inbox()
    assert [was_new for _, was_new in handled] == [True, True]
    assert InboundMessage.objects.count() == 2
    assert mailbox.count("INBOX") == 0
    assert mailbox.count("Processed") == 2
    assert all("\\Seen" in flags for flags in mailbox.flags("Processed"))
    assert read_inbox() == []


def test_a_message_delivered_again_is_not_handled_again(mailbox):
    mailbox.append(reply(1))
    read_inbox()
    mailbox.append(reply(1))
    ((record, was_new),) = read_inbox()
    assert not was_new
    assert InboundMessage.objects.count() == 1
    assert mailbox.count("INBOX") == 0


def test_a_message_handled_before_a_crash_is_only_moved(mailbox, settings):
    settings.NETWORK_CONTACT_EMAIL = "coordinator@example.org"
    # Another worker handled it and died before moving it.
    handling.handle(reply(3))
    mailbox.append(reply(3))
    ((_, was_new),) = read_inbox()
    assert not was_new
    assert InboundMessage.objects.count() == 1
    assert InboundMessage.objects.get().outcome == InboundMessage.Outcome.FORWARDED
    assert mailbox.count("INBOX") == 0 and mailbox.count("Processed") == 1


def test_a_message_that_cannot_be_handled_is_kept_for_officers(mailbox, monkeypatch):
    def broken(incoming):
        raise ValueError("a broken handler")

    monkeypatch.setattr(handling, "handle_bounce", broken)
    mailbox.append(reply(4))
    ((record, _),) = read_inbox()
    assert record.outcome == InboundMessage.Outcome.FOR_OFFICERS
    assert "a broken handler" in record.reason
    assert mailbox.count("INBOX") == 0


def test_the_command_prints_what_it_did_with_each_message(mailbox, settings):
    settings.NETWORK_CONTACT_EMAIL = "coordinator@example.org"
    mailbox.append(reply(5))
    out = io.StringIO()
    call_command("read_inbox", stdout=out)
    text = out.getvalue()
    assert "person5@example.org — 'Question 5': Written by a person: Forwarded." in text
    assert "1 messages read, 1 new." in text


def test_the_command_says_when_no_mailbox_is_set(settings, db):
    settings.INBOUND_IMAP_HOST = ""
    with pytest.raises(CommandError, match="replies are not read"):
        call_command("read_inbox")


def test_the_minute_job_reads_the_mailbox(mailbox):
    mailbox.append(reply(6))
    jobs.get_job("mail.read-inbox").func()
    assert InboundMessage.objects.filter(subject="Question 6").exists()


def test_without_a_host_the_minute_job_reads_nothing(settings, db, monkeypatch):
    settings.INBOUND_IMAP_HOST = ""

    def must_not_connect():
        raise AssertionError("connected")

    monkeypatch.setattr("wmasn.mail.inbox.reader.connect", must_not_connect)
    jobs.get_job("mail.read-inbox").func()
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("configured", [True, False])
def test_officers_see_the_inbound_messages_and_whether_replies_are_read(
    officer_client, settings, configured
):
    settings.INBOUND_IMAP_HOST = "imap.example.org" if configured else ""
    response = officer_client.get(reverse("admin:mail_inboundmessage_changelist"))
    assert response.status_code == 200
    assert ("Replies are not read" in response.content.decode()) is not configured

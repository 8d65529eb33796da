"""Bounces find the email they belong to and fail it (a hard one suppresses the address);
auto-replies are recorded and ignored; a person's reply goes to the network's people."""

import html

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from wmasn import mail
from wmasn.mail.delivery import message_id, return_path
from wmasn.mail.inbox.reader import read_inbox
from wmasn.mail.models import BouncedAddress, EmailContent, InboundMessage, OutgoingEmail

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.imap]

Kind = InboundMessage.Kind
Outcome = InboundMessage.Outcome
State = OutgoingEmail.State
RECIPIENT = "gone@agency.example"


@pytest.fixture
def sent_email(mailbox):
    content = mail.store_content(
        mail.RenderedEmail(subject="[WMASN] Meeting reminder: Network meeting", text="Hello.\n")
    )
    (email,) = mail.queue_emails(content, [RECIPIENT], kind="reminders")
    OutgoingEmail.objects.filter(pk=email.pk).update(state=State.SENT)
    email.refresh_from_db()
    return email


def placeholders(email):
    return {"verp": return_path(email), "message_id": message_id(email), "recipient": RECIPIENT}


def read_one(mailbox, raw):
    mailbox.append(raw)
    ((record, was_new),) = read_inbox()
    assert was_new
    return record


@pytest.mark.parametrize(
    "fixture_name",
    [
        "postfix_dsn_hard.eml",  # RFC 3464, found by its VERP address
        "qmail_failure_notice.eml",  # no report: the words and the VERP address
        "exim_bounce_by_message_id.eml",  # no report, no VERP: the quoted Message-ID
    ],
)
def test_a_hard_bounce_fails_the_email_and_suppresses_the_address(
    mailbox, eml, sent_email, fixture_name
):
    record = read_one(mailbox, eml(fixture_name, **placeholders(sent_email)))
    sent_email.refresh_from_db()
    assert sent_email.state == State.FAILED
    assert sent_email.last_reply.startswith("Bounced later: 5.")
    assert BouncedAddress.objects.suppressed().filter(address=RECIPIENT).exists()
    assert (record.kind, record.outcome) == (Kind.BOUNCE, Outcome.APPLIED)
    assert record.outgoing_email == sent_email


def test_a_soft_failure_found_by_the_original_message_fails_without_suppressing(
    mailbox, eml, sent_email
):
    raw = eml("exchange_dsn_original_message.eml", **placeholders(sent_email))
    record = read_one(mailbox, raw)
    sent_email.refresh_from_db()
    assert sent_email.state == State.FAILED
    assert "4.2.2" in sent_email.last_reply
    assert not BouncedAddress.objects.exists()
    assert record.outgoing_email == sent_email


def test_a_delay_notice_changes_nothing(mailbox, eml, sent_email):
    record = read_one(mailbox, eml("postfix_dsn_delayed.eml", **placeholders(sent_email)))
    sent_email.refresh_from_db()
    assert sent_email.state == State.SENT
    assert (record.kind, record.outcome) == (Kind.DELAY, Outcome.IGNORED)


def test_a_bounce_with_a_forged_verp_address_changes_nothing(mailbox, eml, sent_email):
    values = placeholders(sent_email)
    values["verp"] = values["verp"].replace(".", "x", 1).rsplit(".", 1)[0] + ".0000000000@x"
    values["message_id"] = "<someone-else@example.net>"
    record = read_one(mailbox, eml("postfix_dsn_hard.eml", **values))
    sent_email.refresh_from_db()
    assert sent_email.state == State.SENT
    assert record.outcome == Outcome.REFUSED
    assert not BouncedAddress.objects.exists()


@pytest.mark.parametrize("fixture_name", ["exchange_out_of_office.eml", "vacation_x_autoreply.eml"])
def test_auto_replies_are_recorded_and_otherwise_ignored(mailbox, eml, sent_email, fixture_name):
    outbox_before = OutgoingEmail.objects.count()
    record = read_one(mailbox, eml(fixture_name, **placeholders(sent_email)))
    assert (record.kind, record.outcome) == (Kind.AUTO_REPLY, Outcome.IGNORED)
    sent_email.refresh_from_db()
    assert sent_email.state == State.SENT
    assert OutgoingEmail.objects.count() == outbox_before


def test_a_persons_reply_is_forwarded_to_the_networks_people(mailbox, eml, sent_email, settings):
    settings.NETWORK_CONTACT_EMAIL = "coordinator@example.org"
    record = read_one(mailbox, eml("member_pressed_reply.eml", **placeholders(sent_email)))
    assert (record.kind, record.outcome) == (Kind.PERSONAL, Outcome.FORWARDED)
    forward = OutgoingEmail.objects.get(kind="inbox-forward")
    assert forward.recipient == "coordinator@example.org"
    content = EmailContent.objects.get(pk=forward.content_id)
    assert content.reply_to == "jean.turner@agency.example"
    assert "bring a colleague" in content.text
    # Never answered automatically: nothing goes back to the person.
    assert not OutgoingEmail.objects.filter(recipient="jean.turner@agency.example").exists()


def test_without_a_contact_address_a_persons_reply_is_kept_for_officers(
    mailbox, eml, sent_email, settings
):
    settings.NETWORK_CONTACT_EMAIL = ""
    record = read_one(mailbox, eml("member_pressed_reply.eml", **placeholders(sent_email)))
    assert (record.kind, record.outcome) == (Kind.PERSONAL, Outcome.FOR_OFFICERS)
    assert "bring a colleague" in record.text
    assert not OutgoingEmail.objects.filter(kind="inbox-forward").exists()


def test_a_suppressed_address_is_shown_on_the_person_in_the_admin(
    mailbox, eml, sent_email, officer_client
):
    person = UserFactory(email=RECIPIENT)
    url = reverse("admin:network_user_change", args=[person.pk])
    assert "Delivered normally" in officer_client.get(url).content.decode()
    read_one(mailbox, eml("postfix_dsn_hard.eml", **placeholders(sent_email)))
    page = html.unescape(officer_client.get(url).content.decode())
    assert "Suppressed: nothing is sent" in page
    assert "User unknown" in page

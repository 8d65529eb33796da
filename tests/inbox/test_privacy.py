"""What a person sent to the inbound mailbox is in their data download, and is forgotten
with their account."""

import pytest

from network.privacy import delete_account, export_user_data
from wmasn.mail.inbox import handling
from wmasn.mail.models import InboundMessage

pytestmark = pytest.mark.django_db

RAW = (
    b"From: Jean Turner <member@example.org>\r\nTo: replies@example.org\r\n"
    b"Subject: Re: Network meeting for Jean Turner\r\nMessage-ID: <q1@agency.example>\r\n\r\n"
    b"Can I bring a colleague? Jean Turner, member@example.org\r\n"
)


def test_a_members_messages_are_in_their_download(member, settings):
    settings.NETWORK_CONTACT_EMAIL = ""
    handling.handle(RAW)
    (exported,) = export_user_data(member)["emails_you_sent_to_the_portal"]
    assert exported["subject"] == "Re: Network meeting for Jean Turner"
    assert exported["kind"] == "Written by a person"


def test_deleting_the_account_forgets_what_they_sent(member, settings):
    settings.NETWORK_CONTACT_EMAIL = ""
    member.first_name, member.last_name = "Jean", "Turner"
    member.save()
    record, _ = handling.handle(RAW)
    record.reason = "Jean Turner (member@example.org) wrote."
    record.save()
    delete_account(user=member)
    record.refresh_from_db()
    assert record.user is None
    assert "member@example.org" not in record.sender
    assert record.text == "" and record.message_id == ""
    assert "Jean Turner" not in record.subject + record.reason
    assert "member@example.org" not in record.reason
    assert record.kind == InboundMessage.Kind.PERSONAL
    # Still counted: what it was and that it was kept for officers.
    assert record.outcome == InboundMessage.Outcome.FOR_OFFICERS

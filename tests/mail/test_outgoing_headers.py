"""What every outgoing email carries for the bulk senders' rules: Auto-Submitted, Reply-To,
List-Id on lists, a VERP return path, and a DKIM signature that dkimpy verifies."""

import email
import io
import subprocess

import dkim
import pytest
from django.core import mail as django_mail
from django.core.management import call_command

from wmasn import mail
from wmasn.mail import delivery
from wmasn.mail.delivery import deliver_due, email_from_return_path, return_path

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def rsa_key(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkim") / "private.pem"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True
    )
    return path


def queue_one(*, headers=None, kind="test"):
    content = mail.store_content(
        mail.RenderedEmail(subject="[WMASN] News", text="Hello.\n", html="<p>Hello.</p>"),
        headers=headers,
    )
    return mail.queue_emails(content, ["reader@example.org"], kind=kind)[0]


def sent_message():
    (message,) = django_mail.outbox
    return message.message()


def test_every_email_says_it_was_automated_and_replies_go_to_people(settings):
    settings.NETWORK_CONTACT_EMAIL = "coordinator@wmasn.example"
    queue_one()
    deliver_due()
    message = sent_message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Reply-To"] == "coordinator@wmasn.example"
    assert message["List-Id"] is None


def test_a_list_email_names_its_list():
    queue_one(headers={"List-Unsubscribe": "<https://x.example/u/>"}, kind="newsletter")
    deliver_due()
    list_id = sent_message()["List-Id"]
    assert list_id.endswith("<newsletter.example.org>")
    assert "West Midlands Anti Slavery Network" in list_id


def test_with_an_inbound_address_bounces_come_back_to_a_verp_address(settings):
    settings.INBOUND_ADDRESS = "replies@wmasn.example"
    row = queue_one()
    deliver_due()
    (message,) = django_mail.outbox
    assert message.from_email == return_path(row)
    assert message.from_email.startswith(f"replies+b{row.pk}.")
    assert message.message()["From"] == settings.DEFAULT_FROM_EMAIL
    assert email_from_return_path(message.from_email) == row.pk


def test_a_forged_verp_address_names_no_email(settings):
    settings.INBOUND_ADDRESS = "replies@wmasn.example"
    row = queue_one()
    forged = return_path(row).replace(f"+b{row.pk}.", f"+b{row.pk + 1}.")
    assert email_from_return_path(forged) is None
    assert email_from_return_path("someone@example.org") is None


def test_without_an_inbound_address_the_envelope_is_the_from_address(settings):
    queue_one()
    deliver_due()
    (message,) = django_mail.outbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_with_a_key_every_email_is_dkim_signed_and_verifies(settings, rsa_key, smtp_server):
    settings.DKIM_PRIVATE_KEY = str(rsa_key)
    settings.DKIM_DOMAIN = "example.org"
    settings.DKIM_SELECTOR = "wmasn"
    queue_one(headers={"List-Unsubscribe": "<https://x.example/u/>"}, kind="newsletter")
    assert deliver_due()["sent"] == 1
    ((_, raw),) = smtp_server.handler.received
    assert email.message_from_bytes(raw)["DKIM-Signature"]
    out = io.StringIO()
    call_command("email_dns", stdout=out)
    record = next(line for line in out.getvalue().splitlines() if "_domainkey" in line)
    txt = record.split("TXT ", 1)[1].strip('"').encode()

    def dns(name, timeout=5):
        assert name == b"wmasn._domainkey.example.org."
        return txt

    assert dkim.verify(raw, dnsfunc=dns)
    # A changed body no longer verifies.
    assert not dkim.verify(raw.replace(b"Hello.", b"Hullo."), dnsfunc=dns)


def test_email_dns_prints_spf_and_dmarc_and_says_when_dkim_is_off(settings):
    settings.NETWORK_CONTACT_EMAIL = "coordinator@example.org"
    out = io.StringIO()
    call_command("email_dns", stdout=out)
    text = out.getvalue()
    assert 'example.org. TXT "v=spf1' in text
    assert '_dmarc.example.org. TXT "v=DMARC1; p=quarantine' in text
    assert "mailto:coordinator@example.org" in text
    assert "set DKIM_PRIVATE_KEY" in text


def test_the_message_id_is_kept_on_every_try():
    row = queue_one()
    first = delivery.message_for(row, row.content).message()["Message-ID"]
    assert first == delivery.message_for(row, row.content).message()["Message-ID"]
    assert first == delivery.message_id(row)

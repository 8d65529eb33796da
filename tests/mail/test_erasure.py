"""Erasure means erasure: deleting an account (the real delete page) leaves no stored email
naming the person, as the delete page promises, while the outbox still counts what went."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from network.models import Membership
from tests.factories import PASSWORD
from wmasn import mail
from wmasn.mail.delivery import deliver_due
from wmasn.mail.models import EmailContent, OutgoingEmail

pytestmark = pytest.mark.django_db

NAME = "Khizra Ahmed"


@pytest.fixture
def khizra(member):
    member.first_name, member.last_name = "Khizra", "Ahmed"
    member.save()
    EmailAddress.objects.create(user=member, email="k.ahmed@police.example", verified=True)
    return member


def everything_stored():
    return " ".join(
        f"{c.subject} {c.text} {c.html} {c.headers} {c.parts} {c.reply_to}"
        for c in EmailContent.objects.all()
    ) + " ".join(f"{e.recipient} {e.substitutions}" for e in OutgoingEmail.objects.all())


def delete_account(client):
    response = client.post(reverse("network:account-delete"), {"password": PASSWORD})
    assert response.status_code == 302


def test_deleting_an_account_erases_the_person_from_every_stored_email(
    khizra, member_client, officer, agency
):
    membership = Membership.objects.get(user=khizra)
    context = {"user": khizra, "agency": agency, "membership": membership}
    mail.send_email(
        "network/emails/membership_approved", to=khizra.email, context=context, kind="decision"
    )
    reminder = mail.store_content(
        mail.RenderedEmail(
            subject="[WMASN] West Midlands Police: how did your 2018 pledges go?",
            text="Hello Khizra,\n\nWest Midlands Police pledged to train 40 officers.\n",
            html="<p>Hello Khizra,</p><p>West Midlands Police pledged…</p>",
        ),
        headers={"List-Unsubscribe": "<https://portal.example/u/khizra-token/>"},
    )
    mail.queue_emails(reminder, ["K.Ahmed@police.example"], kind="pledge-reminder")
    mail.send_email(
        "network/emails/membership_requested",
        to=officer.email,
        context=context,
        kind="officer-notification",
    )
    newsletter = mail.store_content(
        mail.RenderedEmail(
            subject="WMASN newsletter: December",
            text=f"Thanks to {NAME} (West Midlands Police) for the training.\n",
            html=f"<p>Thanks to {NAME.upper()} for the training.</p>",
        )
    )
    [_, to_another] = mail.queue_emails(newsletter, [khizra.email, "reader@example.org"])
    deliver_due()
    assert OutgoingEmail.objects.filter(state="sent").count() == 5
    assert "Khizra" in everything_stored()

    delete_account(member_client)

    stored = everything_stored()
    for personal in ("Khizra", "Ahmed", "member@example.org", "k.ahmed@police.example"):
        assert personal.lower() not in stored.lower(), personal
    # Her own emails: still counted, but what was written to her alone is gone, her
    # agency with it.
    tombstone = f"deleted-{khizra.pk}@deleted.invalid"
    assert OutgoingEmail.objects.filter(recipient=tombstone, state="sent").count() == 3
    assert EmailContent.objects.get(pk=reminder.pk).text == ""
    assert "West Midlands Police" not in EmailContent.objects.get(pk=reminder.pk).subject
    # What others received keeps its words, without her name.
    notice = EmailContent.objects.get(emails__recipient=officer.email)
    assert "[deleted account]" in notice.subject and "West Midlands Police" in notice.subject
    newsletter.refresh_from_db()
    assert newsletter.text == (
        "Thanks to [deleted account] (West Midlands Police) for the training.\n"
    )
    assert newsletter.html == "<p>Thanks to [deleted account] for the training.</p>"
    assert OutgoingEmail.objects.get(pk=to_another.pk).recipient == "reader@example.org"


def test_a_waiting_email_to_a_deleted_account_is_never_sent(khizra, member_client, smtp_server):
    mail.queue_emails(
        mail.store_content(mail.RenderedEmail(subject="Soon", text="Hello Khizra\n")),
        ["k.ahmed@police.example"],
    )
    delete_account(member_client)
    assert deliver_due()["sent"] == 0
    assert smtp_server.handler.received == []
    assert OutgoingEmail.objects.get().state == OutgoingEmail.State.FAILED


def test_a_one_word_name_is_not_scrubbed_from_what_others_received(member, member_client):
    member.first_name, member.last_name = "Sam", ""
    member.save()
    shared = mail.store_content(mail.RenderedEmail(subject="News", text="Sam Smith spoke.\n"))
    mail.queue_emails(shared, ["reader@example.org"])
    delete_account(member_client)
    shared.refresh_from_db()
    assert shared.text == "Sam Smith spoke.\n"

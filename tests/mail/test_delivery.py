"""Every email arrives exactly once through a real SMTP server that misbehaves, and those
refused for good are failed with the server's reply."""

import datetime as dt
import email
from collections import Counter

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from wmasn import jobs, mail
from wmasn.mail import delivery
from wmasn.mail.delivery import claim_batch, deliver_due, retry_delay
from wmasn.mail.models import BouncedAddress, OutgoingEmail

pytestmark = pytest.mark.django_db

State = OutgoingEmail.State


def queue(count=None, *, to=None):
    """Queue one email to each of `to`, or to `count` readers; returns the addresses."""
    content = mail.store_content(mail.RenderedEmail(subject="News", text="Hello.\n"))
    addresses = to or [f"reader{n}@example.org" for n in range(count)]
    mail.queue_emails(content, addresses, kind="test")
    return addresses


def states():
    return Counter(OutgoingEmail.objects.values_list("state", flat=True))


def run_until_sent(time_machine, *, step=dt.timedelta(minutes=1), limit=200):
    """Run the worker each `step` of a controllable clock until nothing waits."""
    for _ in range(limit):
        deliver_due()
        if not OutgoingEmail.objects.waiting().exists():
            return
        time_machine.move_to(timezone.now() + step, tick=False)
    raise AssertionError(f"still waiting: {states()}")


def test_one_connection_carries_many_messages(smtp_server):
    addresses = queue(30)
    assert deliver_due(batch_size=10)["sent"] == 30
    assert sorted(smtp_server.handler.recipients()) == sorted(addresses)
    assert smtp_server.handler.connections == 1
    assert states() == {State.SENT: 30}


def test_a_dropped_connection_costs_only_the_message_in_flight(smtp_server, time_machine):
    addresses = queue(10)
    smtp_server.handler.drop_data_for.update({addresses[2]: 1, addresses[6]: 1})
    counts = deliver_due()
    assert counts["sent"] == 8 and counts["deferred"] == 2
    # It reconnected after each drop, for the next message.
    assert smtp_server.handler.connections == 3
    run_until_sent(time_machine)
    assert Counter(smtp_server.handler.recipients()) == Counter(addresses)
    assert states() == {State.SENT: 10}
    assert OutgoingEmail.objects.get(recipient=addresses[2]).attempts == 2


def test_451_replies_are_retried_with_backoff_until_sent(smtp_server, time_machine):
    addresses = queue(6)
    for address in addresses[:3]:
        smtp_server.handler.rcpt_replies[address] = ["451 4.3.0 Try again later"] * 3
    start = timezone.now()
    deliver_due()
    waiting = OutgoingEmail.objects.get(recipient=addresses[0])
    assert waiting.state == State.PENDING
    assert waiting.last_reply == "451 4.3.0 Try again later"
    assert waiting.next_try_at - start >= dt.timedelta(minutes=1)
    run_until_sent(time_machine)
    assert Counter(smtp_server.handler.recipients()) == Counter(addresses)
    sent = OutgoingEmail.objects.get(recipient=addresses[0])
    assert sent.attempts == 4
    # Waits of 1, 2 and 4 minutes: the fourth try is at least 7 minutes after the first.
    assert sent.sent_at - start >= dt.timedelta(minutes=7)


def test_a_fifteen_minute_outage_ends_with_everyone_sent_exactly_once(smtp_server, time_machine):
    addresses = queue(25)
    smtp_server.stop()
    outage_ends = timezone.now() + dt.timedelta(minutes=15)
    while timezone.now() < outage_ends:
        counts = deliver_due()
        assert counts["sent"] == 0 and counts["failed"] == 0
        time_machine.move_to(timezone.now() + dt.timedelta(minutes=1), tick=False)
    assert states() == {State.PENDING: 25}
    assert OutgoingEmail.objects.filter(attempts__gte=4).count() == 25
    smtp_server.start()
    run_until_sent(time_machine)
    assert Counter(smtp_server.handler.recipients()) == Counter(addresses)
    assert states() == {State.SENT: 25}


def test_550_fails_at_once_with_the_reply_stored(smtp_server, time_machine):
    good, bad = queue(2)
    smtp_server.handler.always_refuse[bad] = "550 5.1.1 <reader1@example.org>: no such user"
    counts = deliver_due()
    assert counts["sent"] == 1 and counts["failed"] == 1
    failed = OutgoingEmail.objects.get(recipient=bad)
    assert failed.state == State.FAILED
    assert failed.last_reply == "550 5.1.1 <reader1@example.org>: no such user"
    time_machine.move_to(timezone.now() + dt.timedelta(hours=3), tick=False)
    assert deliver_due()["sent"] == 0
    assert smtp_server.handler.recipients() == [good]


def test_an_address_refused_twice_is_suppressed_until_cleared(
    smtp_server, django_capture_on_commit_callbacks
):
    bad = "gone@example.org"
    smtp_server.handler.always_refuse[bad] = "550 5.1.1 no such user"
    for _ in range(2):
        queue(to=[bad])
        deliver_due()
    bounce = BouncedAddress.objects.get(address=bad)
    assert bounce.is_suppressed and bounce.permanent_failures == 2
    queue(to=[bad.upper()])  # addresses compare without case
    assert deliver_due()["suppressed"] == 1
    third = OutgoingEmail.objects.get(recipient=bad.upper())
    assert third.state == State.SUPPRESSED

    del smtp_server.handler.always_refuse[bad]
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.clear_suppression([bad]) == 1
    # The immediate task backend sent it once the officer's action committed.
    third.refresh_from_db()
    assert third.state == State.SENT
    assert smtp_server.handler.recipients() == [bad.upper()]


def test_temporary_failures_are_retried_for_a_day_before_failing(smtp_server, time_machine):
    [address] = queue(1)
    smtp_server.handler.always_refuse[address] = "452 4.2.2 mailbox full"
    first_try = timezone.now()
    tries = 0
    while True:
        deliver_due()
        tries += 1
        email = OutgoingEmail.objects.get()
        if email.state != State.PENDING:
            break
        assert timezone.now() - first_try < dt.timedelta(hours=25)
        time_machine.move_to(email.next_try_at, tick=False)
    assert email.state == State.FAILED
    assert email.last_reply == "452 4.2.2 mailbox full"
    assert timezone.now() - first_try >= dt.timedelta(hours=24)
    assert email.attempts == tries
    assert not BouncedAddress.objects.exists(), "a temporary failure is not a bounce"


def test_the_backoff_starts_at_a_minute_and_doubles():
    assert [retry_delay(n) for n in range(1, 5)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(9) == dt.timedelta(hours=2)
    assert retry_delay(100) is None


class Killed(BaseException):
    """What SIGKILL does to a worker: nothing after it runs, nothing is caught."""


def test_a_worker_killed_mid_batch_repeats_at_most_the_message_in_flight(
    smtp_server, time_machine, monkeypatch
):
    addresses = queue(10)
    record_sent = delivery._record_sent

    def killed_after_the_server_took_the_fifth(claim, email, now):
        # Between the server's "250" and the row's update: the window a kill -9 can hit.
        if email.recipient == addresses[4]:
            raise Killed
        record_sent(claim, email, now)

    monkeypatch.setattr(delivery, "_record_sent", killed_after_the_server_took_the_fifth)
    killed_at = timezone.now()
    with pytest.raises(Killed):
        jobs.run_due_jobs(names=["mail.deliver"])
    monkeypatch.setattr(delivery, "_record_sent", record_sent)
    assert states() == {State.SENT: 4, State.SENDING: 6}
    # Nobody takes the dead worker's batch while its lease lasts; then the minute job does
    # (here the worst case: the lease had just begun, and so had the job's minute).
    assert deliver_due()["sent"] == 0
    while OutgoingEmail.objects.waiting().exists():
        time_machine.move_to(timezone.now() + dt.timedelta(minutes=1), tick=False)
        jobs.run_due_jobs(names=["mail.deliver"])
    assert timezone.now() - killed_at <= dt.timedelta(minutes=2)
    received = Counter(smtp_server.handler.recipients())
    assert received == Counter(addresses) + Counter([addresses[4]])
    assert states() == {State.SENT: 10}


def test_a_slow_worker_keeps_its_batch_by_renewing_the_lease(
    smtp_server, time_machine, monkeypatch
):
    addresses = queue(10)
    record_sent = delivery._record_sent
    taken_by_another = []

    def twenty_seconds_per_message(claim, email, now):
        record_sent(claim, email, now)
        time_machine.move_to(timezone.now() + dt.timedelta(seconds=20), tick=False)
        taken_by_another.extend(claim_batch(10)[2])

    monkeypatch.setattr(delivery, "_record_sent", twenty_seconds_per_message)
    assert deliver_due()["sent"] == 10  # 200 seconds, four times the lease
    assert taken_by_another == []
    assert Counter(smtp_server.handler.recipients()) == Counter(addresses)


def test_a_worker_that_lost_its_lease_leaves_the_emails_another_took():
    queue(4)
    claim, _, rows = claim_batch(4)
    OutgoingEmail.objects.filter(pk__in=[rows[1].pk, rows[2].pk]).update(claim="another")
    _, kept = delivery.renew_lease(claim, rows)
    assert [row.pk for row in kept] == [rows[0].pk, rows[3].pk]


def test_two_workers_never_claim_the_same_email():
    queue(5)
    _, _, first = claim_batch(3)
    _, _, second = claim_batch(3)
    assert len(first) == 3 and len(second) == 2
    assert not {row.pk for row in first} & {row.pk for row in second}
    assert claim_batch(3)[2] == []


def test_rolled_back_changes_send_nothing(smtp_server, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue(2)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not OutgoingEmail.objects.exists()
    assert smtp_server.handler.received == []


def test_attachments_and_alternatives_arrive(smtp_server):
    content = mail.store_content(
        mail.RenderedEmail(subject="Invitation", text="Come.\n", html="<p>Come.</p>"),
        alternatives=[("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        attachments=[("agenda.pdf", b"%PDF-1.4 binary \x00\xff", "application/pdf")],
        headers={"X-WMASN": "yes"},
    )
    mail.queue_emails(content, ["member@example.org"])
    deliver_due()
    [(_, raw)] = smtp_server.handler.received
    message = email.message_from_bytes(raw)
    assert message["X-WMASN"] == "yes"
    assert message["Message-ID"].startswith("<wmasn.")
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar", "application/pdf"} <= set(types)
    [pdf] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_payload(decode=True) == b"%PDF-1.4 binary \x00\xff"


@pytest.mark.parametrize("long_lines", [False, True])
def test_each_recipient_gets_their_own_values_in_text_html_and_headers(smtp_server, long_lines):
    marker = mail.placeholder("unsubscribe_url")
    # Lines over 998 characters (inlined CSS) make the HTML quoted-printable.
    padding = "x" * 1200 if long_lines else ""
    content = mail.store_content(
        mail.RenderedEmail(
            subject="News",
            text=f"Unsubscribe: {marker}\n",
            html=f'<p>{padding}<a href="{marker}">Unsubscribe</a></p>',
        ),
        headers={"List-Unsubscribe": f"<{marker}>"},
    )
    links = {
        "a@example.org": "https://portal.example.org/u/a/?x=1&y=2",
        "b@example.org": "https://portal.example.org/u/b/?x=3&y=4",
    }
    mail.queue_emails(content, [(address, {marker: link}) for address, link in links.items()])
    assert deliver_due()["sent"] == 2
    ids = set()
    for recipient, raw in smtp_server.handler.received:
        message = email.message_from_bytes(raw)
        link = links[recipient]
        assert message["To"] == recipient
        assert message["List-Unsubscribe"] == f"<{link}>"
        text, html = (
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if not part.is_multipart()
        )
        assert f"Unsubscribe: {link}" in text
        assert f'href="{link.replace("&", "&amp;")}"' in html
        assert "wmasn-" not in raw.decode().replace(message["Message-ID"], "")
        ids.add(message["Message-ID"])
    assert len(ids) == 2


def test_lines_starting_with_a_dot_arrive_intact(smtp_server):
    text = "Agenda\n.1 Welcome\n..2 Minutes\n.\nEnd\n"
    content = mail.store_content(mail.RenderedEmail(subject="Agenda", text=text))
    mail.queue_emails(content, ["member@example.org"])
    deliver_due()
    [(_, raw)] = smtp_server.handler.received
    body = email.message_from_bytes(raw).get_payload(decode=True).decode()
    assert body.replace("\r\n", "\n") == text


class CountingBackend(BaseEmailBackend):
    """Any Django email backend (django-anymail's, say): it is opened once per run."""

    opened = 0
    sent = []

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        CountingBackend.sent.extend(messages)
        return len(messages)


@pytest.fixture
def counting_backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened, CountingBackend.sent = 0, []
    return CountingBackend


def test_any_django_email_backend_sends_the_outbox(counting_backend):
    addresses = queue(250)  # three batches
    assert deliver_due()["sent"] == 250
    assert counting_backend.opened == 1
    assert [message.to for message in counting_backend.sent] == [[a] for a in addresses]
    assert all(message.subject == "News" for message in counting_backend.sent)


def test_a_backend_that_sends_nothing_is_a_temporary_failure(counting_backend, monkeypatch):
    queue(1)
    monkeypatch.setattr(CountingBackend, "send_messages", lambda self, messages: 0)
    assert deliver_due()["deferred"] == 1
    email = OutgoingEmail.objects.get()
    assert email.state == State.PENDING
    assert email.last_reply == "NothingSent: The email backend sent nothing."

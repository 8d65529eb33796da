"""Emailing an issue: one Delivery per recipient, sent through the outbox in batches.

`queue_issue` is what the admin calls: it records who gets the issue (one Delivery each,
never two for an address). Once the issue is published, `send_issue` (a task right after
the officer's action, or the minute job for a scheduled issue) renders the issue once and
writes one outbox email per waiting delivery, in batches; the mail worker sends them over
one connection and retries temporary failures for a day (`wmasn.mail.delivery`). A
Delivery's status follows its email: waiting, sent or failed.
"""

import logging

from django.db import transaction
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django_tasks import task

from network import notifications
from network.models import User
from wmasn import mail
from wmasn.mail.delivery import retry as retry_emails
from wmasn.mail.models import OutgoingEmail

from . import emails
from .audiences import recipients_for
from .models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)

EMAIL_KIND = notifications.Kind.NEWSLETTER
# Deliveries turned into outbox emails per transaction.
PREPARE_BATCH = 500
UNSUBSCRIBE_MARKER = mail.placeholder("unsubscribe_url")
# Why this reader gets the email: a member, or a public subscriber.
REASON_MARKER = mail.placeholder("reason")
MEMBER_REASON = (
    "You receive this because you are a member of the West Midlands Anti Slavery Network."
)
SUBSCRIBER_REASON = (
    "You receive this because you subscribed to the West Midlands Anti Slavery Network "
    "newsletter on its website."
)


def queue_issue(issue):
    """Create a waiting Delivery for each recipient of the issue's audience
    (newsletters.audiences: members, a sector, a group, or also public subscribers).

    Idempotent: the (issue, email) constraint makes a second call add only new recipients.
    A published issue starts going out once the transaction commits; a scheduled one at
    its publish time. Returns how many deliveries were added.
    """
    if issue.status != Issue.Status.PUBLISHED:
        raise ValueError("Only a published or scheduled issue can be sent.")
    before = Delivery.objects.filter(issue=issue).count()
    Delivery.objects.bulk_create(
        [
            Delivery(issue=issue, user_id=r.user_id, subscriber_id=r.subscriber_id, email=r.email)
            for r in recipients_for(issue)
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    if issue.is_published:
        transaction.on_commit(lambda: send_issue_task.enqueue(issue.pk))
    return Delivery.objects.filter(issue=issue).count() - before


def queue_counts(issue):
    """(recipients, already queued): who the issue's audience is now, and how many of them
    already have a Delivery, so queue_issue would add the difference."""
    recipients = {r.email for r in recipients_for(issue)}
    queued = set(Delivery.objects.filter(issue=issue).values_list("email", flat=True))
    return len(recipients), len(recipients & queued)


def drop_waiting(*, user, email_ids=()):
    """A member unsubscribed (network.notifications.unsubscribe): their deliveries not sent
    yet go, and with them their emails still in the outbox (signals.py)."""
    Delivery.objects.filter(Q(user=user) | Q(message_id__in=email_ids)).exclude(
        status=Delivery.Status.SENT
    ).delete()


def waiting_deliveries(issue=None):
    """Deliveries with no email yet, of issues that are live, to users still subscribed
    or to confirmed public subscribers."""
    waiting = Delivery.objects.filter(
        Q(user__in=User.objects.wanting(notifications.Kind.NEWSLETTER))
        | Q(subscriber__isnull=False, subscriber__confirmed_at__isnull=False),
        status=Delivery.Status.PENDING,
        message__isnull=True,
        issue__in=Issue.objects.published(),
    )
    if issue is not None:
        waiting = waiting.filter(issue=issue)
    return waiting


def render_issue(issue):
    """The issue's email (newsletters.emails), rendered once, with markers where each
    reader's own unsubscribe link and reason go."""
    return mail.store_content(
        emails.render_issue(issue, unsubscribe_url=UNSUBSCRIBE_MARKER, reason=REASON_MARKER),
        headers=notifications.unsubscribe_headers(UNSUBSCRIBE_MARKER),
    )


def _personal(user_id, subscriber_id):
    """The per-reader values of one delivery: its unsubscribe link and why it is sent."""
    if subscriber_id:
        reader, reason = Subscriber(pk=subscriber_id), SUBSCRIBER_REASON
    else:
        reader, reason = User(pk=user_id), MEMBER_REASON
    url = notifications.unsubscribe_url(reader, EMAIL_KIND)
    return {UNSUBSCRIBE_MARKER: url, REASON_MARKER: reason}


def send_issue(issue):
    """Put one outbox email per waiting delivery of a published issue; returns how many.

    Batches of PREPARE_BATCH, each in one transaction that locks the issue, so two runs at
    once (the task and the minute job) never give a delivery two emails.
    """
    content = None
    queued = 0
    while True:
        with transaction.atomic():
            if not Issue.objects.select_for_update().filter(pk=issue.pk).exists():
                return queued
            batch = list(
                waiting_deliveries(issue)
                .order_by("pk")
                .values_list("pk", "user_id", "subscriber_id", "email")[:PREPARE_BATCH]
            )
            if not batch:
                return queued
            if content is None:
                content = render_issue(issue)
            mail.queue_emails(
                content,
                [
                    (email, _personal(user_id, subscriber_id))
                    for _pk, user_id, subscriber_id, email in batch
                ],
                kind=EMAIL_KIND,
            )
            # One UPDATE links the batch: within one rendering an address has one email.
            Delivery.objects.filter(pk__in=[pk for pk, *_rest in batch]).update(
                message=Subquery(
                    OutgoingEmail.objects.filter(
                        content=content, recipient=OuterRef("email")
                    ).values("pk")[:1]
                )
            )
            queued += len(batch)


@task()
def send_issue_task(issue_pk):
    issue = Issue.objects.filter(pk=issue_pk).first()
    if issue is not None:
        return send_issue(issue)
    return 0


def send_published_issues():
    """Issues whose publish time has come, with deliveries waiting: send them."""
    issues = Issue.objects.published().filter(pk__in=waiting_deliveries().values("issue_id"))
    return sum(send_issue(issue) for issue in issues)


def _from_message(field, expression=None):
    messages = OutgoingEmail.objects.filter(pk=OuterRef("message_id"))
    if expression is not None:
        messages = messages.annotate(value=expression)
        field = "value"
    return Subquery(messages.values(field)[:1])


def sync_delivery_states(message_ids=None):
    """Copy each delivery's status, attempts, error and time from its outbox email."""
    State = OutgoingEmail.State
    deliveries = Delivery.objects.exclude(message=None)
    if message_ids is None:
        deliveries = deliveries.filter(status=Delivery.Status.PENDING)
    else:
        deliveries = deliveries.filter(message_id__in=message_ids)
    status = Case(
        When(state=State.SENT, then=Value(Delivery.Status.SENT)),
        When(state__in=[State.FAILED, State.SUPPRESSED], then=Value(Delivery.Status.FAILED)),
        default=Value(Delivery.Status.PENDING),
    )
    return deliveries.update(
        status=_from_message("state", status),
        attempts=_from_message("attempts"),
        last_error=_from_message("last_reply"),
        sent_at=_from_message("sent_at"),
    )


def retry_failed(deliveries):
    """Send failed deliveries again; returns how many."""
    failed = deliveries.filter(status=Delivery.Status.FAILED)
    message_ids = list(failed.exclude(message=None).values_list("message_id", flat=True))
    issue_ids = set(failed.filter(message=None).values_list("issue_id", flat=True))
    count = failed.update(status=Delivery.Status.PENDING)
    retry_emails(OutgoingEmail.objects.filter(pk__in=message_ids))
    for issue_id in issue_ids:
        transaction.on_commit(lambda issue_id=issue_id: send_issue_task.enqueue(issue_id))
    return count

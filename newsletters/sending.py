"""Emailing an issue: queue one Delivery per recipient, then send them outside the request.

`queue_issue` is what the admin calls; `send_pending` is what the `send_newsletter` command
(cron) calls. A Delivery marked sent is never sent again, so running either twice is safe.
"""

import logging

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from network.models import Membership, User
from wmasn import mail
from wmasn.links import absolute_reverse, absolute_url

from .models import Delivery, Issue

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
# A failed delivery is retried by cron this many times; the admin's "retry" starts it again.
MAX_AUTOMATIC_ATTEMPTS = 3
ERROR_MAX_LENGTH = 1000


def recipients():
    """Active users who are members or officers and have not opted out of newsletters."""
    members = Membership.objects.approved().values("user_id")
    officers = User.objects.officers().values("pk")
    return User.objects.filter(is_active=True, newsletter_opt_out=False).filter(
        Q(pk__in=members) | Q(pk__in=officers)
    )


def queue_issue(issue):
    """Create a pending Delivery for each recipient's verified primary address.

    Idempotent: the (issue, email) constraint makes a second call add only new recipients.
    Returns how many deliveries were added.
    """
    if issue.status != Issue.Status.PUBLISHED:
        raise ValueError("Only a published or scheduled issue can be sent.")
    addresses = EmailAddress.objects.filter(
        primary=True, verified=True, user__in=recipients()
    ).values_list("user_id", "email")
    before = Delivery.objects.filter(issue=issue).count()
    Delivery.objects.bulk_create(
        [
            Delivery(issue=issue, user_id=user_id, email=email.lower())
            for user_id, email in addresses
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    return Delivery.objects.filter(issue=issue).count() - before


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe_token(token):
    """The user a token was made for, or None when the token is forged or the user gone."""
    try:
        user_pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=user_pk).first()


def unsubscribe_url(user):
    return absolute_reverse("newsletters:unsubscribe", unsubscribe_token(user))


def unsubscribe(user):
    """Opt the user out and drop their deliveries that have not gone yet."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(newsletter_opt_out=True)
        Delivery.objects.filter(user=user).exclude(status=Delivery.Status.SENT).delete()


def due_deliveries(issue=None):
    """Deliveries to send now: pending ones, and failed ones not yet retried too often,
    of issues that are live, to users still subscribed."""
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING)
        | Q(status=Delivery.Status.FAILED, attempts__lt=MAX_AUTOMATIC_ATTEMPTS),
        issue__in=Issue.objects.published(),
        user__isnull=False,
        user__is_active=True,
        user__newsletter_opt_out=False,
    )
    if issue is not None:
        due = due.filter(issue=issue)
    return due


def build_message(delivery, connection=None):
    """The email for one delivery: plain text, HTML, and RFC 8058 one-click unsubscribe."""
    issue = delivery.issue
    context = {
        "issue": issue,
        "sections": list(issue.sections.select_related("agency", "event")),
        "issue_url": absolute_url(issue.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url(delivery.user),
    }
    message = mail.build_message(
        mail.render_email("newsletters/email/issue", context),
        to=delivery.email,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.connection = connection
    return message


def send_pending(issue=None, *, limit=None, connection=None):
    """Send due deliveries one at a time; returns (sent, failed) counts.

    Each delivery is locked while it is sent (skip_locked on PostgreSQL), so two senders
    running at once never pick the same row, and a row marked sent is never picked again.
    """
    ids = list(due_deliveries(issue).order_by("pk").values_list("pk", flat=True)[:limit])
    connection = connection or get_connection()
    sent = failed = 0
    try:
        # One connection for the batch; if it will not open, each send retries and fails alone.
        connection.open()
    except Exception as error:  # noqa: BLE001
        logger.warning("Could not open the email connection: %s", error)
    try:
        for pk in ids:
            sent_one = _send_one(pk, issue, connection)
            if sent_one is True:
                sent += 1
            elif sent_one is False:
                failed += 1
    finally:
        connection.close()
    return sent, failed


def _send_one(pk, issue, connection):
    """Send one delivery under a row lock: True if sent, False if failed, None if skipped."""
    with transaction.atomic():
        delivery = (
            due_deliveries(issue)
            .select_related("issue", "user")
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk)
            .first()
        )
        if delivery is None:
            return None  # Another sender has it, or it was sent or dropped meanwhile.
        delivery.attempts += 1
        try:
            build_message(delivery, connection=connection).send()
        except Exception as error:  # noqa: BLE001 - any failure is recorded for a retry
            logger.warning("Newsletter delivery %s failed: %s", delivery.pk, error)
            delivery.status = Delivery.Status.FAILED
            delivery.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
            result = False
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            result = True
        delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return result


def retry_failed(deliveries):
    """Put failed deliveries back in the queue; returns how many."""
    return deliveries.filter(status=Delivery.Status.FAILED).update(status=Delivery.Status.PENDING)

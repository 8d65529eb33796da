"""Public subscription: double opt-in, one-click unsubscribe, and forgetting on request.

A sign-up stores the name, address and organisation unconfirmed and emails a signed link;
the click on it is the consent, and its time is stored. Subscribers unsubscribe through the
link every email of a kind carries (network.notifications, where they are registered below):
for them, unsubscribing deletes the subscriber altogether: unsent emails are dropped and sent
ones keep no address.
"""

import datetime as dt

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from network import notifications
from wmasn.links import absolute_reverse
from wmasn.mail import send_email
from wmasn.mail.models import OutgoingEmail

from .models import Delivery, Subscriber

CONFIRM_SALT = "newsletters.subscribe.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
FORGOTTEN_EMAIL_DOMAIN = "deleted.invalid"
CONFIRM_KIND = "newsletter-subscription"


def confirm_url(subscriber):
    token = signing.dumps([subscriber.pk, subscriber.email], salt=CONFIRM_SALT)
    return absolute_reverse("newsletters:subscribe-confirm", token)


def unsubscribe_url(subscriber):
    return notifications.unsubscribe_url(subscriber, notifications.Kind.NEWSLETTER)


@transaction.atomic
def subscribe(*, name, email, organisation=""):
    """Record a sign-up and email the confirmation link. Says nothing about whether the
    address was known: a confirmed subscriber is told so by email instead."""
    email = email.strip().lower()
    purge_unconfirmed()
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is None:
        subscriber = Subscriber(email=email)
    if subscriber.is_confirmed:
        send_email(
            "newsletters/email/already_subscribed",
            to=email,
            context={"subscriber": subscriber, "unsubscribe_url": unsubscribe_url(subscriber)},
            kind=CONFIRM_KIND,
        )
        return subscriber
    subscriber.name, subscriber.organisation = name.strip(), organisation.strip()
    subscriber.full_clean()
    subscriber.save()
    send_email(
        "newsletters/email/confirm_subscription",
        to=email,
        context={"subscriber": subscriber, "confirm_url": confirm_url(subscriber)},
        kind=CONFIRM_KIND,
    )
    return subscriber


def purge_unconfirmed(*, now=None):
    """Delete sign-ups never confirmed whose link has expired: at every sign-up, and daily
    (newsletters/jobs.py)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=CONFIRM_MAX_AGE)
    Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()


def confirm(token, *, now=None):
    """Confirm the subscription a link was made for; None if the link is bad or too old."""
    try:
        pk, email = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    subscriber = Subscriber.objects.filter(pk=pk, email=email).first()
    if subscriber is not None and not subscriber.is_confirmed:
        subscriber.confirmed_at = now or timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


@transaction.atomic
def forget(subscriber):
    """Unsubscribe and forget: the subscriber row goes, unsent emails go (their outbox rows
    are not sent), sent ones are kept for the counts without the address, in the deliveries
    and in the outbox alike (as account deletion does for members)."""
    deliveries = Delivery.objects.filter(subscriber=subscriber)
    outbox = OutgoingEmail.objects.filter(
        Q(pk__in=deliveries.exclude(message=None).values("message_id"))
        | Q(kind=CONFIRM_KIND, recipient__iexact=subscriber.email)
    )
    outbox.filter(state__in=[OutgoingEmail.State.PENDING, OutgoingEmail.State.SENDING]).update(
        state=OutgoingEmail.State.FAILED, last_reply="Not sent: the subscriber unsubscribed."
    )
    # One address per subscriber is unique per issue, as the deliveries' key needs.
    tombstone = f"forgotten-subscriber-{subscriber.pk}@{FORGOTTEN_EMAIL_DOMAIN}"
    outbox.update(recipient=tombstone, substitutions={})
    deliveries.exclude(status=Delivery.Status.SENT).delete()
    deliveries.update(email=tombstone, last_error="")
    Subscriber.objects.filter(pk=subscriber.pk).delete()


# Subscribers get only the newsletter; unsubscribing forgets them (unconfirmed ones too).
SUBSCRIBERS = notifications.Recipients(
    key="s",
    model=Subscriber,
    kinds=frozenset({notifications.Kind.NEWSLETTER}),
    find=lambda pk: Subscriber.objects.filter(pk=pk).first(),
    wants=lambda subscriber, kind: subscriber.is_confirmed,
    stop=lambda subscriber, kind: forget(subscriber),
    forgets=True,
)


def export(subscribers):
    """Public subscriptions as JSON-ready data, for "download my data"."""
    return [
        {
            "name": subscriber.name,
            "email": subscriber.email,
            "organisation": subscriber.organisation,
            "signed_up_at": subscriber.created_at.isoformat(),
            "consent_given_at": subscriber.confirmed_at and subscriber.confirmed_at.isoformat(),
            "deliveries": [
                {
                    "issue": d.issue.title,
                    "status": d.status,
                    "sent_at": d.sent_at and d.sent_at.isoformat(),
                }
                for d in subscriber.deliveries.all()
            ],
        }
        for subscriber in subscribers.prefetch_related("deliveries__issue")
    ]

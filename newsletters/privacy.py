"""The newsletters app's part of "download my data" and of account deletion."""

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.db.models.functions import Lower

from network.privacy import eraser, exporter, iso
from newsletters import subscriptions
from newsletters.models import Delivery, Issue, Section, Subscriber


@exporter("newsletter_sections_written")
def export_sections(user):
    return [
        {"issue": s.issue.title, "heading": s.heading, "body": s.body}
        for s in Section.objects.filter(author=user).select_related("issue")
    ]


@exporter("newsletter_issues_created")
def export_issues(user):
    return [
        {"title": i.title, "issue_date": iso(i.issue_date)}
        for i in Issue.objects.filter(created_by=user)
    ]


@exporter("newsletter_deliveries")
def export_deliveries(user):
    return [
        {
            "issue": d.issue.title,
            "email": d.email,
            "status": d.status,
            "created_at": iso(d.created_at),
            "sent_at": iso(d.sent_at),
        }
        for d in Delivery.objects.filter(user=user).select_related("issue")
    ]


@eraser
def erase_deliveries(*, user, now, tombstone_email):
    # Unsent newsletters must never reach them; sent ones stay counted, without the address.
    Delivery.objects.filter(user=user).exclude(status=Delivery.Status.SENT).delete()
    Delivery.objects.filter(user=user).update(email=tombstone_email, last_error="")


def _subscriptions_of(user):
    """Public subscriptions of any address the user has given the portal, in one query."""
    others = EmailAddress.objects.filter(user=user).annotate(lower=Lower("email")).values("lower")
    return Subscriber.objects.filter(Q(email=user.email.lower()) | Q(email__in=others))


@exporter("newsletter_public_subscriptions")
def export_subscriptions(user):
    return subscriptions.export(_subscriptions_of(user))


@eraser
def erase_subscriptions(*, user, now, tombstone_email):
    # Deleting an account forgets a public subscription of any of its addresses too.
    for subscriber in _subscriptions_of(user):
        subscriptions.forget(subscriber)

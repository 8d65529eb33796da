"""Which kinds of email a member gets, and the one-click unsubscribe link of each kind.

Every app that emails members by kind asks `wanting(users, kind)` who still wants it and puts
`unsubscribe_headers(user, kind)` (RFC 8058) on the message. A cancellation of a meeting the
member said they would attend is not a kind: it is always sent.
"""

from django.core import signing
from django.db import models, transaction

from network.models import PREFERENCE_FIELDS, NotificationPreferences, User
from wmasn.links import absolute_reverse

UNSUBSCRIBE_SALT = "network.unsubscribe"


class Kind(models.TextChoices):
    NEWSLETTER = "newsletter", "the newsletter"
    MEETINGS = "meetings", "meeting announcements and changes"
    REMINDERS = "reminders", "meeting reminders"
    PLEDGE_REMINDERS = "pledge-reminders", "pledge reminders"
    ACTION_REMINDERS = "action-reminders", "action reminders"


def wanting(users, kind):
    """The users of this queryset who have not switched this kind of email off (with their
    preferences joined in, for `wants_invitations`)."""
    return users.wanting(Kind(kind)).select_related("notification_preferences")


def preferences_for(user):
    """The user's preferences (unsaved defaults when they never chose)."""
    try:
        return user.notification_preferences
    except NotificationPreferences.DoesNotExist:
        return NotificationPreferences(user=user)


def wants_invitations(user):
    """Whether meeting emails to this user carry a calendar invitation (iMIP)."""
    return preferences_for(user).calendar_invitations


def is_wanted(user, kind):
    if kind == Kind.NEWSLETTER:
        return not user.newsletter_opt_out
    return User.objects.filter(pk=user.pk).wanting(kind).exists()


@transaction.atomic
def switch(user, kind, *, on):
    """Turn one kind of email on or off for the user."""
    if kind == Kind.NEWSLETTER:
        User.objects.filter(pk=user.pk).update(newsletter_opt_out=not on)
        user.newsletter_opt_out = not on
        return
    preferences, _ = NotificationPreferences.objects.update_or_create(
        user=user, defaults={PREFERENCE_FIELDS[kind]: on}
    )
    user.notification_preferences = preferences


def unsubscribe_token(user, kind):
    return signing.dumps({"u": user.pk, "k": str(kind)}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(user, kind) from a token, or None when it is forged or the user is gone."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = Kind(data["k"])
        user_pk = int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    return (user, kind) if user else None


def unsubscribe_url(user, kind):
    return absolute_reverse("network:unsubscribe", unsubscribe_token(user, kind))


def unsubscribe_headers(user, kind):
    """RFC 8058 one-click unsubscribe for this kind of email."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }

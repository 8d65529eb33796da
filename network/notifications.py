"""Which kinds of email a person gets, and the one unsubscribe link that every kind carries.

Every sender asks `User.objects.wanting(kind)` who still wants a kind (`wanting(users, kind)`
is the same rule with the preferences joined in, for `wants_invitations`), puts
`unsubscribe_url(recipient, kind)` in the email and `unsubscribe_headers(url)` (RFC 8058) on
it. The link is signed, names the kind, and needs no login: `network.views.unsubscribe` asks
on GET and HEAD and acts on POST, the mail client's one click included, through
`unsubscribe()`, the one thing unsubscribing does.

Public newsletter subscribers are not users: the newsletters app registers them as
`Recipients` (as it registers its part of the privacy registry), so the same link, view and
`unsubscribe()` serve them. A cancellation of a meeting the member said they would attend is
not a kind: it is always sent.
"""

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import models, transaction
from django.dispatch import Signal

from network.models import PREFERENCE_FIELDS, NotificationPreferences, User
from wmasn.links import absolute_reverse
from wmasn.mail.delivery import cancel_emails
from wmasn.mail.models import OutgoingEmail

UNSUBSCRIBE_SALT = "network.unsubscribe"
# Links emailed before one link served every kind: the newsletter's own, for members and for
# public subscribers, signed with a bare primary key. They keep working.
LEGACY_NEWSLETTER_SALTS = {
    "newsletters.unsubscribe": "u",
    "newsletters.subscriber.unsubscribe": "s",
}

# Sent inside `unsubscribe()` after the choice is recorded, before the waiting outbox emails
# (`email_ids`) are dropped: an app that keeps its own records of them drops those first.
unsubscribed = Signal()  # sender=the recipient's model; recipient=, kind=, email_ids=


class Kind(models.TextChoices):
    NEWSLETTER = "newsletter", "the newsletter"
    MEETINGS = "meetings", "meeting announcements and changes"
    REMINDERS = "reminders", "meeting reminders"
    PLEDGE_REMINDERS = "pledge-reminders", "pledge reminders"
    ACTION_REMINDERS = "action-reminders", "action reminders"


def wanting(users, kind):
    """`users.wanting(kind)` with their preferences joined in (for `wants_invitations`)."""
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


@transaction.atomic
def switch(user, kind, *, on):
    """Turn one kind of email on or off for the user."""
    preferences, _ = NotificationPreferences.objects.update_or_create(
        user=user, defaults={PREFERENCE_FIELDS[Kind(kind)]: on}
    )
    user.notification_preferences = preferences


@transaction.atomic
def save_choices(form):
    """Save the email choices page (NotificationPreferencesForm); a kind turned off there
    stops as its unsubscribe link would stop it."""
    turned_off = [
        kind
        for kind in Kind
        if PREFERENCE_FIELDS[kind] in form.changed_data
        and not form.cleaned_data[PREFERENCE_FIELDS[kind]]
    ]
    preferences = form.save()
    for kind in turned_off:
        unsubscribe(preferences.user, kind)
    return preferences


# Who an unsubscribe link names -------------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    """A kind of person that emails go to, as unsubscribe links name them: `key` and the
    primary key are the link's payload; `find(pk)` gives the person or None once they are
    gone, `wants(person, kind)` whether they still get that kind, `stop(person, kind)`
    records that they want no more of it; `forgets` says that stopping deletes the person
    (a public subscriber), which the page says before and after."""

    key: str
    model: Any
    kinds: frozenset
    find: Any
    wants: Any
    stop: Any
    forgets: bool = False


_recipients = {}


def register_recipients(recipients):
    """Called from an app's ready(), so this module never imports an app above it."""
    _recipients[recipients.key] = recipients


def _recipients_of(person):
    for recipients in _recipients.values():
        if isinstance(person, recipients.model):
            return recipients
    raise TypeError(f"No unsubscribe link for a {type(person).__name__}.")


register_recipients(
    Recipients(
        key="u",
        model=User,
        kinds=frozenset(Kind),
        # A deleted account is an anonymous tombstone: there is nobody left to ask.
        find=lambda pk: User.objects.filter(pk=pk, deleted_at__isnull=True).first(),
        wants=lambda user, kind: User.objects.filter(pk=user.pk).wanting(kind).exists(),
        stop=lambda user, kind: switch(user, kind, on=False),
    )
)


# The link ------------------------------------------------------------------------------------


def unsubscribe_token(person, kind):
    """The signed payload of `person`'s link for `kind`; never expires (it is in old emails)."""
    key = _recipients_of(person).key
    return signing.dumps({key: person.pk, "k": str(Kind(kind))}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(person, kind):
    return absolute_reverse("network:unsubscribe", unsubscribe_token(person, kind))


def unsubscribe_headers(url):
    """RFC 8058 one-click unsubscribe for an email whose unsubscribe link is `url`: the mail
    client POSTs `List-Unsubscribe=One-Click` to it."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@dataclass(frozen=True)
class Link:
    """What a valid unsubscribe link names; `person` is None when they are gone (a deleted
    account, a forgotten subscriber): the portal already emails them nothing."""

    kind: Kind
    person: Any
    recipients: Recipients


def _payload(token):
    """(key, pk, kind) of a link of any format, or None when it is not one the portal made."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        data = None
    if data is not None:
        try:
            [(key, pk)] = [(key, value) for key, value in data.items() if key != "k"]
            return key, int(pk), Kind(data["k"])
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
    for salt, key in LEGACY_NEWSLETTER_SALTS.items():
        try:
            return key, int(signing.loads(token, salt=salt)), Kind.NEWSLETTER
        except signing.BadSignature:
            continue
        except (TypeError, ValueError):
            return None
    return None


def read_unsubscribe_link(token):
    """The Link a token names, or None when it is forged, tampered with or names a kind
    that person cannot get."""
    payload = _payload(token)
    if payload is None:
        return None
    key, pk, kind = payload
    recipients = _recipients.get(key)
    if recipients is None or kind not in recipients.kinds:
        return None
    return Link(kind=kind, person=recipients.find(pk), recipients=recipients)


@transaction.atomic
def unsubscribe(person, kind):
    """What every unsubscribe does, for a user or a public subscriber: that kind of email
    stops, including those of that kind still waiting in the outbox for their address."""
    kind = Kind(kind)
    recipients = _recipients_of(person)
    email_ids = list(
        OutgoingEmail.objects.filter(
            kind=kind, state=OutgoingEmail.State.PENDING, recipient__iexact=person.email
        ).values_list("pk", flat=True)
    )
    recipients.stop(person, kind)
    unsubscribed.send(sender=recipients.model, recipient=person, kind=kind, email_ids=email_ids)
    cancel_emails(email_ids)

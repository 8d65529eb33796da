"""Data protection (UK GDPR): export a person's data, delete their account, retention."""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from network.models import Agency, GroupMembership, Membership, NotificationPreferences, User

# Retention periods, stated on /privacy/ and enforced by the code named beside them.
UNVERIFIED_SIGNUP_DAYS = 30  # purge_unverified_signups, run daily from cron
BACKUP_KEEP_DAYS = 35  # backup_database --keep-days, run nightly from cron

DELETED_EMAIL_DOMAIN = "deleted.invalid"

# The registry: each app contributes its part of "download my data" and of account deletion,
# from its AppConfig.ready(), so this module never imports an app above it.
_exporters = {}
_erasers = []


def exporter(key):
    """Register `func(user)` as the part of the data download under `key`."""

    def register(func):
        _exporters[key] = func
        return func

    return register


def eraser(func):
    """Register `func(user=, now=, tombstone_email=)`, run inside account deletion."""
    _erasers.append(func)
    return func


def iso(value):
    return value.isoformat() if value else None


def export_user_data(user):
    """Everything the portal holds about this user, as JSON-ready data (one query per kind)."""
    memberships = Membership.objects.filter(user=user).select_related("agency")
    group_memberships = GroupMembership.objects.filter(user=user).select_related("group")
    preferences = NotificationPreferences.objects.filter(user=user).first()
    data = {
        "exported_at": iso(timezone.now()),
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
            "phone": user.phone,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
            "is_staff": user.is_staff,
            "groups": [group.name for group in user.groups.all()],
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "mfa_authenticators": [
            # The type and dates only: the secrets themselves never leave the server.
            {"type": a.type, "created_at": iso(a.created_at), "last_used_at": iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "memberships": [
            {
                "agency": m.agency.name,
                "status": m.status,
                "role": m.role,
                "requested_at": iso(m.requested_at),
                "decided_at": iso(m.decided_at),
                "auto_approved": m.auto_approved,
                "ended_at": iso(m.ended_at),
            }
            for m in memberships
        ],
        "working_groups": [
            {
                "group": gm.group.name,
                "joined_at": iso(gm.joined_at),
                "show_in_calendar": gm.show_in_calendar,
            }
            for gm in group_memberships
        ],
        "notification_preferences": preferences
        and {
            "newsletter": preferences.newsletter,
            "meetings": preferences.meetings,
            "reminders": preferences.reminders,
            "pledge_reminders": preferences.pledge_reminders,
            "action_reminders": preferences.action_reminders,
            "calendar_invitations": preferences.calendar_invitations,
        },
        "agencies_proposed": list(
            Agency.objects.filter(proposed_by=user).values_list("name", flat=True)
        ),
    }
    for key, export in _exporters.items():
        data[key] = export(user)
    return data


def _delete_sessions(user):
    """Remove every stored login session of this user (database sessions are opaque)."""
    user_id = str(user.pk)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=stale).delete()


@transaction.atomic
def delete_account(*, user, now=None):
    """Delete a person's account, keeping an anonymous tombstone so their
    pledges, progress notes and newsletter sections stay without naming them."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)

    Membership.objects.filter(user=user).exclude(
        status__in=[Membership.Status.ENDED, Membership.Status.REJECTED]
    ).update(
        status=Membership.Status.ENDED,
        ended_at=now,
        decided_at=Coalesce("decided_at", now),
    )
    GroupMembership.objects.filter(user=user).delete()
    NotificationPreferences.objects.filter(user=user).delete()

    # Before the addresses go: an eraser finds what was sent to any of them.
    tombstone_email = f"deleted-{user.pk}@{DELETED_EMAIL_DOMAIN}"
    for erase in _erasers:
        erase(user=user, now=now, tombstone_email=tombstone_email)

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()

    user.email = tombstone_email
    user.first_name = ""
    user.last_name = ""
    user.job_title = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = now
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    _delete_sessions(user)
    return user


def unverified_signups(*, days=UNVERIFIED_SIGNUP_DAYS, now=None):
    """Sign-ups never verified and older than `days`: no verified address, not staff,
    not a deleted-account tombstone, and no membership beyond a pending request."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    beyond_pending = Membership.objects.exclude(status=Membership.Status.PENDING).values("user_id")
    return (
        User.objects.filter(
            date_joined__lt=cutoff,
            is_staff=False,
            is_superuser=False,
            deleted_at__isnull=True,
        )
        .exclude(pk__in=verified)
        .exclude(pk__in=beyond_pending)
        .order_by("date_joined", "pk")
    )


@transaction.atomic
def purge_unverified_signups(*, days=UNVERIFIED_SIGNUP_DAYS, now=None, dry_run=False):
    """Delete the unverified sign-ups; returns the (pk, email, date_joined) of each."""
    users = unverified_signups(days=days, now=now)
    removed = list(users.values_list("pk", "email", "date_joined"))
    if not dry_run and removed:
        User.objects.filter(pk__in=[pk for pk, _, _ in removed]).delete()
    return removed


def _addresses_of(user):
    return {user.email.lower()} | {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }


def _outbox_to(user):
    from django.db.models.functions import Lower

    from wmasn.mail.models import OutgoingEmail

    return OutgoingEmail.objects.alias(address=Lower("recipient")).filter(
        address__in=_addresses_of(user)
    )


@exporter("emails_sent_to_you")
def export_outgoing_emails(user):
    return [
        {
            "kind": e.kind,
            "subject": e.content.subject,
            "state": e.state,
            "created_at": iso(e.created_at),
            "sent_at": iso(e.sent_at),
        }
        for e in _outbox_to(user).select_related("content").order_by("created_at")
    ]


@exporter("emails_you_sent_to_the_portal")
def export_inbound_messages(user):
    from wmasn.mail.models import InboundMessage

    return [
        {
            "received_at": iso(m.received_at),
            "kind": m.get_kind_display(),
            "subject": m.subject,
            "what_it_changed": m.reason,
        }
        for m in InboundMessage.objects.filter(user=user).order_by("received_at")
    ]


@eraser
def erase_inbound_messages(*, user, now, tombstone_email):
    from wmasn.mail.erasure import erase_inbound

    erase_inbound(
        user=user,
        tombstone_email=tombstone_email,
        full_name=user.get_full_name(),
        addresses=_addresses_of(user),
    )


@eraser
def erase_outgoing_emails(*, user, now, tombstone_email):
    # Nothing more goes to them; what went stays counted, without their address, and no
    # stored email keeps their name (wmasn.mail.erasure).
    from wmasn.mail.erasure import erase_recipient

    erase_recipient(
        _outbox_to(user),
        tombstone_email=tombstone_email,
        full_name=user.get_full_name(),
        addresses=_addresses_of(user),
    )

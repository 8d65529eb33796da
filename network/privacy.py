"""Data protection (UK GDPR): export a person's data, delete their account, retention."""

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import RSVP, CalendarToken
from network.models import (
    Agency,
    GroupMembership,
    Membership,
    Pledge,
    PledgeUpdate,
    User,
)
from newsletters.models import Delivery, Issue, Section

# Retention periods, stated on /privacy/ and enforced by the code named beside them.
UNVERIFIED_SIGNUP_DAYS = 30  # purge_unverified_signups, run daily from cron
BACKUP_KEEP_DAYS = 35  # backup_database --keep-days, run nightly from cron

DELETED_EMAIL_DOMAIN = "deleted.invalid"


def _iso(value):
    return value.isoformat() if value else None


def export_user_data(user):
    """Everything the portal holds about this user, as JSON-ready data (one query per kind)."""
    memberships = Membership.objects.filter(user=user).select_related("agency")
    rsvps = RSVP.objects.filter(user=user).select_related("event")
    token = CalendarToken.objects.filter(user=user).first()
    group_memberships = GroupMembership.objects.filter(user=user).select_related("group")
    pledges = Pledge.objects.filter(created_by=user).select_related("agency")
    updates = PledgeUpdate.objects.filter(author=user).select_related("pledge__agency")
    deliveries = Delivery.objects.filter(user=user).select_related("issue")
    sections = Section.objects.filter(author=user).select_related("issue")
    issues = Issue.objects.filter(created_by=user)
    return {
        "exported_at": _iso(timezone.now()),
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
            "phone": user.phone,
            "newsletter_opt_out": user.newsletter_opt_out,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_staff": user.is_staff,
            "groups": [group.name for group in user.groups.all()],
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "mfa_authenticators": [
            # The type and dates only: the secrets themselves never leave the server.
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "memberships": [
            {
                "agency": m.agency.name,
                "status": m.status,
                "role": m.role,
                "requested_at": _iso(m.requested_at),
                "decided_at": _iso(m.decided_at),
                "auto_approved": m.auto_approved,
                "ended_at": _iso(m.ended_at),
            }
            for m in memberships
        ],
        "rsvps": [
            {
                "event": r.event.title,
                "event_starts_at": _iso(r.event.starts_at),
                "answer": r.answer,
                "answered_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
            }
            for r in rsvps
        ],
        # Metadata only: the hash of the secret is never exported.
        "calendar_token": token
        and {
            "created_at": _iso(token.created_at),
            "last_fetched_at": _iso(token.last_fetched_at),
            "last_client": token.last_client,
        },
        "working_groups": [
            {
                "group": gm.group.name,
                "joined_at": _iso(gm.joined_at),
                "show_in_calendar": gm.show_in_calendar,
            }
            for gm in group_memberships
        ],
        "pledges_created": [
            {
                "agency": p.agency.name,
                "year": p.year,
                "text": p.text,
                "status": p.status,
                "visibility": p.visibility,
                "created_at": _iso(p.created_at),
            }
            for p in pledges
        ],
        "pledge_updates_written": [
            {
                "pledge": f"{u.pledge.agency.name} — {u.pledge.year}",
                "note": u.note,
                "status": u.status,
                "created_at": _iso(u.created_at),
            }
            for u in updates
        ],
        "newsletter_sections_written": [
            {"issue": s.issue.title, "heading": s.heading, "body": s.body} for s in sections
        ],
        "newsletter_issues_created": [
            {"title": i.title, "issue_date": _iso(i.issue_date)} for i in issues
        ],
        "newsletter_deliveries": [
            {
                "issue": d.issue.title,
                "email": d.email,
                "status": d.status,
                "created_at": _iso(d.created_at),
                "sent_at": _iso(d.sent_at),
            }
            for d in deliveries
        ],
        "agencies_proposed": list(
            Agency.objects.filter(proposed_by=user).values_list("name", flat=True)
        ),
    }


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
    RSVP.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    GroupMembership.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()

    tombstone_email = f"deleted-{user.pk}@{DELETED_EMAIL_DOMAIN}"
    # Unsent newsletters must never reach them; sent ones stay counted, without the address.
    Delivery.objects.filter(user=user).exclude(status=Delivery.Status.SENT).delete()
    Delivery.objects.filter(user=user).update(email=tombstone_email, last_error="")

    user.email = tombstone_email
    user.first_name = ""
    user.last_name = ""
    user.job_title = ""
    user.phone = ""
    user.newsletter_opt_out = True
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

"""Invitations: an officer invites a person to an agency; the emailed link lets them set a
name and password, and accepting makes them an approved member at once."""

import datetime as dt
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from network.models import Invitation, Membership, User
from wmasn.links import absolute_reverse
from wmasn.mail import send_email

INVITATION_DAYS = 14


def hash_token(raw_token):
    return hashlib.sha256(raw_token.encode()).hexdigest()


def find_invitation(raw_token):
    """The invitation for this link's secret, or None."""
    if not raw_token or len(raw_token) > 128:
        return None
    return (
        Invitation.objects.select_related("agency", "invited_by")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )


@transaction.atomic
def invite(*, email, agency, by, first_name="", last_name="", role="", now=None):
    """Invite a person to an agency and email them (again, with a new link, if they were
    invited before and have not accepted)."""
    email = email.strip().lower()
    invitation = Invitation.objects.filter(email__iexact=email, agency=agency).first()
    if invitation is None:
        invitation = Invitation(email=email, agency=agency)
    invitation.first_name = first_name or invitation.first_name
    invitation.last_name = last_name or invitation.last_name
    invitation.role = role or invitation.role
    invitation.invited_by = by
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    return send(invitation=invitation, by=by, now=now)


@transaction.atomic
def send(*, invitation, by, now=None):
    """Email the invitation with a new secret link valid for INVITATION_DAYS; sending again
    revives a revoked or expired one and makes the old link useless."""
    if invitation.accepted_at:
        raise ValidationError(f"{invitation.email} has already accepted.")
    now = now or timezone.now()
    raw_token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(raw_token)
    invitation.sent_at = now
    invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    invitation.revoked_at = None
    invitation.invited_by = by or invitation.invited_by
    invitation.save()
    send_email(
        "network/emails/invitation",
        to=invitation.email,
        context={
            "invitation": invitation,
            "accept_url": absolute_reverse("network:invitation-accept", raw_token),
            "days": INVITATION_DAYS,
        },
        kind="invitation",
    )
    return invitation


@transaction.atomic
def revoke(*, invitation, now=None):
    if invitation.accepted_at:
        raise ValidationError(f"{invitation.email} has already accepted.")
    invitation.revoked_at = now or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def existing_account(invitation):
    return User.objects.filter(email__iexact=invitation.email, deleted_at__isnull=True).first()


@transaction.atomic
def accept(*, invitation, first_name="", last_name="", password=None, now=None):
    """Accept an open invitation: make the account (or use the one for this address), mark the
    address verified (the link proved it) and approve the membership. Returns the user."""
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state(now) != Invitation.State.OPEN:
        raise ValidationError("This invitation can no longer be accepted.")
    user = existing_account(invitation)
    if user is None:
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    membership, _ = Membership.objects.get_or_create(
        user=user, agency=invitation.agency, defaults={"decided_at": now}
    )
    if membership.status != Membership.Status.APPROVED:
        membership.status = Membership.Status.APPROVED
        membership.role = invitation.role or membership.role
        membership.decided_at = now
        membership.decided_by = invitation.invited_by
        membership.auto_approved = False
        membership.ended_at = None
        membership.full_clean()
        membership.save()
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user

"""Write side of memberships: requests, decisions, proposed agencies and auto-approval."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from network.models import Agency, Membership, User
from wmasn.links import absolute_reverse, absolute_url
from wmasn.mail import send_email

Status = Membership.Status

# A user may not ask again while one of these is on the row for that agency.
OPEN_STATUSES = (Status.PENDING, Status.APPROVED)


def joinable_agencies(user):
    """Active agencies the user has no pending or approved membership of."""
    taken = Membership.objects.filter(user=user, status__in=OPEN_STATUSES).values("agency_id")
    return Agency.objects.active().exclude(pk__in=taken)


# Agencies a search for one to join shows at most: the chooser never lists every agency.
AGENCY_MATCHES = 20


def search_joinable_agencies(user, query):
    """The first AGENCY_MATCHES agencies this user may ask to join whose name contains the
    query, by name; none for an empty query."""
    query = (query or "").strip()[:100]
    if not query:
        return Agency.objects.none()
    return joinable_agencies(user).filter(name__icontains=query).order_by("name")[:AGENCY_MATCHES]


def has_verified_address_for(*, user, agency):
    """Whether one of the user's verified addresses is on a domain the agency lists."""
    if agency.status != Agency.Status.ACTIVE or not agency.email_domain_list:
        return False
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return any(
        agency.pk in {a.pk for a in Agency.objects.matching_email_domain(email)} for email in emails
    )


@transaction.atomic
def request_membership(*, user, agency, role="", now=None):
    """Ask to join an agency; approved at once when a verified address is on its domain.

    A rejected or ended membership goes back to pending on the same row (one row per user
    and agency). Raises ValidationError when a request is already open.
    """
    now = now or timezone.now()
    if agency.status != Agency.Status.ACTIVE and agency.proposed_by_id != user.pk:
        raise ValidationError("This agency is not open for requests.")
    membership = Membership.objects.select_for_update().filter(user=user, agency=agency).first()
    if membership is None:
        membership = Membership(user=user, agency=agency)
    elif membership.status in OPEN_STATUSES:
        raise ValidationError(
            f"You already have a {membership.get_status_display().lower()} membership of {agency}."
        )
    membership.status = Status.PENDING
    membership.role = role
    membership.requested_at = now
    membership.decided_at = None
    membership.decided_by = None
    membership.auto_approved = False
    membership.ended_at = None
    membership.full_clean()
    membership.save()

    if has_verified_address_for(user=user, agency=agency):
        return approve(membership=membership, by=None, auto=True, now=now)
    # A request made at sign-up waits for the address to be confirmed before officers hear.
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        _notify_officers(membership)
    return membership


@transaction.atomic
def approve(*, membership, by, auto=False, now=None, with_agency=False):
    """Approve a pending, rejected or ended membership and email the user.

    A membership gives access only through an active agency, so approving one of an agency
    that is still only proposed is refused with the reason, unless `with_agency`: then the
    agency is approved with it (membership.agency_approved_with_it says so).
    """
    if membership.status == Status.APPROVED:
        raise ValidationError("This membership is already approved.")
    agency = membership.agency
    membership.agency_approved_with_it = False
    if agency.status == Agency.Status.PROPOSED:
        if not with_agency:
            raise ValidationError(
                f"{agency} is still only a proposed agency, so this membership would give no "
                'access: approve it with its agency ("with their proposed agencies"), or '
                "approve the agency first."
            )
        approve_agency(agency=agency)
        membership.agency_approved_with_it = True
    membership.status = Status.APPROVED
    membership.decided_at = now or timezone.now()
    membership.decided_by = by
    membership.auto_approved = auto
    membership.ended_at = None
    membership.full_clean()
    membership.save()
    _email_user(membership, "approved")
    return membership


@transaction.atomic
def reject(*, membership, by, now=None):
    """Reject a pending request and email the user."""
    if membership.status != Status.PENDING:
        raise ValidationError("Only a pending request can be rejected.")
    membership.status = Status.REJECTED
    membership.decided_at = now or timezone.now()
    membership.decided_by = by
    membership.auto_approved = False
    membership.full_clean()
    membership.save()
    _email_user(membership, "rejected")
    return membership


@transaction.atomic
def end(*, membership, by=None, now=None):
    """End an approved membership (or withdraw a pending request); access goes at once."""
    if membership.status not in OPEN_STATUSES:
        raise ValidationError("Only an approved or pending membership can be ended.")
    now = now or timezone.now()
    if membership.status == Status.PENDING:
        membership.decided_at = now
        membership.decided_by = by
    membership.status = Status.ENDED
    membership.ended_at = now
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def propose_agency(*, user, name, sector, website="", description="", role="", now=None):
    """Propose a new agency (status proposed) with a pending membership for its proposer."""
    agency = Agency(
        name=name.strip(),
        slug=unique_agency_slug(name),
        sector=sector,
        status=Agency.Status.PROPOSED,
        website=website,
        description=description,
        proposed_by=user,
    )
    agency.full_clean()
    agency.save()
    membership = request_membership(user=user, agency=agency, role=role, now=now)
    return agency, membership


@transaction.atomic
def approve_agency(*, agency):
    """Make a proposed agency active; its pending requests still wait for an officer."""
    agency.status = Agency.Status.ACTIVE
    agency.full_clean()
    agency.save()
    return agency


def auto_approve_pending(*, user, now=None):
    """Approve the user's pending requests that a verified address now qualifies for."""
    approved = []
    pending = Membership.objects.pending().filter(user=user).select_related("agency")
    for membership in pending:
        if has_verified_address_for(user=user, agency=membership.agency):
            approved.append(approve(membership=membership, by=None, auto=True, now=now))
    return approved


def first_address_confirmed(*, user, now=None):
    """The user's first confirmed address: approve what its domain qualifies for, and tell the
    officers of the requests made at sign-up that still wait for them."""
    auto_approve_pending(user=user, now=now)
    if EmailAddress.objects.filter(user=user, verified=True).count() != 1:
        return  # officers already heard of this user's requests when they were made
    for membership in Membership.objects.pending().filter(user=user).select_related("agency"):
        _notify_officers(membership)


def unique_agency_slug(name):
    base = slugify(name)[:190] or "agency"
    slug, n = base, 2
    while Agency.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _email_user(membership, kind):
    """Email the decision; `send_email` waits for the commit, so a rollback sends nothing."""
    send_email(
        f"network/emails/membership_{kind}",
        to=membership.user.email,
        kind="membership-decision",
        context={
            "membership": membership,
            "user": membership.user,
            "agency": membership.agency,
            # What the email may promise: exactly what the membership rule grants.
            "has_access": Membership.objects.approved().filter(pk=membership.pk).exists(),
            "agency_approved_with_it": getattr(membership, "agency_approved_with_it", False),
            "membership_url": absolute_reverse("network:membership"),
            "agency_url": absolute_url(membership.agency.get_absolute_url()),
        },
    )


def _notify_officers(membership):
    """Tell the network officers a request is waiting for them."""
    context = {
        "membership": membership,
        "agency": membership.agency,
        "admin_url": absolute_reverse("admin:network_membership_changelist"),
    }
    for email in User.objects.officers().values_list("email", flat=True):
        send_email(
            "network/emails/membership_requested",
            to=email,
            kind="officer-notification",
            context=context,
        )

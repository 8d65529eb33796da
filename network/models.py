"""The network's people and organisations: users, agencies, memberships, groups, resources."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from wmasn.changes import SignallingQuerySet
from wmasn.validation import BoundedTextField, RejectsNulBytes

OFFICERS_GROUP = "Network officers"
# Email kind (network.notifications.Kind) -> the NotificationPreferences field that switches it.
PREFERENCE_FIELDS = {
    "newsletter": "newsletter",
    "meetings": "meetings",
    "reminders": "reminders",
    "pledge-reminders": "pledge_reminders",
    "action-reminders": "action_reminders",
}


class UserQuerySet(SignallingQuerySet):
    def in_network(self):
        """Active users with an approved membership (the one membership rule), and officers."""
        approved = Membership.objects.approved().values("user_id")
        return self.filter(is_active=True).filter(
            models.Q(pk__in=approved) | models.Q(pk__in=self.model.objects.officers().values("pk"))
        )

    def wanting(self, kind):
        """Who gets this kind of email (network.notifications.Kind): the one rule every sender
        and the newsletter's audiences read. Active users who have not switched it off; a
        user who never chose gets every kind."""
        field = PREFERENCE_FIELDS[kind]
        return self.filter(is_active=True).exclude(**{f"notification_preferences__{field}": False})

    def officers(self):
        """Network officers: active staff in the officers group, or active superusers."""
        return (
            self.filter(is_active=True)
            .filter(
                models.Q(is_superuser=True) | models.Q(is_staff=True, groups__name=OFFICERS_GROUP)
            )
            .distinct()
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(RejectsNulBytes, AbstractUser):
    """A person with an account; the email address is the login."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="Shown only to members of the network."
    )
    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the person deleted their account; the row stays as an anonymous tombstone.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        if self.deleted_at:
            return "Deleted account"
        return self.get_full_name() or self.email

    @cached_property
    def approved_agency_ids(self):
        """Ids of the agencies this user is an approved member of (the one membership rule)."""

        return frozenset(
            Membership.objects.approved().filter(user=self).values_list("agency_id", flat=True)
        )

    @property
    def is_member(self):
        return bool(self.approved_agency_ids)

    def is_member_of(self, agency):
        return agency.pk in self.approved_agency_ids

    @cached_property
    def is_officer(self):
        """The officer rule of `User.objects.officers()`, for one user."""
        if not self.is_active:
            return False
        return self.is_superuser or (
            self.is_staff and self.groups.filter(name=OFFICERS_GROUP).exists()
        )

    @property
    def sees_member_details(self):
        """Members and officers see venues, contacts and members-only content."""
        return self.is_active and (self.is_member or self.is_officer)


class NotificationPreferences(models.Model):
    """Which kinds of email a person gets (one switch per network.notifications.Kind), and
    whether meetings come as calendar invitations. A user without a row gets every kind,
    without invitations; `User.objects.wanting(kind)` is the rule that reads it."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    newsletter = models.BooleanField(
        "the newsletter", default=True, help_text="Each issue, when it is published."
    )
    meetings = models.BooleanField(
        "meeting announcements and changes",
        default=True,
        help_text="New dates, changes of time or venue, and cancellations.",
    )
    reminders = models.BooleanField(
        "meeting reminders", default=True, help_text="A week before a meeting and the day before."
    )
    pledge_reminders = models.BooleanField(
        "pledge reminders",
        default=True,
        help_text="Reporting on your agency's pledges, and making next year's.",
    )
    action_reminders = models.BooleanField(
        "action reminders",
        default=True,
        help_text="Your agency's actions from meetings: a week before they are due, and overdue.",
    )
    calendar_invitations = models.BooleanField(
        "meetings as calendar invitations",
        default=False,
        help_text="Meeting emails carry an invitation with Accept and Decline (for Outlook).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self):
        return f"Email choices of {self.user}"


class Area(RejectsNulBytes, models.Model):
    """A local authority area the network covers, or the whole region."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_region_wide = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class AgencyQuerySet(SignallingQuerySet):
    def active(self):
        return self.filter(status=Agency.Status.ACTIVE)

    def proposed(self):
        return self.filter(status=Agency.Status.PROPOSED)

    def for_member(self, user):
        """Agencies the user is an approved member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=user.approved_agency_ids)

    def matching_email_domain(self, email):
        """Active agencies that list the domain of this email address for auto-approval."""
        domain = email.rsplit("@", 1)[-1].strip().lower()
        if not domain:
            return self.none()
        candidates = self.active().filter(email_domains__icontains=domain)
        return [agency for agency in candidates if domain in agency.email_domain_list]


class Agency(RejectsNulBytes, models.Model):
    """A member organisation of the network."""

    class Sector(models.TextChoices):
        PUBLIC = "public", "Public sector"
        PRIVATE = "private", "Private sector"
        THIRD = "third", "Third sector"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PROPOSED = "proposed", "Proposed, awaiting an officer"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    sector = models.CharField(max_length=10, choices=Sector.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    description = BoundedTextField(max_length=3000, blank=True)
    website = models.URLField(blank=True)
    public_email = models.EmailField(blank=True)
    public_phone = models.CharField(max_length=40, blank=True)
    address = BoundedTextField(max_length=500, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="agencies")
    email_domains = BoundedTextField(
        max_length=1000,
        blank=True,
        help_text=(
            "Email domains, one per line (e.g. west-midlands.police.uk). A verified address "
            "on one of them is approved automatically."
        ),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_agencies",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sector__in=["public", "private", "third"]),
                name="agency_sector_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "proposed"]),
                name="agency_status_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:agency-detail", args=[self.slug])

    @property
    def email_domain_list(self):
        return [
            line.strip().lower().lstrip("@")
            for line in self.email_domains.replace(",", "\n").splitlines()
            if line.strip()
        ]


class AgencyContact(RejectsNulBytes, models.Model):
    """A named contact at an agency; visible to members only."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name} ({self.agency})"


class MembershipQuerySet(SignallingQuerySet):
    def approved(self):
        """The one rule for who is a member: an approved membership of an active agency."""
        return self.filter(status=Membership.Status.APPROVED, agency__status=Agency.Status.ACTIVE)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING).order_by("requested_at")

    def for_user(self, user):
        return self.filter(user=user)


class Membership(RejectsNulBytes, models.Model):
    """A user's membership of an agency; one row per user and agency."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ENDED = "ended", "Ended"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    role = models.CharField("role at the agency", max_length=150, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="membership_decisions",
    )
    auto_approved = models.BooleanField(
        default=False, help_text="Approved automatically from a verified email domain."
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_one_per_agency"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "ended"]),
                name="membership_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_at__isnull=False),
                name="membership_decision_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_approved=False)
                | models.Q(status__in=["approved", "ended"]),
                name="membership_auto_only_when_approved",
            ),
        ]
        indexes = [
            # The annual report lists a year's new members in the order they were approved.
            models.Index(fields=["decided_at", "id"], name="membership_decided_idx"),
        ]

    def __str__(self):
        return f"{self.user} — {self.agency} ({self.get_status_display()})"


class WorkingGroupQuerySet(SignallingQuerySet):
    def open(self):
        return self.filter(status=WorkingGroup.Status.OPEN)


class WorkingGroup(RejectsNulBytes, models.Model):
    """A task-and-finish group of the network."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    purpose = BoundedTextField(max_length=3000)
    lead_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_groups"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = BoundedTextField(
        max_length=3000,
        blank=True,
        help_text=(
            "What the group has achieved so far, or achieved by its close. Public: it is on "
            "the group's page and in the annual report, so leave out personal details."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", related_name="working_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "closed"]), name="group_status_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:group-detail", args=[self.slug])


class GroupMembershipQuerySet(SignallingQuerySet):
    def current(self):
        """People still in the network: an approved membership (the one rule) or officers.

        Someone whose agency membership ended stays in the table (their calendar choice comes
        back if they rejoin) but is no longer listed or counted.
        """

        approved = Membership.objects.approved().filter(user=OuterRef("user"))
        officers = get_user_model().objects.officers().values("pk")
        return self.filter(user__is_active=True).filter(Exists(approved) | Q(user__in=officers))


class GroupMembership(models.Model):
    """A user in a working group, and whether its meetings go to their personal feed."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    show_in_calendar = models.BooleanField(
        default=True, help_text="Include this group's meetings in my personal calendar feed."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_membership_once"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group}"


class Resource(RejectsNulBytes, models.Model):
    """A helpline, referral form, guidance document or network contact."""

    class Kind(models.TextChoices):
        HELPLINE = "helpline", "Helplines and support lines"
        FORM = "form", "Referral forms"
        GUIDANCE = "guidance", "Guidance"
        CONTACT = "contact", "Network contacts"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = BoundedTextField(max_length=2000, blank=True)
    phone = models.CharField(max_length=60, blank=True)
    url = models.URLField("web address", blank=True, max_length=500)
    email = models.EmailField(blank=True)
    hours = models.CharField("opening hours", max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "title"]

    def __str__(self):
        return self.title


class InvitationQuerySet(models.QuerySet):
    def in_state(self, state, now=None):
        """The invitations whose `state(now)` is `state`: the same rules, in the same order."""
        now = now or timezone.now()
        State = Invitation.State
        live = self.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        return {
            State.ACCEPTED: self.filter(accepted_at__isnull=False),
            State.REVOKED: self.filter(accepted_at__isnull=True, revoked_at__isnull=False),
            State.NOT_SENT: live.filter(sent_at__isnull=True),
            State.EXPIRED: live.filter(sent_at__isnull=False, expires_at__lte=now),
            State.OPEN: live.filter(sent_at__isnull=False, expires_at__gt=now),
        }[state]


class Invitation(RejectsNulBytes, models.Model):
    """An officer's invitation to join an agency: the link in its email lets the person set a
    name and password and become an approved member at once. One per address and agency, so
    importing the same people again updates them."""

    class State(models.TextChoices):
        NOT_SENT = "not_sent", "Not sent yet"
        OPEN = "open", "Sent, waiting"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField("role at the agency", max_length=150, blank=True)
    # Only a hash of the link's secret is kept; re-sending makes a new secret.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
        editable=False,
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "agency", name="invitation_once_per_agency"),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~models.Q(token_hash=""),
                name="invitation_token_unique",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.agency}"

    def state(self, now=None):
        """Where the invitation stands (InvitationQuerySet.in_state selects by it)."""
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if not self.sent_at:
            return self.State.NOT_SENT
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        return self.State.OPEN

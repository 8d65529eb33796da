"""Actions agreed at meetings and in working groups, their progress, and the decision register."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from network.models import Agency, Membership, WorkingGroup
from wmasn.changes import SignallingQuerySet
from wmasn.officers import has_officer_powers
from wmasn.validation import BoundedTextField, RejectsNulBytes


class ActionQuerySet(SignallingQuerySet):
    def visible_to(self, user):
        """Actions are network records: members and officers see them all, nobody else any."""
        if user.is_authenticated and user.sees_member_details:
            return self.all()
        return self.none()

    def editable_by(self, user):
        """Actions the user may update from the site: their agencies' actions, or any for an
        officer."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_officer_powers(user):  # after MFA (wmasn/officers.py)
            return self.all()
        return self.for_owner_agency(user.approved_agency_ids)

    def for_owner_agency(self, agencies):
        """Actions owned by these agencies (ids or Agency objects)."""
        return self.filter(owner_agency__in=agencies)

    def owned_by(self, user):
        """A person's own actions: named as owner, or their agency's with nobody named."""
        return self.filter(
            Q(owner_person=user)
            | Q(owner_person__isnull=True, owner_agency__in=user.approved_agency_ids)
        ).order_by("due_on", "pk")

    def open(self):
        return self.filter(status=Action.Status.OPEN)

    def overdue(self, today):
        """Open actions whose due date has passed."""
        return self.open().filter(due_on__lt=today)

    def due_on(self, day):
        return self.open().filter(due_on=day)

    def from_meeting(self, meeting):
        return self.filter(meeting=meeting)

    def for_group(self, group):
        """A working group's actions: recorded on the group, or at one of its meetings."""
        return self.filter(Q(working_group=group) | Q(meeting__working_group=group))

    def matters_arising(self, before):
        """What the meeting `before` reviews: every open action agreed before it (a working
        group's meeting: the group's own). A conference, workshop or awareness day reviews
        none: matters arising are the network's and the groups' business."""
        earlier = self.open().filter(agreed_on__lt=timezone.localdate(before.starts_at))
        if before.working_group_id:
            return earlier.for_group(before.working_group_id)
        if before.kind != before.Kind.NETWORK_MEETING:
            return self.none()
        return earlier

    def with_latest_note(self):
        """Each action with its latest progress note and its date, in the same query."""
        latest = ProgressNote.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
        return self.annotate(
            latest_note=Subquery(latest.values("note")[:1]),
            latest_note_at=Subquery(latest.values("created_at")[:1]),
        )

    def with_related(self):
        return self.select_related("owner_agency", "owner_person", "meeting", "working_group")

    def agreed_in(self, year):
        return self.filter(agreed_on__year=year)

    def outcomes_by_group(self, today):
        """{group name or None (the network's meetings): {"agreed", "on_time", "late", "open",
        "dropped": count}}, counted in one query. Late: done after the due date, or still
        open past it; open: open and not yet due."""
        done = Q(status=Action.Status.DONE)
        still_open = Q(status=Action.Status.OPEN)
        late = (done & Q(closed_on__gt=F("due_on"))) | (still_open & Q(due_on__lt=today))
        rows = (
            self.order_by()
            .values("working_group__name")
            .annotate(
                agreed=Count("pk"),
                on_time=Count("pk", filter=done & Q(closed_on__lte=F("due_on"))),
                late=Count("pk", filter=late),
                open=Count("pk", filter=still_open & Q(due_on__gte=today)),
                dropped=Count("pk", filter=Q(status=Action.Status.DROPPED)),
            )
        )
        return {row.pop("working_group__name"): row for row in rows}


class Action(RejectsNulBytes, models.Model):
    """Who agreed to do what by when, at a meeting or in a working group."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    title = models.CharField(max_length=300, help_text="What is to be done.")
    meeting = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The meeting where it was agreed.",
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The working group it belongs to (taken from a group's meeting when blank).",
    )
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="actions", verbose_name="owner agency"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_owned",
        verbose_name="owner (person)",
        help_text="Optional: a member of the owner agency.",
    )
    agreed_on = models.DateField(help_text="The date it was agreed (the meeting's date).")
    due_on = models.DateField("due date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    drop_reason = BoundedTextField(
        "reason for dropping", max_length=1000, blank=True, help_text="Required when dropped."
    )
    closed_on = models.DateField(null=True, blank=True, help_text="When it was done or dropped.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions_recorded",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "dropped"]), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""),
                name="action_dropped_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(working_group__isnull=False),
                name="action_has_meeting_or_group",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="action_closed_when_not_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_status_due_idx"),
            models.Index(fields=["owner_agency", "status"], name="action_owner_status_idx"),
            models.Index(fields=["agreed_on"], name="action_agreed_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:action-detail", args=[self.pk])

    def clean(self):
        super().clean()
        errors = {}
        if self.meeting_id and not self.working_group_id and self.meeting.working_group_id:
            self.working_group_id = self.meeting.working_group_id
        # Open actions have no closing date; one closed without a date closed today.
        if self.status == self.Status.OPEN:
            self.closed_on = None
        elif self.closed_on is None:
            self.closed_on = timezone.localdate()
        if not self.meeting_id and not self.working_group_id:
            errors["meeting"] = "Choose the meeting or the working group the action came from."
        if self.status == self.Status.DROPPED and not self.drop_reason.strip():
            errors["drop_reason"] = "Say why the action is dropped."
        if self.owner_person_id and self.owner_agency_id:
            is_member = (
                Membership.objects.approved()
                .filter(user_id=self.owner_person_id, agency_id=self.owner_agency_id)
                .exists()
            )
            if not is_member:
                errors["owner_person"] = "The owner must be a member of the owner agency."
        if self.agreed_on and self.due_on and self.due_on < self.agreed_on:
            errors["due_on"] = "The due date cannot be before the action was agreed."
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today):
        return self.status == self.Status.OPEN and self.due_on < today

    @property
    def source(self):
        """Where it came from, for lists: the meeting, else the group."""
        return self.meeting or self.working_group


class ProgressNote(RejectsNulBytes, models.Model):
    """A dated note on how far an action has got."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    note = BoundedTextField(max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_notes",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Progress on {self.action}"


class StatusChange(models.Model):
    """The audit of an action's status: who changed it, from what, to what, and when."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=Action.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Action.Status.choices)
    reason = BoundedTextField(max_length=1000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_status_changes",
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.action}: {self.from_status or 'new'} → {self.to_status}"


class ActionReminder(models.Model):
    """A reminder sent about an action, so that it is sent once (per kind) whatever reruns."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due in 7 days"
        OVERDUE = "overdue", "Overdue"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["action", "kind"], name="action_reminder_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.action}"


class DecisionQuerySet(SignallingQuerySet):
    def visible_to(self, user):
        if user.is_authenticated and user.sees_member_details:
            return self.all()
        return self.none()

    def newest_first(self):
        return self.order_by("-meeting__starts_at", "-pk")

    def in_year(self, year):
        return self.filter(meeting__starts_at__year=year)

    def for_group(self, group):
        return self.filter(meeting__working_group=group)

    def network_wide(self):
        return self.filter(meeting__working_group__isnull=True)

    def years(self):
        return list(
            self.order_by("-meeting__starts_at__year")
            .values_list("meeting__starts_at__year", flat=True)
            .distinct()
        )


class Decision(RejectsNulBytes, models.Model):
    """A decision taken at a meeting, and optionally the document it approved."""

    text = BoundedTextField("decision", max_length=2000)
    meeting = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="decisions")
    document = models.ForeignKey(
        "events.EventDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        help_text="Optional: the paper or policy the decision approved.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        super().clean()
        if self.document_id and self.meeting_id and self.document.event_id != self.meeting_id:
            raise ValidationError(
                {"document": "Choose one of the papers of the meeting that took the decision."}
            )

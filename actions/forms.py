"""Forms for actions: the list's and the register's filters, and an owner's progress update."""

from django import forms
from django.db.models import Q

from actions.models import Action, ProgressNote
from events.models import Event
from network.models import Agency, GroupMembership, Membership, User, WorkingGroup


class FilterForm(forms.Form):
    """GET filters: every field optional; an invalid one shows an error and is ignored."""

    def value(self, name, default=None):
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


# The meeting filter lists this many latest meetings.
MEETINGS_LISTED = 24


class ActionFilterForm(FilterForm):
    OVERDUE = "overdue"
    ANY = "any"
    STATUS_CHOICES = [
        (Action.Status.OPEN, "Open"),
        (OVERDUE, "Overdue"),
        (Action.Status.DONE, "Done"),
        (Action.Status.DROPPED, "Dropped"),
        (ANY, "Any status"),
    ]

    # Any meeting by slug (links from a meeting's page); the list offers the latest ones.
    meeting = forms.ModelChoiceField(
        queryset=Event.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label="Any meeting",
    )
    group = forms.ModelChoiceField(
        queryset=WorkingGroup.objects.all(),
        required=False,
        to_field_name="slug",
        label="Working group",
        empty_label="Any group",
    )
    # A name search rather than a list of every agency: the list grows with the network.
    owner_name = forms.CharField(required=False, max_length=100, label="Owner agency")
    # Links ("all my agency's actions") name the agency exactly, by slug.
    owner = forms.ModelChoiceField(
        queryset=Agency.objects.all(),
        required=False,
        to_field_name="slug",
        widget=forms.HiddenInput,
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The latest meetings that agreed actions: a list of the same length however many
        # actions and meetings there are (plus the chosen one, when it is older).
        recent = list(
            Event.objects.filter(
                pk__in=Action.objects.filter(meeting__isnull=False).values("meeting_id")
            ).order_by("-starts_at", "-pk")[:MEETINGS_LISTED]
        )
        chosen = self.data.get("meeting", "")
        if chosen and chosen not in {event.slug for event in recent}:
            recent += list(Event.objects.filter(slug=chosen)[:1])
        self.fields["meeting"].widget.choices = [
            ("", "Any meeting"),
            *[(event.slug, meeting_label(event)) for event in recent],
        ]

    def filter(self, actions, today):
        if meeting := self.value("meeting"):
            actions = actions.from_meeting(meeting)
        if group := self.value("group"):
            actions = actions.for_group(group)
        if owner := self.value("owner"):
            actions = actions.for_owner_agency([owner])
        if owner_name := self.value("owner_name"):
            actions = actions.filter(owner_agency__name__icontains=owner_name)
        status = self.value("status", Action.Status.OPEN)
        if status == self.OVERDUE:
            return actions.overdue(today)
        if status != self.ANY:
            return actions.filter(status=status)
        return actions

    @property
    def filtered(self):
        names = ("meeting", "group", "owner", "owner_name", "status")
        return any(self.value(name) for name in names)


def meeting_label(event):
    return f"{event.title} ({event.starts_at:%d %b %Y})"


class DecisionFilterForm(FilterForm):
    year = forms.TypedChoiceField(coerce=int, required=False)
    group = forms.ModelChoiceField(
        queryset=WorkingGroup.objects.all(),
        required=False,
        to_field_name="slug",
        label="Working group",
        empty_label="Any meeting",
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Any year"), *[(y, str(y)) for y in years]]

    def filter(self, decisions):
        if year := self.value("year"):
            decisions = decisions.in_year(year)
        if group := self.value("group"):
            decisions = decisions.for_group(group)
        return decisions


class ProgressForm(forms.Form):
    """An owner's update: a note, and optionally the action done or dropped."""

    note = forms.CharField(
        label="Progress note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=ProgressNote._meta.get_field("note").max_length,
        help_text="What has been done since the last note.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "No change"), *Action.Status.choices],
    )
    reason = forms.CharField(
        label="Reason for dropping",
        required=False,
        max_length=Action._meta.get_field("drop_reason").max_length,
        help_text="Needed only when the action is dropped.",
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action

    def clean(self):
        data = super().clean()
        status = data.get("status") or self.action.status
        if status == Action.Status.DROPPED and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the action is dropped.")
        if not data.get("note", "").strip() and status == self.action.status and not self.errors:
            raise forms.ValidationError("Write a progress note or change the status.")
        return data


class GroupActionForm(forms.ModelForm):
    """A working group lead records an action agreed in the group."""

    class Meta:
        model = Action
        fields = ["title", "meeting", "owner_agency", "owner_person", "agreed_on", "due_on"]
        widgets = {
            # A date input's value is always ISO, whatever the language's format.
            "agreed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"meeting": "Agreed at", "owner_person": "Owner (a person, optional)"}

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.working_group = group
        members = GroupMembership.objects.current().filter(group=group)
        # The group's own meetings, latest first; the owners: the agencies of its members.
        latest = Event.objects.filter(working_group=group).order_by("-starts_at")
        latest = list(latest.values_list("pk", flat=True)[:MEETINGS_LISTED])
        self.fields["meeting"].queryset = Event.objects.filter(pk__in=latest).order_by("-starts_at")
        self.fields["meeting"].label_from_instance = meeting_label
        self.fields["meeting"].empty_label = "Between meetings"
        agencies = Membership.objects.approved().filter(user__in=members.values("user_id"))
        self.fields["owner_agency"].queryset = Agency.objects.active().filter(
            Q(pk__in=agencies.values("agency_id")) | Q(pk=group.lead_agency_id)
        )
        self.fields["owner_person"].queryset = User.objects.filter(
            pk__in=members.values("user_id")
        ).order_by("first_name", "last_name", "email")

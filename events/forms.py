import datetime as dt

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.db import models

from events import times
from events.models import RSVP, Event, Venue
from events.services import PlannedMeeting
from network.models import Agency


class EventFilterForm(forms.Form):
    """The list's filters; anything invalid falls back to no filter."""

    when = forms.ChoiceField(
        choices=[("upcoming", "Upcoming"), ("past", "Past")], required=False, label="Show"
    )
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *Event.Kind.choices], required=False, label="Kind"
    )


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[(a.value, a.label) for a in (RSVP.Answer.ATTENDING, RSVP.Answer.APOLOGIES)],
        widget=forms.RadioSelect,
        label="Will you attend?",
    )

    def __init__(self, *args, event, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.event.is_cancelled:
            raise ValidationError("This event is cancelled, so it takes no answers.")
        if not self.event.accepts_rsvps():
            raise ValidationError("This event has already taken place.")
        return cleaned


class CancelEventsForm(forms.Form):
    """The reason given when officers cancel events from the admin."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Event._meta.get_field("cancellation_reason").max_length,
        help_text="Shown on the event page, in calendar feeds and in the email to attendees.",
    )


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ScheduleMeetingsForm(forms.Form):
    """What a year of network meetings shares: a title, a start and end time, a description."""

    title = forms.CharField(
        max_length=150,
        initial="Network meeting",
        help_text="Each meeting's title gets its venue's town: \"Network meeting, Oldbury\".",
    )
    starts = forms.TimeField(initial=dt.time(10, 0), help_text="e.g. 10:00 (UK time)")
    ends = forms.TimeField(initial=dt.time(12, 30), help_text="e.g. 12:30 (UK time)")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=Event._meta.get_field("description").max_length,
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end time must be after the start time.")
        return cleaned

    def check_days(self, days):
        """Whether the start and end times exist, once each, on every planned day; the
        clock changes' errors are added to the form."""
        for day in days:
            for name in ("starts", "ends"):
                try:
                    times.uk_datetime(day, self.cleaned_data[name])
                except times.AmbiguousTime as error:
                    self.add_error(name, f"{error} Add that meeting on its own to choose.")
                except times.ClockChangeError as error:
                    self.add_error(name, str(error))
        return not self.errors


ZONE_CHOICES = [
    ("", "Either (only matters on the October change)"),
    ("BST", "BST, the first time (summer time)"),
    ("GMT", "GMT, the second time"),
]


class UKDateTimeWidget(forms.MultiWidget):
    """The admin's date and time inputs, and which of the two the time is in the hour the
    clocks repeat."""

    def __init__(self, attrs=None):
        super().__init__(
            [
                admin_widgets.AdminDateWidget(attrs={"aria-label": "Date"}),
                admin_widgets.AdminTimeWidget(attrs={"aria-label": "Time (UK)"}),
                forms.Select(
                    attrs={"aria-label": "In the repeated October hour"}, choices=ZONE_CHOICES
                ),
            ],
            attrs,
        )

    def decompress(self, value):
        if not value:
            return [None, None, ""]
        local = times.london(value)
        zone = local.tzname() if times.is_ambiguous(local) else ""
        return [local.date(), local.time().replace(tzinfo=None, fold=0), zone]


class UKDateTimeField(forms.MultiValueField):
    """A UK date and time entered as an officer reads a clock: a time in the repeated October
    hour asks BST or GMT; a time the clocks skip in March is refused, naming the nearest."""

    widget = UKDateTimeWidget

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        fields = (
            forms.DateField(),
            forms.TimeField(),
            forms.ChoiceField(choices=ZONE_CHOICES, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        day, clock, zone = (list(data_list) + [None, None, ""])[:3]
        if day is None or clock is None:
            raise ValidationError("Enter a date and a time.", code="incomplete")
        try:
            return times.uk_datetime(day, clock, zone or "")
        except times.ClockChangeError as error:
            raise ValidationError(str(error), code="clock_change") from error


def _https_urls(db_field, **kwargs):
    # Still needed beside EventAdmin.formfield_overrides: without it the admin's event
    # forms warn, for each URL field, that Django 6 will assume https (RemovedInDjango60).
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EventAdminForm(forms.ModelForm):
    starts_at = UKDateTimeField(label="Starts")
    ends_at = UKDateTimeField(label="Ends")

    class Meta:
        model = Event
        formfield_callback = _https_urls
        fields = [
            "kind",
            "title",
            "slug",
            "description",
            "organiser",
            "working_group",
            "starts_at",
            "ends_at",
            "all_day",
            "venue",
            "online_url",
            "registration_url",
            "registration_deadline",
            "status",
            "cancellation_reason",
        ]


class AttendanceForm(forms.Form):
    """Who attended: the people who answered (ticked when they said they would come),
    and others by email address."""

    attended = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Attended"
    )
    others = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Others who attended",
        help_text="Email addresses of people with an account who came without answering, "
        "one per line.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["attended"].choices = [(c["user"].pk, str(c["user"])) for c in candidates]
        self.fields["attended"].initial = [c["user"].pk for c in candidates if c["ticked"]]

    def clean_others(self):
        from network.models import User

        emails = {line.strip().lower() for line in self.cleaned_data["others"].split() if line}
        found = {u.email.lower(): u for u in User.objects.filter(email__in=emails, is_active=True)}
        unknown = sorted(emails - found.keys())
        if unknown:
            raise ValidationError("No account has these addresses: " + ", ".join(unknown))
        return list(found.values())

    def attendees(self):
        from network.models import User

        chosen = set(self.cleaned_data["attended"])
        return [*User.objects.filter(pk__in=chosen), *self.cleaned_data["others"]]


class PlannedMeetingForm(forms.Form):
    """One meeting of the year: its date, venue (or to be confirmed) and organising agency."""

    day = forms.DateField(
        label="Date",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="As 2027-03-18 or 18/03/2027.",
    )
    venue = forms.ModelChoiceField(
        queryset=Venue.objects.all(), required=False, empty_label="Venue to be confirmed"
    )
    organiser = forms.ModelChoiceField(
        queryset=Agency.objects.active(), required=False, empty_label="No organiser"
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("day") and (cleaned.get("venue") or cleaned.get("organiser")):
            self.add_error("day", "Give this meeting's date, or clear its venue and organiser.")
        return cleaned


class BasePlannedMeetingFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        days = [form.cleaned_data["day"] for form in self.forms if form.cleaned_data.get("day")]
        if not days:
            raise ValidationError("Give at least one meeting date.")
        if len(days) != len(set(days)):
            raise ValidationError("Each date once: two rows give the same date.")

    def planned_meetings(self):
        return [
            PlannedMeeting(
                day=form.cleaned_data["day"],
                venue=form.cleaned_data.get("venue"),
                organiser=form.cleaned_data.get("organiser"),
            )
            for form in self.forms
            if form.cleaned_data.get("day")
        ]


PlannedMeetingFormSet = forms.formset_factory(
    PlannedMeetingForm,
    formset=BasePlannedMeetingFormSet,
    extra=6,
    max_num=12,
    validate_max=True,
    absolute_max=12,
)

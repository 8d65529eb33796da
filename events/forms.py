import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

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
        max_length=1000,
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
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end time must be after the start time.")
        return cleaned


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

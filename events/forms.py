import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from events.models import RSVP, Event, Venue


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
        choices=RSVP.Answer.choices, widget=forms.RadioSelect, label="Will you attend?"
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


def parse_date_lines(text):
    """Dates, one per line, as 2026-03-19 or 19/03/2026; raises ValidationError."""
    dates, bad = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                dates.append(dt.datetime.strptime(line, pattern).date())
                break
            except ValueError:
                continue
        else:
            bad.append(line)
    if bad:
        raise ValidationError(f"Not a date (use 2026-03-19 or 19/03/2026): {', '.join(bad)}")
    if not dates:
        raise ValidationError("Give at least one date.")
    return sorted(set(dates))


class ScheduleMeetingsForm(forms.Form):
    """A year of network meetings from a list of dates, one start and end time and a venue."""

    title = forms.CharField(max_length=150, initial="Network meeting")
    dates = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One date per line, as 2026-03-19 or 19/03/2026 (times are UK time).",
    )
    starts = forms.TimeField(initial=dt.time(10, 0), help_text="e.g. 10:00")
    ends = forms.TimeField(initial=dt.time(12, 30), help_text="e.g. 12:30")
    venue = forms.ModelChoiceField(queryset=Venue.objects.all(), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_dates(self):
        return parse_date_lines(self.cleaned_data["dates"])

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end time must be after the start time.")
        return cleaned


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

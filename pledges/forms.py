"""Forms for pledges: the wall's filters, recording, editing, progress and conference capture."""

from django import forms
from django.utils import timezone

from events.models import Event
from network.models import Agency
from pledges.models import Pledge, PledgeUpdate
from pledges.services import (
    coming_pledge_year,
    current_pledge_year,
    in_new_pledge_window,
    pledge_year_choices,
    pledge_year_for_event,
)
from wmasn.concurrency import VersionedForm
from wmasn.officers import has_officer_powers


def conference_events():
    """Conferences at which pledges are made, newest first."""
    return Event.objects.filter(kind=Event.Kind.CONFERENCE).order_by("-starts_at")


class PledgeFilterForm(forms.Form):
    """The wall's GET filters; every field is optional."""

    year = forms.TypedChoiceField(coerce=int, required=False)
    sector = forms.ChoiceField(
        required=False, choices=[("", "All sectors"), *Agency.Sector.choices]
    )
    # A name search rather than a list of every agency: the list grows with the network.
    agency_name = forms.CharField(required=False, max_length=100, label="Agency name")
    # Links from an agency's page name it exactly, by slug.
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.active(),
        required=False,
        to_field_name="slug",
        widget=forms.HiddenInput,
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses"), *Pledge.Status.choices]
    )

    def __init__(self, *args, years, default_year, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted({*years, default_year}, reverse=True)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = default_year

    def value(self, name, default=None):
        """The cleaned value of a field, or the default when it is missing or invalid."""
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class PledgeForm(forms.ModelForm):
    """Record a pledge for one of the user's agencies (any agency for an officer)."""

    year = forms.TypedChoiceField(coerce=int, help_text="The year the pledge is for.")
    made_at = forms.ModelChoiceField(
        queryset=Event.objects.none(),
        required=False,
        label="Made at",
        empty_label="Not made at a conference",
        help_text="The conference where the pledge was made, if any.",
    )

    class Meta:
        model = Pledge
        fields = ["agency", "year", "text", "visibility", "made_at"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Officers record pledges for any agency; members only for their own.
        officer = has_officer_powers(user)  # after MFA (wmasn/officers.py)
        agencies = Agency.objects.active() if officer else Agency.objects.for_member(user)
        self.fields["agency"].queryset = agencies
        self.single_agency = None
        if not officer:
            own = list(agencies)
            if len(own) == 1:
                # One agency: nothing to choose; a forged id still fails the queryset check.
                self.single_agency = own[0]
                self.fields["agency"].widget = forms.HiddenInput()
                self.initial["agency"] = own[0].pk
        self.fields["year"].choices = [(y, str(y)) for y in pledge_year_choices(today)]
        if not self.initial.get("year"):
            # After the conference the reminders ask for next year's pledges: so does the form.
            today = today or timezone.localdate()
            in_window = in_new_pledge_window(today)
            self.initial["year"] = (
                coming_pledge_year(today) if in_window else current_pledge_year(today)
            )
        self.fields["made_at"].queryset = conference_events()

    def clean(self):
        cleaned = super().clean()
        event, year = cleaned.get("made_at"), cleaned.get("year")
        if event and year and pledge_year_for_event(event) != year:
            self.add_error(
                "made_at",
                f"Pledges made at {event.title} are for {pledge_year_for_event(event)}.",
            )
        return cleaned


class PledgeEditForm(VersionedForm, forms.ModelForm):
    """Change a pledge's wording, status and visibility."""

    class Meta:
        model = Pledge
        fields = ["text", "status", "visibility"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class ProgressUpdateForm(forms.Form):
    """A progress note, optionally moving the pledge to a new status."""

    note = forms.CharField(
        label="Progress note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=PledgeUpdate._meta.get_field("note").max_length,
        help_text="What has your agency done towards this pledge?",
    )
    status = forms.ChoiceField(
        label="New status",
        required=False,
        choices=[("", "No change"), *Pledge.Status.choices],
    )


class ConferenceEventForm(forms.Form):
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(),
        label="Conference",
        help_text="Every pledge below is linked to this conference and is for the following year.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = conference_events()


class ConferencePledgeRowForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.active())
    text = forms.CharField(
        label="Pledge",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=Pledge._meta.get_field("text").max_length,
    )
    visibility = forms.ChoiceField(
        choices=Pledge.Visibility.choices, initial=Pledge.Visibility.PUBLIC
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rows sit in a table under column headings; name each field for screen readers.
        row = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else 1
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = f"{self[name].label}, row {row}"


ConferencePledgeFormSet = forms.formset_factory(
    ConferencePledgeRowForm, extra=9, min_num=1, validate_min=True, max_num=60, validate_max=True
)

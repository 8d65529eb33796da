"""Forms for agencies: the directory filter and the member-edited profile."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from network.models import Agency, AgencyContact, Area


class AgencyFilterForm(forms.Form):
    """The directory's GET form: search by name, filter by sector and area."""

    q = forms.CharField(label="Search by name", required=False, max_length=100)
    sector = forms.ChoiceField(
        label="Sector", required=False, choices=[("", "Any sector"), *Agency.Sector.choices]
    )
    area = forms.ModelChoiceField(
        label="Area",
        required=False,
        queryset=Area.objects.all(),
        to_field_name="slug",
        empty_label="Any area",
    )

    def filter(self, agencies):
        """Narrow the agencies by the valid filters; invalid ones are ignored."""
        if not self.is_valid():
            return agencies
        data = self.cleaned_data
        if data["q"]:
            agencies = agencies.filter(name__icontains=data["q"].strip())
        if data["sector"]:
            agencies = agencies.filter(sector=data["sector"])
        if data["area"]:
            agencies = agencies.filter(areas=data["area"])
        return agencies


# The largest id a 64-bit integer column holds.
MAX_ID = 2**63 - 1


class AreasField(forms.ModelMultipleChoiceField):
    """Areas by id; an id too large for the database is an invalid choice, not a 500
    (SQLite raises OverflowError for it inside the `pk__in` query)."""

    def clean(self, value):
        for pk in value or []:
            try:
                too_large = int(str(pk)) > MAX_ID
            except ValueError:
                continue  # not a number: the parent class reports it as an invalid choice
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class AgencyProfileForm(forms.ModelForm):
    """The public profile an agency's members keep up to date."""

    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    areas = AreasField(
        label="Areas",
        queryset=Area.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The areas your agency serves.",
    )

    class Meta:
        model = Agency
        fields = ["description", "website", "public_email", "public_phone", "address", "areas"]
        labels = {"public_email": "Public email", "public_phone": "Public phone"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "address": forms.Textarea(attrs={"rows": 3}),
            "areas": forms.CheckboxSelectMultiple,
        }
        help_texts = {"areas": "The areas your agency serves."}


AgencyContactFormSet = inlineformset_factory(
    Agency,
    AgencyContact,
    fields=["name", "role", "email", "phone", "order"],
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
    labels={"order": "Order in the list"},
)

"""Forms for agencies: the directory filter and the member-edited profile."""

from django import forms
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


class AgencyProfileForm(forms.ModelForm):
    """The public profile an agency's members keep up to date."""

    website = forms.URLField(label="Website", required=False, assume_scheme="https")

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

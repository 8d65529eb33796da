"""Forms for memberships: ask to join an agency, or propose a new one."""

from django import forms

from network.memberships import joinable_agencies
from network.models import Agency


class JoinAgencyForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), empty_label="Choose an agency"
    )
    role = forms.CharField(label="Your role at the agency", required=False, max_length=150)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = joinable_agencies(user)


class ProposeAgencyForm(forms.ModelForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    role = forms.CharField(label="Your role at the agency", required=False, max_length=150)

    class Meta:
        model = Agency
        fields = ["name", "sector", "website", "description"]
        labels = {"name": "Agency name"}
        help_texts = {"description": "What the agency does about modern slavery."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Agency.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "An agency with this name is already listed or proposed: ask to join it instead."
            )
        return name

    def validate_unique(self):
        # The slug is made when the agency is created; name uniqueness is checked above.
        pass

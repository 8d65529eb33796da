"""Forms of the network app."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from network.models import Agency, AgencyContact, Area, GroupMembership, NotificationPreferences
from network.services import joinable_agencies
from wmasn.concurrency import VersionedForm


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
    """Areas by id; an id out of the database's range is an invalid choice, not a 500
    (SQLite raises OverflowError for it inside the `pk__in` query)."""

    def clean(self, value):
        for pk in value or []:
            try:
                too_large = not -MAX_ID - 1 <= int(str(pk)) <= MAX_ID
            except ValueError:
                continue  # not a number: the parent class reports it as an invalid choice
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class AgencyProfileForm(VersionedForm, forms.ModelForm):
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
        }


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


class JoinAgencyForm(forms.Form):
    """Ask to join an agency. Its choices are the agencies a search found (or the one
    chosen), never all of them; any joinable agency validates."""

    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), widget=forms.RadioSelect
    )
    role = forms.CharField(label="Your role at the agency", required=False, max_length=150)

    def __init__(self, *args, user, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = joinable_agencies(user)
        field.widget.choices = [(agency.pk, agency.name) for agency in matches]


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


class GroupCalendarForm(forms.ModelForm):
    """Whether this group's meetings go to the member's personal calendar feed."""

    class Meta:
        model = GroupMembership
        fields = ["show_in_calendar"]
        labels = {"show_in_calendar": "Show this group's meetings in my calendar"}
        help_texts = {"show_in_calendar": "Network meetings are always in your calendar feed."}


class DeleteAccountForm(forms.Form):
    """Re-authentication before the account is deleted."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you, type the password you log in with.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password

    def clean(self):
        cleaned = super().clean()
        if self.user.is_superuser:
            raise forms.ValidationError(
                "A superuser account can't be deleted here: ask another administrator to "
                "remove your superuser status first, so that someone can still run the portal.",
                code="superuser",
            )
        return cleaned


class SignupForm(forms.Form):
    """What allauth's sign-up asks besides email and password (ACCOUNT_SIGNUP_FORM_CLASS):
    a name, so officers and emails greet a person, and the person's agency, or a proposal."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    agency = forms.ModelChoiceField(
        label="Your agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose your agency",
        help_text="An officer approves your membership (at once if your email is on its domain).",
    )
    new_agency_name = forms.CharField(
        label="Or, if it is not listed, your agency's name",
        max_length=200,
        required=False,
        help_text="A network officer checks a proposed agency before it joins the directory.",
    )
    new_agency_sector = forms.ChoiceField(
        label="Its sector",
        choices=[("", "Choose a sector"), *Agency.Sector.choices],
        required=False,
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "agency",
        "new_agency_name",
        "new_agency_sector",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active().order_by("name")
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["new_agency_name"].widget.attrs["autocomplete"] = "organization"

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def clean(self):
        cleaned = super().clean()
        agency = cleaned.get("agency")
        name = (cleaned.get("new_agency_name") or "").strip()
        cleaned["new_agency_name"] = name
        if agency and name:
            self.add_error(
                "new_agency_name", "Choose your agency from the list or propose one, not both."
            )
        elif name:
            if Agency.objects.filter(name__iexact=name).exists():
                self.add_error(
                    "new_agency_name",
                    "An agency with this name is already listed or proposed: choose it above, "
                    "or ask to join it after signing up.",
                )
            if not cleaned.get("new_agency_sector"):
                self.add_error("new_agency_sector", "Choose the sector of the agency you propose.")
        return cleaned

    def signup(self, request, user):
        """Called by allauth once the user is saved: ask to join, or propose, the agency. The
        officers hear of it once the email address is confirmed (network.signals)."""
        from network import services

        agency = self.cleaned_data.get("agency")
        name = self.cleaned_data.get("new_agency_name")
        if agency:
            services.request_membership(user=user, agency=agency)
        elif name:
            services.propose_agency(
                user=user, name=name, sector=self.cleaned_data["new_agency_sector"]
            )


class AcceptInvitationForm(forms.Form):
    """A new member's name and password, set from their invitation link."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["first_name"].initial = invitation.first_name
        self.fields["last_name"].initial = invitation.last_name

    def clean(self):
        from django.contrib.auth import password_validation

        from network.models import User

        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        elif password:
            candidate = User(
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class NotificationPreferencesForm(forms.ModelForm):
    """Which kinds of email the member gets, and how meetings reach their calendar."""

    calendar_invitations = forms.TypedChoiceField(
        label="How meetings reach my calendar",
        choices=[
            (False, "I subscribe to the network's calendar feed, or add meetings myself"),
            (True, "Send me calendar invitations with my meeting emails (best for Outlook)"),
        ],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        help_text=(
            "Choose one: with both, each meeting shows twice in your calendar. Invitations "
            "come with announcements, changes, reminders and cancellations, and update the "
            "meeting in your calendar when it moves or is cancelled."
        ),
    )

    class Meta:
        model = NotificationPreferences
        fields = [
            "newsletter",
            "meetings",
            "reminders",
            "pledge_reminders",
            "action_reminders",
            "calendar_invitations",
        ]

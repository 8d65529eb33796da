"""The registration form: the standard questions the event asks, then its own."""

from django import forms

from events.registration.models import Question

PHOTO_CHOICES = [
    ("yes", "Yes, I agree to appear in photos of the event"),
    ("no", "No, please do not photograph me"),
]


class RegistrationForm(forms.Form):
    """A member's form (details pre-filled, so one click registers) or a guest's (name and
    email too). `cleaned_details()` gives what services.register_* store."""

    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(
        max_length=254, label="Email", help_text="We email you a link to confirm your place."
    )
    organisation = forms.CharField(max_length=200)
    job_role = forms.CharField(max_length=200, required=False, label="Job role")
    dietary_needs = forms.CharField(
        max_length=500,
        required=False,
        label="Dietary needs",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    access_needs = forms.CharField(
        max_length=500,
        required=False,
        label="Access needs",
        help_text="Anything that would help you take part: step-free access, a hearing loop, "
        "large print.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Consent is given, or refused, only by choosing: no answer records none (and no photos).
    photo_consent = forms.ChoiceField(
        choices=PHOTO_CHOICES,
        widget=forms.RadioSelect,
        label="Photos",
        required=False,
        help_text="Without an answer we take it as no.",
    )

    def __init__(self, *args, settings, guest, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(settings.questions.all())
        if not guest:
            del self.fields["name"], self.fields["email"]
        if not settings.ask_dietary_needs:
            del self.fields["dietary_needs"]
        if not settings.ask_access_needs:
            del self.fields["access_needs"]
        if not settings.ask_photo_consent:
            del self.fields["photo_consent"]
        for question in self.questions:
            self.fields[question.field_name] = _question_field(question)

    def cleaned_details(self):
        data = self.cleaned_data
        details = {
            name: data[name]
            for name in ("organisation", "job_role", "dietary_needs", "access_needs")
            if name in data
        }
        if data.get("photo_consent"):
            details["photo_consent"] = data["photo_consent"] == "yes"
        details["answers"] = {
            str(question.pk): data.get(question.field_name) for question in self.questions
        }
        return details


def _question_field(question):
    options = [(option, option) for option in question.options]
    if question.kind == Question.Kind.ONE:
        return forms.ChoiceField(
            label=question.text,
            choices=options,
            required=question.required,
            widget=forms.RadioSelect,
        )
    if question.kind == Question.Kind.SEVERAL:
        return forms.MultipleChoiceField(
            label=question.text,
            choices=options,
            required=question.required,
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(label=question.text, max_length=1000, required=question.required)


def initial_for_member(user, rsvp=None):
    """A member's answers so far, or their first agency and job title."""
    if rsvp is not None and rsvp.organisation:
        initial = {
            "organisation": rsvp.organisation,
            "job_role": rsvp.job_role,
            "dietary_needs": rsvp.dietary_needs,
            "access_needs": rsvp.access_needs,
        }
        if rsvp.photo_consent is not None:
            initial["photo_consent"] = "yes" if rsvp.photo_consent else "no"
        for key, value in (rsvp.answers or {}).items():
            initial[f"q{key}"] = value
        return initial
    from network.models import Agency

    agency = Agency.objects.for_member(user).order_by("name").first()
    return {
        "organisation": agency.name if agency else "",
        "job_role": getattr(user, "job_title", ""),
    }

"""The services survey: one form per agency, one row per service, saved all at once."""

from django import forms
from django.db import transaction

from survey.models import AgencyService


class ServiceAnswerForm(forms.Form):
    """One service: do we provide it, where, and any notes."""

    service = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    provided = forms.BooleanField(label="We provide this", required=False)
    areas = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="Areas where it is offered",
        widget=forms.CheckboxSelectMultiple,
        help_text="Region-wide covers every local area.",
    )
    notes = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: who can refer, eligibility, languages, opening hours.",
    )

    def __init__(self, *args, service_choices, area_choices, service_names, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from lists read once for the whole form, so a forged id is an error
        # and rendering forty rows costs no extra queries.
        self.fields["service"].choices = service_choices
        self.fields["areas"].choices = area_choices
        self.service_name = service_names.get(self.initial.get("service"), "Service")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("provided") and not cleaned.get("areas") and "areas" not in self.errors:
            self.add_error("areas", "Choose at least one area where you offer this service.")
        # Ticked areas without "We provide this" would be dropped on saving: ask instead.
        if cleaned.get("areas") and not cleaned.get("provided") and "provided" not in self.errors:
            self.add_error(
                "provided",
                f'You ticked areas for {self.service_name}: tick "We provide this" too, '
                "or untick the areas.",
            )
        return cleaned


class BaseAgencyServicesFormSet(forms.BaseFormSet):
    """Every service for one agency; save() creates, updates and deletes its answers."""

    def __init__(self, *args, agency, services, areas, **kwargs):
        self.agency = agency
        self.services = services
        self.areas = areas
        self.existing = {
            answer.service_id: answer for answer in agency.services.prefetch_related("areas")
        }
        initial = []
        for service in services:
            answer = self.existing.get(service.pk)
            initial.append(
                {
                    "service": service.pk,
                    "provided": answer is not None,
                    "areas": [area.pk for area in answer.areas.all()] if answer else [],
                    "notes": answer.notes if answer else "",
                }
            )
        super().__init__(*args, initial=initial, prefix="services", **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["service_choices"] = [(service.pk, service.name) for service in self.services]
        kwargs["area_choices"] = [(area.pk, area.name) for area in self.areas]
        kwargs["service_names"] = {service.pk: service.name for service in self.services}
        # Every row must name its service, even one a forged management form added.
        kwargs["empty_permitted"] = False
        return kwargs

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            service_id = form.cleaned_data.get("service")
            if service_id in seen:
                raise forms.ValidationError("Each service can be answered only once.")
            seen.add(service_id)

    @transaction.atomic
    def save(self):
        """Apply every answer in one transaction; returns the number of answers changed."""
        changed = 0
        for form in self.forms:
            data = form.cleaned_data
            service_id = data["service"]
            answer = self.existing.get(service_id)
            if not data["provided"]:
                if answer is not None:
                    answer.delete()
                    changed += 1
                continue
            area_ids = set(data["areas"])
            if answer is not None:
                same_areas = {area.pk for area in answer.areas.all()} == area_ids
                if same_areas and answer.notes == data["notes"]:
                    continue
                answer.notes = data["notes"]
            else:
                answer = AgencyService(agency=self.agency, service_id=service_id)
                answer.notes = data["notes"]
            answer.full_clean(exclude=["areas"])
            answer.save()
            answer.areas.set(area_ids)
            changed += 1
        return changed


AgencyServicesFormSet = forms.formset_factory(
    ServiceAnswerForm,
    formset=BaseAgencyServicesFormSet,
    extra=0,
    # A forged management form cannot make the formset build thousands of forms.
    max_num=200,
    absolute_max=200,
    validate_max=True,
)

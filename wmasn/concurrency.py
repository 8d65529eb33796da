"""No silent overwrite: a form remembers which version of the object it was opened on.

The form carries the object's `updated_at` in a hidden field. When someone else has saved
the object since, the form is invalid: it lists what is saved now next to what you sent and
asks you to save again, with the hidden field moved on to the version you have now seen.
The view checks once more inside its saving transaction, with the row locked
(`still_current()`), so two saves at the same moment cannot both pass.

    form = AgencyProfileForm(request.POST or None, instance=agency, saved=agency)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if form.still_current():
                form.save()
"""

from django import forms
from django.db import models

STALE_MESSAGE = (
    "Someone else saved this since you opened it. Their version is shown below next to "
    "yours: check it, then save again to keep yours."
)


def version_of(obj):
    return obj.updated_at.isoformat()


def _shown(field, value):
    if isinstance(value, models.Manager):
        value = list(value.all())
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(sorted(str(item) for item in value)) or "(none)"
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field, forms.ModelChoiceField):
        value = dict(choices).get(value, value)
    return "(empty)" if value in (None, "") else str(value)


class VersionedForm(forms.Form):
    """Mix into a form that edits `saved`, an object with an `updated_at` field."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, saved, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved = saved
        self.changes = []
        self.fields["version"].initial = version_of(saved)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("version") != version_of(self.saved):
            self._conflict()
        return cleaned

    def still_current(self):
        """Inside the saving transaction: lock the row and compare versions once more."""
        model = type(self.saved)
        stored = model.objects.select_for_update().get(pk=self.saved.pk)
        if version_of(stored) == self.cleaned_data.get("version"):
            return True
        self.saved = stored
        self._conflict()
        return False

    def _conflict(self):
        self.changes = []
        for name, field in self.fields.items():
            if name == "version" or name not in self.cleaned_data:
                continue
            theirs = _shown(field, getattr(self.saved, name, None))
            yours = _shown(field, self.cleaned_data[name])
            if theirs != yours:
                self.changes.append({"label": field.label or name, "saved": theirs, "yours": yours})
        # Asking again: the next save is made knowing this version.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = version_of(self.saved)
        self.add_error(None, forms.ValidationError(STALE_MESSAGE, code="stale"))

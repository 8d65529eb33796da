"""Validation every model shares."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models


class RejectsNulBytes:
    """full_clean() refuses a NUL byte in any text field: PostgreSQL cannot store one.

    Form fields already refuse NUL; this covers writes that go straight to a model's
    full_clean() (service functions, the admin's own forms, management commands).
    """

    def clean_fields(self, exclude=None):
        errors = {}
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude:
                continue
            value = getattr(self, field.attname, None)
            if isinstance(value, str) and "\x00" in value:
                errors[field.name] = [
                    ValidationError(
                        "Null characters are not allowed.", code="null_characters_not_allowed"
                    )
                ]
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class BoundedTextField(models.TextField):
    """A TextField whose max_length is enforced by full_clean() too, not only by forms.

    Django gives a TextField's max_length to its form field (a clear "Ensure this value has
    at most N characters" error and a maxlength attribute) but never checks it on the model;
    this adds the validator CharField has, so services and the admin are bounded as well.
    """

    def __init__(self, *args, max_length, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

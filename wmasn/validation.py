"""Validation every model shares."""

from django.core.exceptions import ValidationError


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

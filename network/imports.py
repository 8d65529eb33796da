"""Onboarding an existing network from its spreadsheet (CSV or Excel, django-import-export):
agencies with their sector, areas, email domains and public contacts, and people with their
agency (as invitations to send). The admin shows a dry run row by row (new, update, skipped,
or refused with the reason) and writes nothing until the officer confirms; the import runs
in one transaction, and importing the same sheet again updates rather than duplicates."""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX

from network.models import Agency, Area, Invitation
from network.services import unique_agency_slug

IMPORT_FORMATS = [CSV, XLSX]


class SectorWidget(widgets.CharWidget):
    """A sector by its value or its label, in any case ("third", "Third sector")."""

    def clean(self, value, row=None, **kwargs):
        text = (super().clean(value, row, **kwargs) or "").strip().lower()
        for sector in Agency.Sector:
            if text in (sector.value, sector.label.lower()):
                return sector.value
        choices = ", ".join(s.value for s in Agency.Sector)
        raise ValueError(f"Unknown sector {value!r}: use one of {choices}.")


class AreasWidget(widgets.ManyToManyWidget):
    """Area names separated by semicolons; an unknown name refuses the row."""

    def __init__(self):
        super().__init__(Area, separator=";", field="name")

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in str(value or "").replace(",", ";").split(";") if n.strip()]
        areas = {a.name.lower(): a for a in Area.objects.all()}
        unknown = [n for n in names if n.lower() not in areas]
        if unknown:
            raise ValueError(
                f"Unknown area {', '.join(unknown)}: use the names of the Areas list "
                "(Birmingham, Coventry, …, Region-wide)."
            )
        return [areas[n.lower()] for n in names]


class AgencyNameWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Agency, field="name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError("An agency is required.")
        agency = Agency.objects.filter(name__iexact=name).first()
        if agency is None:
            raise ValueError(f"No agency called {name!r}: import the agencies first.")
        return agency


class LowerEmailWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return (super().clean(value, row, **kwargs) or "").strip().lower()


class AgencyResource(resources.ModelResource):
    sector = fields.Field(attribute="sector", column_name="sector", widget=SectorWidget())
    areas = fields.Field(attribute="areas", column_name="areas", widget=AreasWidget())

    class Meta:
        model = Agency
        fields = (
            "name",
            "slug",
            "sector",
            "description",
            "website",
            "public_email",
            "public_phone",
            "address",
            "areas",
            "email_domains",
        )
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Areas are saved after the row, so check them now: an unknown one refuses the row
        # beside the other reasons, in the dry run.
        try:
            self.fields["areas"].clean(row)
        except ValueError as error:
            errors["areas"] = [str(error)]
        # The slug is made from the name before validation, so full_clean() accepts it.
        if not instance.slug and instance.name:
            instance.slug = unique_agency_slug(instance.name)
        if errors:
            raise ValidationError(errors)


class PersonResource(resources.ModelResource):
    """People with their agency: each row is an invitation, sent once the officer chooses."""

    email = fields.Field(attribute="email", column_name="email", widget=LowerEmailWidget())
    agency = fields.Field(attribute="agency", column_name="agency", widget=AgencyNameWidget())

    class Meta:
        model = Invitation
        name = "People (as invitations)"
        fields = ("email", "first_name", "last_name", "agency", "role")
        import_id_fields = ("email", "agency")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if instance.invited_by_id is None and user is not None and user.is_authenticated:
            instance.invited_by = user

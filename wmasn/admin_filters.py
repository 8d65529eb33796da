"""Admin list filters that never list every row of a large table."""

from django.contrib import admin


def chosen_only_filter(field_name, title):
    """A list filter by a foreign key (an agency, an issue) that shows only the object it
    is filtered by, not one link per row of the related table. It reads the same
    `<field>__id__exact` parameter as Django's own related filter, so links to a filtered
    list keep working; the list's search box finds the rest."""

    class ChosenOnlyFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}__id__exact"

        def lookups(self, request, model_admin):
            value = self.value()
            if not value or not value.isdigit():
                return []
            related = model_admin.model._meta.get_field(field_name).related_model
            chosen = related._default_manager.filter(pk=int(value)).first()
            return [(str(chosen.pk), str(chosen))] if chosen else []

        def has_output(self):
            # Shown (and applied) whenever the list is filtered by it, even by a bad value.
            return self.value() is not None

        def queryset(self, request, queryset):
            value = self.value()
            if value is None:
                return queryset
            if not value.isdigit():
                return queryset.none()
            return queryset.filter(**{f"{field_name}_id": int(value)})

    ChosenOnlyFilter.title = title
    ChosenOnlyFilter.__name__ = f"{field_name.title()}ChosenOnlyFilter"
    return ChosenOnlyFilter


def titled_filter(title, base=admin.ChoicesFieldListFilter):
    """A field's own list filter under a title of our choosing, so that a list filtered by
    its status and its agency's status does not show "By status" twice."""

    class TitledFilter(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    TitledFilter.__name__ = f"{base.__name__}Titled"
    return TitledFilter

"""Admin for resources: helplines, forms, guidance and contacts, ordered within each kind."""

from django.contrib import admin
from django.db import models

from network.models import Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "phone", "email", "url", "order")
    list_editable = ("order",)
    list_filter = ("kind",)
    search_fields = ("title", "description", "phone", "email", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("kind", "title", "description", "phone", "hours", "email", "url", "order")

"""The "Network officers" group, and the site's name and domain, kept right on every migrate."""

from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.sites.models import Site
from django.db import DEFAULT_DB_ALIAS

from network.models import OFFICERS_GROUP

OFFICER_APPS = [
    "network",
    "events",
    "pledges",
    "survey",
    "actions",
    "newsletters",
    "mail",
    "jobs",
    "reports",
]
OFFICER_EXTRA_PERMISSIONS = {"account": ["view_emailaddress", "change_emailaddress"]}


def officers_group(using=DEFAULT_DB_ALIAS):
    """The group with its permissions, created if a flushed test database lost it."""
    group, created = Group.objects.using(using).get_or_create(name=OFFICERS_GROUP)
    if created or not group.permissions.exists():
        permissions = list(
            Permission.objects.using(using).filter(content_type__app_label__in=OFFICER_APPS)
        )
        for app_label, codenames in OFFICER_EXTRA_PERMISSIONS.items():
            permissions += Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        group.permissions.add(*permissions)
    return group


def sync_site(using=DEFAULT_DB_ALIAS):
    """The Sites framework's domain and name follow SITE_URL, so "View on site" opens the portal."""
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": settings.NETWORK_NAME},
    )


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: every app's permissions first, so the group can be given them."""
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    officers_group(using)
    sync_site(using)

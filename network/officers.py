"""The "Network officers" group: the chair and network support run the network from the admin."""

from django.contrib.auth.models import Group, Permission

from network.models.users import OFFICERS_GROUP

OFFICER_APPS = ["network", "events", "newsletters"]
OFFICER_EXTRA_PERMISSIONS = {"account": ["view_emailaddress", "change_emailaddress"]}


def officers_group():
    """The group with its permissions, created if a flushed test database lost it."""
    group, created = Group.objects.get_or_create(name=OFFICERS_GROUP)
    if created or not group.permissions.exists():
        permissions = list(Permission.objects.filter(content_type__app_label__in=OFFICER_APPS))
        for app_label, codenames in OFFICER_EXTRA_PERMISSIONS.items():
            permissions += Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        group.permissions.add(*permissions)
    return group

"""Create the "Network officers" group with its permissions; safe to run again."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICERS_GROUP = "Network officers"
OFFICER_APPS = ["network", "events", "newsletters"]


def create_officers_group(apps, schema_editor):
    # Permissions are normally created after migrate; create them now so the group gets them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=OFFICERS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=OFFICER_APPS)
    group.permissions.add(*permissions)
    email_permissions = Permission.objects.filter(
        content_type__app_label="account", codename__in=["view_emailaddress", "change_emailaddress"]
    )
    group.permissions.add(*email_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("events", "0002_initial"),
        ("newsletters", "0001_initial"),
        ("account", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_officers_group, migrations.RunPython.noop),
    ]

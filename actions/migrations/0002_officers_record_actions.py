"""Network officers record actions and decisions: an existing officers group gets the new
app's permissions (a new group gets them from network.officers.officers_group)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICERS_GROUP = "Network officers"


def give_officers_the_permissions(apps, schema_editor):
    app_config = apps.get_app_config("actions")
    # A migration's app stub has no models module; create_permissions only asks whether it has.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=OFFICERS_GROUP).first()
    if group is not None and group.permissions.exists():
        group.permissions.add(*Permission.objects.filter(content_type__app_label="actions"))


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_actions_and_decisions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(give_officers_the_permissions, migrations.RunPython.noop)]

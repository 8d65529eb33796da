"""The newsletter's switch moves from User.newsletter_opt_out to NotificationPreferences, where
every other kind of email is switched: each opt-out is carried across (and back, reversed)."""

from django.db import migrations, models


def carry_opt_outs_across(apps, schema_editor):
    User = apps.get_model("network", "User")
    NotificationPreferences = apps.get_model("network", "NotificationPreferences")
    opted_out = User.objects.filter(newsletter_opt_out=True)
    NotificationPreferences.objects.filter(user__in=opted_out).update(newsletter=False)
    without_row = opted_out.filter(notification_preferences__isnull=True).values_list(
        "pk", flat=True
    )
    NotificationPreferences.objects.bulk_create(
        [NotificationPreferences(user_id=pk, newsletter=False) for pk in without_row],
        batch_size=500,
    )


def carry_opt_outs_back(apps, schema_editor):
    User = apps.get_model("network", "User")
    NotificationPreferences = apps.get_model("network", "NotificationPreferences")
    opted_out = NotificationPreferences.objects.filter(newsletter=False).values("user_id")
    User.objects.filter(pk__in=opted_out).update(newsletter_opt_out=True)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0006_membership_decided_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreferences",
            name="newsletter",
            field=models.BooleanField(
                default=True,
                help_text="Each issue, when it is published.",
                verbose_name="the newsletter",
            ),
        ),
        migrations.RunPython(carry_opt_outs_across, carry_opt_outs_back, elidable=False),
    ]

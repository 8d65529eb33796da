"""Drop User.newsletter_opt_out, now NotificationPreferences.newsletter (0007). A migration of
its own: PostgreSQL cannot alter a table in the transaction that wrote rows pointing at it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0007_preferences_newsletter"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="user",
            name="newsletter_opt_out",
        ),
    ]

"""JobRun and WorkerHeartbeat now belong to the jobs app (wmasn.jobs), which took over their
tables in jobs.0001: here they leave the mail app's state only, and no table is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="JobRun"),
                migrations.DeleteModel(name="WorkerHeartbeat"),
            ],
            database_operations=[],
        ),
    ]

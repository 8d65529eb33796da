"""The periodic jobs' records and the workers' heartbeats move here from the mail app.

The tables already exist (made by mail.0001 as `mail_jobrun` and `mail_workerheartbeat`):
this takes them over with their rows, renames them for this app, and moves their content
types, so the officers' permissions and the admin's history follow the models.
"""

import django.utils.timezone
from django.db import migrations, models


def move_content_types(apps, schema_editor, *, source="mail", target="jobs"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in ("jobrun", "workerheartbeat"):
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="jobs", target="mail")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, unique=True)),
                        ("last_started_at", models.DateTimeField(blank=True, null=True)),
                        ("last_finished_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                    ],
                    options={
                        "verbose_name": "periodic job",
                        "ordering": ["name"],
                        "db_table": "mail_jobrun",
                    },
                ),
                migrations.CreateModel(
                    name="WorkerHeartbeat",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("worker", models.CharField(max_length=100, unique=True)),
                        (
                            "last_seen",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                    ],
                    options={
                        "verbose_name": "worker",
                        "ordering": ["-last_seen"],
                        "db_table": "mail_workerheartbeat",
                    },
                ),
            ],
            database_operations=[],
        ),
        # Now renamed for this app (ALTER TABLE … RENAME: the rows stay).
        migrations.AlterModelTable(name="jobrun", table=None),
        migrations.AlterModelTable(name="workerheartbeat", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

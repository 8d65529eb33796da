"""`make restore BACKUP=path`: load a pg_dump file back, replacing the database's contents."""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from network import backups
from wmasn.changes import data_replaced
from wmasn.settings.environment import env_str


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_database into DATABASE_URL, or into "
        "RESTORE_DATABASE_URL / --target-url when given. Everything in the target is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The .dump file written by backup_database.")
        parser.add_argument(
            "--target-url",
            default=None,
            help="postgres:// URL of the database to restore into (default: RESTORE_DATABASE_URL, "
            "then DATABASE_URL).",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--no-media",
            action="store_false",
            dest="media",
            help="Restore the database only, not the uploaded files archived beside it.",
        )

    def handle(self, *args, backup, target_url, interactive, media=True, **options):
        target_url = target_url or env_str("RESTORE_DATABASE_URL")
        try:
            if target_url:
                database = backups.database_from_url(target_url)
            else:
                database = connections["default"].settings_dict
                backups.check_postgresql(database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error

        where = f"{database['NAME']} on {database.get('HOST') or 'localhost'}"
        if interactive:
            answer = input(
                f"This replaces everything in the database {where} with {backup}"
                + (", and the uploaded files of the same names" if media else "")
                + ".\n"
                "Stop the app servers first. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        connections.close_all()
        try:
            backups.restore(backup_path=backup, database=database)
            files = (
                backups.restore_media(storage=default_storage, dump_path=backup) if media else None
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        # Caches of the old contents (the calendar feeds and their link checks) are stale.
        data_replaced.send(sender=self.__class__, database=database)
        self.stdout.write(f"Restored {backup} into {where}.")
        if files is not None:
            self.stdout.write(f"Restored {files} uploaded files into the default storage.")

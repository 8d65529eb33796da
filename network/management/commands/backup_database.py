"""`make backup`: a pg_dump of the database into var/backups/, pruning old ones."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from network import backups
from network.privacy import BACKUP_KEEP_DAYS


class Command(BaseCommand):
    help = "Write a pg_dump (custom format) of the database named by DATABASE_URL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(settings.VAR_DIR / "backups"),
            help="Where to write wmasn-<UTC time>.dump (default var/backups/).",
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            default=BACKUP_KEEP_DAYS,
            help=f"Delete backups in the directory older than this (default {BACKUP_KEEP_DAYS}); "
            "0 keeps them all.",
        )
        parser.add_argument("--database", default="default", help="Database alias to back up.")
        parser.add_argument(
            "--no-media",
            action="store_false",
            dest="media",
            help="Do not archive the uploaded files (photos, documents) beside the dump.",
        )

    def handle(self, *args, output_dir, keep_days, database, media=True, **options):
        if keep_days < 0:
            raise CommandError("--keep-days must be 0 or more.")
        connection = connections[database]
        try:
            backups.check_postgresql(connection.settings_dict)
            # pg_dump refuses a newer server; say so plainly before trying.
            server_major = connection.pg_version // 10000
            tool_major = backups.tool_major_version("pg_dump")
            if tool_major < server_major:
                raise backups.BackupError(
                    f"pg_dump {tool_major} is older than the server (PostgreSQL {server_major}): "
                    "install the matching client tools."
                )
            path = backups.backup(database=connection.settings_dict, output_dir=output_dir)
            archive = (
                backups.backup_media(storage=default_storage, dump_path=path) if media else None
            )
            removed = backups.prune(output_dir=output_dir, keep_days=keep_days) if keep_days else []
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(f"Backup written: {path} ({size} bytes)")
        if archive:
            self.stdout.write(f"Uploaded files: {archive[1]} written to {archive[0]}")
        for old in removed:
            self.stdout.write(f"Deleted old backup (over {keep_days} days): {old}")
        return None

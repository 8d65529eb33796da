"""PostgreSQL backups with pg_dump and pg_restore, and the uploaded files beside them
(docs/backups.md).

The password goes to the tools in PGPASSWORD, never on a command line where `ps` shows it.
Uploaded files are read and written through Django's default storage, so the same backup
works for the file system and for an S3-compatible store.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path, PurePosixPath

import dj_database_url

BACKUP_NAME_FORMAT = "wmasn-%Y%m%dT%H%M%SZ.dump"
BACKUP_NAME_RE = re.compile(r"^wmasn-(\d{8}T\d{6}Z)\.dump$")
MEDIA_SUFFIX = ".media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


def database_from_url(url):
    """Django's settings for a database URL, refusing anything but PostgreSQL."""
    if not url or not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise BackupError("Backups need PostgreSQL: the database URL must start with postgres://.")
    return dj_database_url.parse(url)


def check_postgresql(database):
    if "postgresql" not in database.get("ENGINE", ""):
        raise BackupError(
            "Backups need PostgreSQL: DATABASE_URL is not a postgres:// URL "
            f"(the database engine is {database.get('ENGINE') or 'unknown'})."
        )


def tool_path(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools.")
    return path


def tool_major_version(name):
    """The major version of pg_dump or pg_restore, e.g. 15."""
    output = subprocess.run(  # noqa: S603
        [tool_path(name), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"Could not read the version of {name}: {output!r}")
    return int(match.group(1))


def connection_args(database):
    """(command-line arguments, environment) that point a libpq tool at this database."""
    check_postgresql(database)
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    env.pop("PGPASSWORD", None)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    sslmode = (database.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {result.returncode}): {result.stderr.strip()}"
        )
    return result


def backup(*, database, output_dir, now=None):
    """Write a custom-format pg_dump of the database; returns the new file's path."""
    check_postgresql(database)
    now = now or dt.datetime.now(dt.UTC)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / now.astimezone(dt.UTC).strftime(BACKUP_NAME_FORMAT)
    partial = path.with_name(path.name + ".partial")
    args, env = connection_args(database)
    try:
        _run(
            [tool_path("pg_dump"), "--format=custom", "--file", str(partial), *args,
             "--dbname", str(database["NAME"])],
            env,
        )  # fmt: skip
        # Backups hold personal data: readable by their owner only.
        partial.chmod(0o600)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def prune(*, output_dir, keep_days, now=None):
    """Delete this tool's backups older than keep_days (judged by the time in their name)."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=keep_days)
    removed = []
    for path in sorted(Path(output_dir).glob("wmasn-*.dump")):
        match = BACKUP_NAME_RE.match(path.name)
        if match is None:
            continue
        taken = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if taken < cutoff:
            path.unlink()
            media_archive_path(path).unlink(missing_ok=True)
            removed.append(path)
    return removed


def restore(*, backup_path, database):
    """Load a pg_dump file into the database, replacing what is there, all or nothing."""
    check_postgresql(database)
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"No backup file at {backup_path}.")
    args, env = connection_args(database)
    _run(
        [tool_path("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error", *args,
         "--dbname", str(database["NAME"]), str(backup_path)],
        env,
    )  # fmt: skip


def media_archive_path(dump_path):
    """The uploaded files' archive that goes with a dump: wmasn-<time>.media.tar.gz."""
    dump_path = Path(dump_path)
    return dump_path.with_name(dump_path.name.removesuffix(".dump") + MEDIA_SUFFIX)


def stored_names(storage, directory=""):
    """Every file name in a storage, walking its directories (listdir works on S3 too)."""
    directories, files = storage.listdir(directory)
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from stored_names(storage, f"{directory}/{sub}" if directory else sub)


def backup_media(*, storage, dump_path):
    """Archive every uploaded file beside the dump; returns (archive path, file count)."""
    path = media_archive_path(dump_path)
    partial = path.with_name(path.name + ".partial")
    count = 0
    try:
        with tarfile.open(partial, "w:gz") as archive:
            partial.chmod(0o600)  # the files are personal data too (photos, minutes)
            for name in stored_names(storage):
                with storage.open(name, "rb") as handle:
                    info = tarfile.TarInfo(name)
                    info.size = storage.size(name)
                    info.mode = 0o600
                    archive.addfile(info, handle)
                count += 1
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path, count


def _safe_member_name(name):
    """A name from an archive, refused if it could leave the storage's root."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or ".." in parts or "\\" in name:
        raise BackupError(f"Refusing the unsafe file name {name!r} in the media archive.")
    return name


def restore_media(*, storage, dump_path):
    """Put the uploaded files of a backup back into the storage, replacing files of the
    same name; returns how many, or None when the backup has no media archive."""
    path = media_archive_path(dump_path)
    if not path.is_file():
        return None
    from django.core.files import File

    count = 0
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            name = _safe_member_name(member.name)
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"The storage renamed {name} to {saved}; restore stopped.")
            count += 1
    return count

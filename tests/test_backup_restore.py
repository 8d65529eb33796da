"""Backups that restore: `make backup`'s command dumps a populated database, `make restore`'s
command loads it into a scratch database, and every row of every table is found there."""

import datetime as dt
import shutil
import subprocess
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from events.models import Attendance, Event, EventDocument, SentReminder
from events.registration.models import DoorStaff, Feedback, Question, RegistrationSettings
from events.services import cancel_event
from network import backups
from network.models import Invitation, NotificationPreferences, User
from newsletters.models import Delivery, SectionDocument, SectionImage
from pledges.models import PledgeReminder
from tests.conftest import ON_POSTGRESQL
from tests.factories import (
    AgencyContactFactory,
    AgencyServiceFactory,
    AreaFactory,
    DeliveryFactory,
    DraftIssueFactory,
    EventFactory,
    GroupMembershipFactory,
    MembershipFactory,
    OfficerFactory,
    PendingMembershipFactory,
    PledgeFactory,
    PledgeUpdateFactory,
    ResourceFactory,
    RSVPFactory,
    SectionFactory,
    SubscriberFactory,
    UserFactory,
    add_document,
    add_photo,
    calendar_token_for,
)
from tests.files import PDF_BYTES, upload
from wmasn.uploads import validate_upload

needs_postgresql = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="Backups use pg_dump and pg_restore: run with DATABASE_URL=postgres://… (CI does).",
    ),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
        reason="pg_dump/pg_restore not installed (apt-get install postgresql-client).",
    ),
    # Committed rows, so that pg_dump (another connection) sees them. After the flush the
    # officers group and the site are made again by network/officers.py's post_migrate
    # receiver (serialized rollback would put back stale copies of them and collide).
    pytest.mark.django_db(transaction=True),
]


def apply(marks):
    def decorate(function):
        for mark in reversed(marks):
            function = mark(function)
        return function

    return decorate


def populate():
    """A few rows of every model, through the factories, with the links between them."""
    areas = [AreaFactory(), AreaFactory()]
    member = MembershipFactory(user__first_name="Ada", user__job_title="DI").user
    agency = member.memberships.get().agency
    agency.areas.set(areas)
    PendingMembershipFactory()
    officer = OfficerFactory()
    AgencyContactFactory(agency=agency)
    event = EventFactory(organiser=agency)
    cancel_event(event=EventFactory(venue=event.venue), reason="Snow")  # and its EventNotice
    rsvp = RSVPFactory(event=event, user=member)
    registration = RegistrationSettings.objects.create(event=event, is_open=True)
    Question.objects.create(registration=registration, text="Which workshop?")
    DoorStaff.objects.create(registration=registration, user=officer)
    Feedback.objects.create(registration=rsvp, event=event, rating=5)
    Attendance.objects.create(event=event, user=member, agency=agency, recorded_by=officer)
    SentReminder.objects.create(event=event, user=member, days_before=7)
    NotificationPreferences.objects.create(user=member, reminders=False)
    paper = EventDocument(event=event, title="Agenda")
    paper.set_upload(validate_upload(upload("agenda.pdf", PDF_BYTES)))
    paper.save()
    Invitation.objects.create(email="invited@example.org", agency=agency, invited_by=officer)
    calendar_token_for(member)
    pledge = PledgeFactory(agency=agency, created_by=member, made_at=event)
    PledgeUpdateFactory(pledge=pledge, author=member)
    PledgeReminder.objects.create(
        agency=agency, kind=PledgeReminder.Kind.YEAR_END, year=2018, sent_on=dt.date(2018, 11, 1)
    )
    AgencyServiceFactory(agency=agency).areas.set(areas)
    GroupMembershipFactory(user=member, group__lead_agency=agency)
    ResourceFactory()
    section = SectionFactory(agency=agency, event=event, author=officer)
    DraftIssueFactory(created_by=officer)
    DeliveryFactory(issue=section.issue, user=member, email=member.email, status="sent")
    add_photo(section)
    add_document(section)
    DeliveryFactory(issue=section.issue, subscriber=SubscriberFactory(), status="pending")
    Authenticator.objects.create(user=officer, type=Authenticator.Type.TOTP, data={"secret": "S"})
    UserFactory(verified=False).user_permissions.add(Permission.objects.get(codename="view_event"))
    return member


def all_tables():
    """Every table Django manages here, including many-to-many and third-party ones."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables | {"django_migrations"})


def row_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from Django)
        counts[table] = cursor.fetchone()[0]
    return counts


def database_url(name):
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{name}"


@pytest.fixture
def scratch_database():
    """An empty database beside the test one, dropped afterwards."""
    name = f"wmasn_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@apply(needs_postgresql)
def test_pg_tools_match_the_server():
    server_major = connection.pg_version // 10000

    assert backups.tool_major_version("pg_dump") >= server_major
    assert backups.tool_major_version("pg_restore") >= server_major


@apply(needs_postgresql)
def test_backup_restores_every_row_and_file_into_a_scratch_database(
    tmp_path, scratch_database, settings
):
    member = populate()
    tables = all_tables()
    with connection.cursor() as cursor:
        before = row_counts(cursor, tables)
    populated = [t for t in tables if t.split("_")[0] in {"network", "events", "newsletters"}]
    assert [t for t in populated if before[t] == 0] == []

    out = StringIO()
    call_command("backup_database", output_dir=str(tmp_path), keep_days=35, stdout=out)
    [dump] = list(tmp_path.glob("wmasn-*.dump"))
    assert f"Backup written: {dump}" in out.getvalue()
    assert dump.stat().st_mode & 0o077 == 0, "backups hold personal data: owner-only"
    archive = backups.media_archive_path(dump)
    assert "Uploaded files: 4 written" in out.getvalue()  # a photo's two sizes, a PDF
    assert archive.stat().st_mode & 0o077 == 0
    photo = SectionImage.objects.get()
    photo_name, photo_bytes = photo.web.name, photo.web.read()
    # Restore onto a machine whose storage is empty: the files come back from the archive.
    settings.MEDIA_ROOT = str(tmp_path / "restored-media")

    call_command(
        "restore_database",
        str(dump),
        target_url=database_url(scratch_database),
        interactive=False,
        stdout=StringIO(),
    )
    assert default_storage.exists(photo_name)
    with default_storage.open(photo_name, "rb") as restored_photo:
        assert restored_photo.read() == photo_bytes
    assert (tmp_path / "restored-media" / SectionDocument.objects.get().file.name).is_file()

    db = connection.settings_dict
    restored = psycopg2.connect(
        dbname=scratch_database,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    try:
        with restored.cursor() as cursor:
            after = row_counts(cursor, tables)
            cursor.execute(
                "SELECT email, first_name, job_title FROM network_user WHERE id = %s", [member.pk]
            )
            restored_member = cursor.fetchone()
            cursor.execute(
                "SELECT token_hash FROM events_calendartoken WHERE user_id = %s", [member.pk]
            )
            restored_hash = cursor.fetchone()[0]
            cursor.execute("SELECT uid, sequence, status FROM events_event ORDER BY id")
            restored_events = cursor.fetchall()
            cursor.execute("SELECT email, status FROM newsletters_delivery")
            restored_deliveries = cursor.fetchall()
    finally:
        restored.close()

    assert after == before
    assert restored_member == (member.email, "Ada", "DI")
    assert restored_hash == User.objects.get(pk=member.pk).calendar_token.token_hash
    assert restored_events == list(
        Event.objects.order_by("id").values_list("uid", "sequence", "status")
    )
    assert restored_deliveries == list(Delivery.objects.values_list("email", "status"))


@apply(needs_postgresql)
def test_backup_prunes_old_backups_and_keeps_recent_ones(tmp_path):
    old = tmp_path / "wmasn-20000101T000000Z.dump"
    recent_name = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime(
        backups.BACKUP_NAME_FORMAT
    )
    recent = tmp_path / recent_name
    unrelated = tmp_path / "keep-me.dump"
    for path in (old, recent, unrelated):
        path.write_bytes(b"x")

    out = StringIO()
    call_command("backup_database", output_dir=str(tmp_path), stdout=out)

    assert not old.exists()
    assert recent.exists() and unrelated.exists()
    assert "Deleted old backup" in out.getvalue()
    assert len(list(tmp_path.glob("wmasn-*.dump"))) == 2


@pytest.mark.skipif(not ON_POSTGRESQL, reason="The test database must be PostgreSQL.")
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command(
            "restore_database",
            str(tmp_path / "nope.dump"),
            target_url=database_url("whatever"),
            interactive=False,
        )


def test_restore_refuses_a_target_that_is_not_postgresql(tmp_path):
    dump = Path(tmp_path / "x.dump")
    dump.write_bytes(b"x")
    with pytest.raises(CommandError, match="postgres://"):
        call_command(
            "restore_database", str(dump), target_url="sqlite:///tmp/x.db", interactive=False
        )


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    with pytest.raises(backups.BackupError, match="not a postgres:// URL"):
        backups.backup(database={"ENGINE": "django.db.backends.sqlite3"}, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed.")
def test_make_restore_refuses_without_backup():
    result = subprocess.run(
        ["make", "-s", "restore"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )

    assert result.returncode != 0
    assert "make restore needs BACKUP=" in result.stderr


def test_restore_refuses_media_names_that_leave_the_storage(tmp_path):
    dump = tmp_path / "wmasn-20250101T000000Z.dump"
    dump.write_bytes(b"x")
    import io
    import tarfile

    with tarfile.open(backups.media_archive_path(dump), "w:gz") as archive:
        info = tarfile.TarInfo("../../etc/evil")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"evil"))

    with pytest.raises(backups.BackupError, match="unsafe file name"):
        backups.restore_media(storage=default_storage, dump_path=dump)
    assert not (tmp_path.parent.parent / "etc" / "evil").exists()


def test_pruning_a_backup_removes_its_media_archive(tmp_path):
    old = tmp_path / "wmasn-20000101T000000Z.dump"
    old.write_bytes(b"x")
    backups.media_archive_path(old).write_bytes(b"x")

    backups.prune(output_dir=tmp_path, keep_days=35)

    assert list(tmp_path.iterdir()) == []

"""The real worker (`python manage.py db_worker`, another process) reads the mailbox on its
minute tick: a reply appended to Dovecot is an RSVP within one polling interval. PostgreSQL
only (the worker must see the test's committed rows); CI runs it there."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from events.models import RSVP
from tests.factories import EventFactory, MembershipFactory
from wmasn.jobs.models import JobRun

from .conftest import ATTENDEE, REPLY_UID

ROOT = Path(__file__).resolve().parent.parent.parent
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
INTERVAL = dt.timedelta(minutes=1)

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="The worker is another process: run with DATABASE_URL=postgres://… (CI does).",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.imap,
]


def worker_env(mailbox):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wmasn.settings.dev",
        "DATABASE_URL": (
            f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "LOG_LEVEL": "WARNING",
        "INBOUND_IMAP_HOST": "127.0.0.1",
        "INBOUND_IMAP_PORT": str(mailbox.server.port),
        "INBOUND_IMAP_USER": mailbox.user,
        "INBOUND_IMAP_PASSWORD": mailbox.server.PASSWORD,
        "INBOUND_IMAP_TLS": "false",
        "INBOUND_ADDRESS": "replies@example.org",
    }


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_turns_a_reply_into_an_rsvp_within_one_polling_interval(
    mailbox, eml, agency, database_tasks, capsys
):
    member = MembershipFactory(agency=agency, user__email=ATTENDEE).user
    meeting = EventFactory(uid=REPLY_UID)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=worker_env(mailbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Its first tick reads the (empty) mailbox; the reply arrives just after.
        assert wait_for(
            lambda: JobRun.objects.filter(
                name="mail.read-inbox", last_finished_at__isnull=False
            ).exists(),
            60,
        ), "the worker never read the mailbox"
        appended = time.monotonic()
        mailbox.append(eml("outlook_accepted.eml"))
        answered = wait_for(
            lambda: RSVP.objects.filter(event=meeting, user=member).exists(),
            INTERVAL.total_seconds() + 30,
        )
        seconds = time.monotonic() - appended
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    assert answered, output
    with capsys.disabled():
        print(f"\n[measure] reply appended → RSVP row through the worker: {seconds:.1f} s")
    assert RSVP.objects.get(event=meeting, user=member).answer == RSVP.Answer.ATTENDING
    # One polling interval, with a few seconds for the tick's own scheduling.
    assert seconds <= INTERVAL.total_seconds() + 5

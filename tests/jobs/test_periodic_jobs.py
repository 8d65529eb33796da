"""Periodic jobs: registered by name, run when due and recorded; the cron command; the
worker's tick; the jobs' admin; and the move of their tables from the mail app."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from wmasn import jobs
from wmasn.jobs.models import JobRun, WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_job():
    calls = []

    @jobs.periodic("tests.counting", every=dt.timedelta(hours=1))
    def count():
        calls.append(timezone.now())

    yield calls
    jobs._jobs.pop("tests.counting")


def test_a_job_runs_once_per_interval_and_records_it(counting_job, time_machine):
    assert jobs.run_due_jobs(names=["tests.counting"]) == {"tests.counting": "ran"}
    assert jobs.run_due_jobs(names=["tests.counting"]) == {}
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=61))
    assert jobs.run_due_jobs(names=["tests.counting"]) == {"tests.counting": "ran"}
    assert len(counting_job) == 2
    run = JobRun.objects.get(name="tests.counting")
    assert run.last_finished_at >= run.last_started_at
    assert run.last_error == ""


def test_a_failing_job_records_its_error_and_does_not_stop_the_others(counting_job):
    @jobs.periodic("tests.broken", every=dt.timedelta(hours=1))
    def broken():
        raise RuntimeError("the job broke")

    try:
        outcomes = jobs.run_due_jobs(names=["tests.broken", "tests.counting"])
    finally:
        jobs._jobs.pop("tests.broken")
    assert outcomes == {"tests.broken": "failed", "tests.counting": "ran"}
    assert "RuntimeError: the job broke" in JobRun.objects.get(name="tests.broken").last_error


def test_a_job_is_overdue_when_not_finished_within_twice_its_interval(counting_job, time_machine):
    job = jobs.get_job("tests.counting")
    assert job.is_overdue(None, timezone.now())
    jobs.run_due_jobs(names=["tests.counting"])
    run = JobRun.objects.get(name="tests.counting")
    assert not job.is_overdue(run, timezone.now() + dt.timedelta(minutes=119))
    assert job.is_overdue(run, timezone.now() + dt.timedelta(minutes=121))


def test_two_jobs_cannot_share_a_name():
    with pytest.raises(ImproperlyConfigured):
        jobs.periodic("mail.deliver", every=dt.timedelta(minutes=5))(lambda: None)
    with pytest.raises(ImproperlyConfigured):
        jobs.periodic("tests.never", every=60)


def test_the_existing_jobs_are_registered():
    names = {job.name for job in jobs.registered_jobs()}
    assert {
        "mail.deliver",
        "meeting-announcements",
        "meeting-reminders",
        "pledges.reminders",
        "newsletters.send-published",
        "network.purge-unverified-signups",
        "newsletters.purge-unconfirmed-subscribers",
    } <= names


def test_run_periodic_jobs_command_for_cron(counting_job):
    out = StringIO()
    call_command("run_periodic_jobs", "--job", "tests.counting", stdout=out)
    assert "tests.counting: ran" in out.getvalue()
    call_command("run_periodic_jobs", "--job", "tests.counting", stdout=out)
    assert "No job was due." in out.getvalue()
    call_command("run_periodic_jobs", "--job", "tests.counting", "--force", stdout=out)
    assert len(counting_job) == 2
    assert WorkerHeartbeat.objects.filter(worker="run_periodic_jobs").exists()
    with pytest.raises(CommandError):
        call_command("run_periodic_jobs", "--job", "nope", stdout=out)


def test_the_worker_keeps_exactly_one_tick_queued(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ticks = DBTaskResult.objects.filter(task_path="wmasn.jobs.tick", status="READY")
    jobs.schedule_tick()
    jobs.schedule_tick()
    assert ticks.count() == 1
    [tick] = ticks
    assert tick.run_after > timezone.now() + dt.timedelta(seconds=50)
    jobs.tick.using(run_after=timezone.now()).enqueue()
    jobs.schedule_tick()
    assert ticks.count() == 1


# The jobs' pages in the admin.

JOBS = "admin:jobs_jobrun_changelist"
WORKERS = "admin:jobs_workerheartbeat_changelist"


@pytest.mark.parametrize("page", [JOBS, WORKERS])
@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_see_the_jobs_and_workers(client_for_role, role, page):
    jobs.record_heartbeat("worker seven")
    response = client_for_role(role).get(reverse(page))
    assert response.status_code == 302
    assert "worker seven" not in response.content.decode()


def test_officer_sees_every_job_and_worker(officer_client):
    jobs.record_heartbeat("worker seven")
    page = officer_client.get(reverse(JOBS)).content.decode()
    assert "mail.deliver" in page and "pledges.reminders" in page
    assert "worker seven" in officer_client.get(reverse(WORKERS)).content.decode()


def test_officer_asks_a_job_to_run_at_the_next_minute(officer_client, counting_job):
    jobs.run_due_jobs(names=["tests.counting"])
    run = JobRun.objects.get(name="tests.counting")
    response = officer_client.post(
        reverse(JOBS), {"action": "run_soon", "_selected_action": [run.pk], "index": 0}
    )
    assert response.status_code == 302
    assert jobs.run_due_jobs(names=["tests.counting"]) == {"tests.counting": "ran"}
    assert len(counting_job) == 2


def test_the_job_records_are_read_only(officer_client):
    jobs.run_due_jobs(names=[])
    assert officer_client.get(reverse("admin:jobs_jobrun_add")).status_code == 403
    heartbeat = WorkerHeartbeat.objects.get()
    url = reverse("admin:jobs_workerheartbeat_delete", args=[heartbeat.pk])
    assert officer_client.post(url, {"post": "yes"}).status_code == 403
    assert WorkerHeartbeat.objects.exists()


# An upgrade from the schema where these records lived in the mail app.


@pytest.mark.django_db(transaction=True)
def test_upgrading_keeps_the_job_records_and_the_officers_permissions():
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from network.models import OFFICERS_GROUP
    from network.officers import officers_group

    officers = officers_group()
    before = [("mail", "0001_initial"), ("jobs", None)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before[:1]).apps
    old.get_model("mail", "JobRun").objects.create(name="pledges.reminders", last_error="broke")
    old.get_model("mail", "WorkerHeartbeat").objects.create(worker="worker seven")
    assert Permission.objects.filter(
        content_type__app_label="mail", codename="view_jobrun", group=officers
    ).exists()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert JobRun.objects.get(name="pledges.reminders").last_error == "broke"
    assert WorkerHeartbeat.objects.filter(worker="worker seven").exists()
    assert (
        Group.objects.get(name=OFFICERS_GROUP)
        .permissions.filter(content_type__app_label="jobs", codename="view_jobrun")
        .exists()
    )
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "jobs_jobrun" in tables and "mail_jobrun" not in tables


# The worker outlives its database (tests/mail/test_worker_database_restart.py restarts a
# real cluster under a real worker; this is the same loop, quickly).


def test_the_worker_waits_and_starts_again_when_the_database_fails(
    database_tasks, monkeypatch, caplog
):
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

    from wmasn.jobs.management.commands import db_worker

    runs, waits, closed = [], [], []

    def run_worker(self, *args, **options):
        runs.append(1)
        if len(runs) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return None

    monkeypatch.setattr(WorkerCommand, "handle", run_worker)
    monkeypatch.setattr(db_worker.time, "sleep", waits.append)
    # The real worker closes its broken connections here; the test's own stays open.
    monkeypatch.setattr(db_worker, "_close_database_connections", lambda: closed.append(1))
    call_command("db_worker", "--no-reload", "--no-startup-delay")
    assert len(runs) == 3
    assert waits == [db_worker.FIRST_WAIT, 2 * db_worker.FIRST_WAIT]
    assert len(closed) == 2
    assert "The database is unavailable (OperationalError: server closed" in caplog.text

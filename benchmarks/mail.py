"""`make bench`, the mail part: the December 2017 newsletter to 5,000 members, through the
worker, to a local SMTP sink. Reports the worker's own CPU time and queries per recipient.

Run alone with `.venv/bin/python -m benchmarks.mail` (PostgreSQL up); `make bench` runs it
after the page benchmarks. It replaces its section of docs/performance.md.
"""

import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "wmasn_bench_mail"
RECIPIENTS = int(os.environ.get("BENCH_MAIL_RECIPIENTS", "5000"))
TARGET_MS, TARGET_QUERIES = 5.0, 2.0
START, END = "<!-- mail benchmark: start -->", "<!-- mail benchmark: end -->"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sink(port, count_file):
    """An SMTP server that accepts and counts every message (its own process)."""
    import signal

    from aiosmtpd.controller import Controller

    class Counting:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Counting.received += 1
            return "250 2.0.0 Accepted"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()

    def stop(*_):
        controller.stop()
        Path(count_file).write_text(str(Counting.received))
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(1)


def seed(recipients):
    """Members of one agency with verified addresses, and the demo's December 2017 issue."""
    from io import StringIO

    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from network.models import Agency, Membership, User
    from newsletters.demo import load_newsletters

    now = timezone.now()
    agency = Agency.objects.create(name="Bench agency", slug="bench-agency", sector="public")
    users = User.objects.bulk_create(
        [
            User(
                email=f"member{n}@example.org", password="!", first_name="Member", last_name=str(n)
            )
            for n in range(recipients)
        ],
        batch_size=1000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, agency=agency, status=Membership.Status.APPROVED, decided_at=now)
            for u in users
        ],
        batch_size=1000,
    )
    load_newsletters(stdout=StringIO())


def measure(recipients):
    """In the worker's own process: queue the issue as the admin does, then let a worker
    (django-tasks-db's, in batch mode) run every task. Prints the figures as JSON."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django_tasks.signals import task_finished, task_started
    from django_tasks_db.management.commands.db_worker import Worker

    from newsletters import sending
    from newsletters.models import Delivery, Issue
    from wmasn.mail.models import OutgoingEmail

    seed(recipients)
    issue = Issue.objects.get(slug="december-2017")
    load_before = os.getloadavg()[0]
    queries = {"count": 0}

    def count(execute, sql, params, many, context):
        queries["count"] += 1
        return execute(sql, params, many, context)

    phases = {}
    current = {}

    def started(sender, task_result, **kwargs):
        current.update(cpu=time.process_time(), wall=time.perf_counter(), q=queries["count"])

    def finished(sender, task_result, **kwargs):
        phase = phases.setdefault(task_result.task.name, {"cpu": 0, "wall": 0, "q": 0, "n": 0})
        phase["cpu"] += time.process_time() - current["cpu"]
        phase["wall"] += time.perf_counter() - current["wall"]
        phase["q"] += queries["count"] - current["q"]
        phase["n"] += 1

    task_started.connect(started)
    task_finished.connect(finished)
    with connection.execute_wrapper(count):
        wall, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            sending.queue_issue(issue)  # the officer's "Send to members"
        phases["queue_issue (admin action)"] = {
            "cpu": time.process_time() - cpu,
            "wall": time.perf_counter() - wall,
            "q": queries["count"],
            "n": 1,
        }
        worker_wall, worker_cpu, worker_q = (
            time.perf_counter(),
            time.process_time(),
            queries["count"],
        )
        usage = resource.getrusage(resource.RUSAGE_SELF)
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="bench",
            excluded_queue_names=[],
        ).run()
        after = resource.getrusage(resource.RUSAGE_SELF)
        worker = {
            "user": after.ru_utime - usage.ru_utime,
            "system": after.ru_stime - usage.ru_stime,
            "cpu": time.process_time() - worker_cpu,
            "wall": time.perf_counter() - worker_wall,
            "q": queries["count"] - worker_q,
        }
    total_wall = time.perf_counter() - wall
    states = dict(OutgoingEmail.objects.values_list("state").annotate(n=Count("pk")))
    print(
        json.dumps(
            {
                "recipients": recipients,
                "load": [load_before, os.getloadavg()[0]],
                "phases": phases,
                "worker": worker,
                "total_wall": total_wall,
                "total_queries": queries["count"],
                "states": states,
                "deliveries_sent": Delivery.objects.filter(status="sent").count(),
            }
        )
    )


def report(result, received, when, machine):
    n = result["recipients"]
    worker = result["worker"]
    queue = result["phases"]["queue_issue (admin action)"]
    cpu_ms = (worker["cpu"] + queue["cpu"]) * 1000 / n
    per_recipient_q = result["total_queries"] / n
    send_q = result["phases"].get("deliver_mail", {}).get("q", 0) / n
    other_q = (result["total_queries"] - result["phases"].get("deliver_mail", {}).get("q", 0)) / n
    rows = "\n".join(
        f"| {name} | {p['n']} | {p['wall']:.2f} | {p['cpu'] * 1000 / n:.3f} | {p['q']} "
        f"| {p['q'] / n:.3f} |"
        for name, p in result["phases"].items()
    )
    user_ms = worker["user"] * 1000 / n
    system_ms = worker["system"] * 1000 / n
    ok = "met" if cpu_ms <= TARGET_MS else "not met"
    cost_row = (
        f"| application cost ≤ {TARGET_MS} ms per recipient | {cpu_ms:.3f} ms (the worker: "
        f"{user_ms:.3f} ms in its own code and libraries, {system_ms:.3f} ms in the kernel, "
        f"mostly loopback TCP) | {ok} |"
    )
    once = received == n == result["deliveries_sent"]
    once_row = (
        f"| every recipient gets it once | sink received {received:,}; outbox "
        f"{result['states']}; deliveries marked sent {result['deliveries_sent']:,} "
        f"| {'met' if once else 'not met'} |"
    )
    q_ok = "met" if per_recipient_q <= TARGET_QUERIES else "not met"
    queries_row = (
        f"| ≤ {TARGET_QUERIES} queries per recipient | {per_recipient_q:.3f} ({send_q:.3f} "
        f"sending, {other_q:.3f} everything else) | {q_ok} |"
    )
    return f"""{START}
## Newsletter to {n:,} recipients (mail queue)

Measured on {when}, on: {machine}. Load average (1 min) before and after the run:
{result["load"][0]:.1f} and {result["load"][1]:.1f} (the machine is shared; CPU times grow with it).

Command: `make bench` (or alone: `.venv/bin/python -m benchmarks.mail`; `BENCH_MAIL_RECIPIENTS`
changes the size). It seeds {n:,} approved members with verified addresses and the demo's
December 2017 issue into `{DB_NAME}` (PostgreSQL, production settings), queues the issue as
the admin's "Send to members" does, then runs django-tasks-db's worker (the `db_worker`
loop, in batch mode, in-process so that its CPU time and queries can be counted) until the
queue is empty, over SMTP to an aiosmtpd sink in another process. Application cost is the
CPU time of that process (rendering, building each MIME message, the SMTP client, the
database client); the sink's and PostgreSQL's own CPU are not in it.

| target | measured | result |
|---|---|---|
{cost_row}
{queries_row}
{once_row}

Total time from the admin action to the last message accepted: {result["total_wall"]:.1f} s
({n / result["total_wall"]:.0f} messages/s; the worker alone {worker["wall"]:.1f} s).

| step | runs | wall (s) | CPU ms per recipient | queries | queries per recipient |
|---|---|---|---|---|---|
{rows}

Where the time goes: each message is built by Django (`EmailMultiAlternatives`, the HTML
part quoted-printable where inlined CSS makes lines longer than 998 bytes) and handed to the
configured backend's `send_messages()` over one connection per run; nothing is
pre-serialised. Where the queries go: the issue is rendered once and written to the outbox
in batches of 500 (a few queries per batch); the sender claims 100 due emails at a time,
fetches the shared content once and renews its short lease about every 15 seconds. What
remains is one `UPDATE` per message, recording it as sent as soon as the backend has
returned: that write is what makes a worker killed mid-batch repeat at most the one message
in flight, so the sending step measures about 1 query per recipient by design.
{END}"""


def main():
    import datetime as dt

    from benchmarks.run import django_env, machine_description, recreate_database

    print(f"== newsletter to {RECIPIENTS} recipients through the worker ({DB_NAME})", flush=True)
    recreate_database(DB_NAME)
    env = django_env(DB_NAME)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    count_file = ROOT / "var" / "bench" / "mail-sink-count"
    count_file.parent.mkdir(parents=True, exist_ok=True)
    sink_process = subprocess.Popen(
        [PYTHON, "-m", "benchmarks.mail", "sink", str(port), str(count_file)], cwd=ROOT
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), EMAIL_USE_TLS="false")
        out = subprocess.run(
            [PYTHON, "-m", "benchmarks.mail", "measure", str(RECIPIENTS)],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(f"the measurement failed:\n{out.stdout}\n{out.stderr}")
        out = out.stdout
    finally:
        sink_process.terminate()
        sink_process.wait(30)
    result = json.loads(out.strip().splitlines()[-1])
    received = int(count_file.read_text())
    section = report(
        result,
        received,
        dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine_description(),
    )
    write_section(ROOT / "docs" / "performance.md", section, start=START, end=END)
    print(section, flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["sink"]:
        sink(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1:2] == ["measure"]:
        measure(int(sys.argv[2]))
    else:
        main()

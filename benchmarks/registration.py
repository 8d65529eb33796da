"""`make bench`, the registration part (issue 27), against gunicorn on PostgreSQL:

- 300 members registering for the last 200 places in the minute before the deadline, each
  at its own moment in that minute (and, for comparison, all 300 at the same instant):
  no place sold twice, no 5xx, the p95 of the answers;
- check-in: 5 door phones scanning tickets at once, the p95 of the answers;
- a badge PDF for 500 people.

Run alone with `.venv/bin/python -m benchmarks.registration` (PostgreSQL up); `make bench`
runs it after the page and mail benchmarks. It replaces its section of docs/performance.md.
"""

import datetime as dt
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.sections import write_section

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "wmasn_bench_registration"
PEOPLE = int(os.environ.get("BENCH_REGISTRANTS", "300"))
PLACES = 200
WINDOW_SECONDS = float(os.environ.get("BENCH_REGISTRATION_WINDOW", "60"))
PHONES, SCANS_PER_PHONE = 5, 40
BADGES = 500
TARGETS = {"register_p95_ms": 500, "scan_p95_ms": 300, "badges_s": 10}
START, END = "<!-- registration benchmark: start -->", "<!-- registration benchmark: end -->"
CSRF = "b" * 32
SESSION_COOKIE, CSRF_COOKIE = "__Secure-sessionid", "__Secure-csrftoken"


def seed():
    """In a Django process on the bench database: two conferences with registration open
    (one for the rush, one with 500 people for badges and the door), 300 members logged in,
    an officer logged in. Prints the context as JSON."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from events.models import RSVP, Event, Question, RegistrationSettings
    from network.models import OFFICERS_GROUP, Agency, Membership, User

    agency = Agency.objects.create(name="Bench Agency", slug="bench-agency", sector="public")
    now = timezone.now()

    def conference(slug, capacity):
        event = Event.objects.create(
            kind=Event.Kind.CONFERENCE,
            title=f"Bench conference {slug}",
            slug=slug,
            starts_at=now + dt.timedelta(hours=2),
            ends_at=now + dt.timedelta(hours=8),
            registration_deadline=timezone.localdate(),
        )
        settings = RegistrationSettings.objects.create(
            event=event, audience="everyone", is_open=True, capacity=capacity
        )
        Question.objects.create(
            registration=settings, kind="one", text="Workshop?", choices="A\nB", required=False
        )
        return event

    conference("bench-rush", PLACES)
    door = conference("bench-door", None)
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", first_name=f"Person{n}", last_name="Bench")
        for n in range(max(PEOPLE, BADGES))
    )
    Membership.objects.bulk_create(
        Membership(user=user, agency=agency, status=Membership.Status.APPROVED, decided_at=now)
        for user in users
    )
    officer = User.objects.create(email="bench-officer@example.org", is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])

    def session_for(user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    registrations = []
    for user in users[:BADGES]:
        rsvp = RSVP(event=door, user=user, answer="attending", organisation="Bench Agency")
        rsvp.issue_ticket()
        registrations.append(rsvp)
    RSVP.objects.bulk_create(registrations)
    print(
        json.dumps(
            {
                "sessions": [session_for(user) for user in users[:PEOPLE]],
                "officer": session_for(officer),
                "codes": [rsvp.ticket_code for rsvp in registrations[: PHONES * SCANS_PER_PHONE]],
            }
        )
    )


def count():
    """In a Django process: the rush's answers after the run, as JSON."""
    import django

    django.setup()
    from events.models import RSVP, Attendance

    answers = list(RSVP.objects.filter(event__slug="bench-rush").values_list("answer", flat=True))
    print(
        json.dumps(
            {
                "attending": answers.count("attending"),
                "waiting": answers.count("waiting"),
                "rows": len(answers),
                "checked_in": Attendance.objects.filter(event__slug="bench-door").count(),
            }
        )
    )


def badges():
    """In a Django process: seconds to build the 500-person badge PDF, and its pages."""
    import django

    django.setup()
    from events.models import Event
    from events.registration import officers, printing

    event = Event.objects.get(slug="bench-door")
    started = time.perf_counter()
    pdf = printing.badges_pdf(officers.badge_people(event), event=event, sheet="L7160")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bytes": len(pdf)}))


def post(port, path, fields, session, accept="text/html"):
    from urllib.parse import urlencode

    body = urlencode({**fields, "csrfmiddlewaretoken": CSRF})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={CSRF}",
        "Accept": accept,
        "X-CSRFToken": CSRF,
    }
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def warm_up(port, session):
    """A few requests first, so each worker has imported and connected before the clock."""
    for _ in range(4 * 5):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "GET", "/events/bench-rush/register/", headers={"Cookie": f"{SESSION_COOKIE}={session}"}
        )
        connection.getresponse().read()
        connection.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rush(port, sessions, window, path="/events/bench-rush/register/"):
    """Each member registers once, at a moment spread over `window` seconds (0: together)."""
    generator = random.Random(27)
    offsets = sorted(generator.uniform(0, window) for _ in sessions)
    results = []
    lock = threading.Lock()
    start = time.perf_counter() + 1

    def one(session, offset):
        time.sleep(max(0, start + offset - time.perf_counter()))
        outcome = post(port, path, {"organisation": "Bench Agency"}, session)
        with lock:
            results.append(outcome)

    threads = [
        threading.Thread(target=one, args=pair) for pair in zip(sessions, offsets, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def door(port, officer, codes):
    """Five phones scan their share of tickets, one after another each, all at once."""
    results = []
    lock = threading.Lock()

    def phone(share):
        for code in share:
            outcome = post(
                port,
                "/events/bench-door/check-in/",
                {"code": f"WMASN-TICKET:{code}"},
                officer,
                accept="application/json",
            )
            with lock:
                results.append(outcome)

    shares = [codes[n::PHONES] for n in range(PHONES)]
    threads = [threading.Thread(target=phone, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results):
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    times = [seconds * 1000 for _, seconds in results]
    return {
        "requests": len(results),
        "statuses": statuses,
        "p50_ms": round(percentile(times, 0.5)),
        "p95_ms": round(percentile(times, 0.95)),
        "max_ms": round(max(times)),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
    }


def run_django(env, what):
    out = subprocess.run(
        [PYTHON, "-m", "benchmarks.registration", what],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"benchmarks.registration {what} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def reset_rush(env):
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from events.models import RSVP; "
            "RSVP.objects.filter(event__slug='bench-rush').delete()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


def report(figures, when, machine):
    spread, burst, scans = figures["spread"], figures["burst"], figures["scans"]

    def answers(figures):
        return ", ".join(f"{n} × {status}" for status, n in sorted(figures["statuses"].items()))

    def verdict(value, target):
        return "meets" if value <= target else "misses"

    rows = [
        (
            f"{PEOPLE} members register for {PLACES} places, spread over the last "
            f"{WINDOW_SECONDS:g} s",
            f"p50 {spread['p50_ms']} ms, p95 {spread['p95_ms']} ms, max {spread['max_ms']} ms; "
            f"{spread['server_errors']} 5xx ({answers(spread)})",
            f"p95 ≤ {TARGETS['register_p95_ms']} ms: "
            + verdict(spread["p95_ms"], TARGETS["register_p95_ms"]),
        ),
        (
            f"the same {PEOPLE} all at the same instant (for comparison)",
            f"p50 {burst['p50_ms']} ms, p95 {burst['p95_ms']} ms, max {burst['max_ms']} ms; "
            f"{burst['server_errors']} 5xx ({answers(burst)})",
            "(not a target: every request queues for the workers at once)",
        ),
        (
            f"{PHONES} door phones scanning at once, {PHONES * SCANS_PER_PHONE} scans",
            f"p50 {scans['p50_ms']} ms, p95 {scans['p95_ms']} ms, max {scans['max_ms']} ms; "
            f"{scans['server_errors']} 5xx ({answers(scans)})",
            f"p95 ≤ {TARGETS['scan_p95_ms']} ms: "
            + verdict(scans["p95_ms"], TARGETS["scan_p95_ms"]),
        ),
        (
            f"badge PDF for {BADGES} people (Avery L7160, 21 a sheet)",
            f"{figures['badges']['seconds']:.2f} s, {figures['badges']['bytes'] // 1024} KiB",
            f"≤ {TARGETS['badges_s']} s: "
            + verdict(figures["badges"]["seconds"], TARGETS["badges_s"]),
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    places = [
        f"after the spread rush: {figures['spread_counts']['attending']} with a place, "
        f"{figures['spread_counts']['waiting']} waiting, of {figures['spread_counts']['rows']} "
        "registrations",
        f"after the burst: {figures['burst_counts']['attending']} with a place, "
        f"{figures['burst_counts']['waiting']} waiting, of {figures['burst_counts']['rows']}",
    ]
    return f"""{START}
## Registration (issue 27)

Measured {when} on {machine}, by `benchmarks/registration.py` against gunicorn
({figures["workers"]} sync workers, production settings) on PostgreSQL: real HTTP requests,
each on its own connection, with members' sessions and the CSRF token as a browser sends
them. Places are counted under the event's row lock (`events/registration/services.py`).

| what | measured | target |
|---|---|---|
{table}

No place sold twice: {places[0]}; {places[1]} (capacity {PLACES} both times).
{END}"""


def main():
    from benchmarks.load import GUNICORN_WORKERS, Server
    from benchmarks.run import OUT, django_env, machine_description, recreate_database

    print(f"== registration: {PEOPLE} members, {PLACES} places ({DB_NAME})", flush=True)
    recreate_database(DB_NAME)
    env = django_env(DB_NAME)
    OUT.mkdir(parents=True, exist_ok=True)
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    context = run_django(env, "seed")
    server = Server(env)
    try:
        server.wait()
        warm_up(server.port, context["officer"])
        figures = {"workers": GUNICORN_WORKERS}
        figures["spread"] = summary(rush(server.port, context["sessions"], WINDOW_SECONDS))
        figures["spread_counts"] = run_django(env, "count")
        reset_rush(env)
        figures["burst"] = summary(rush(server.port, context["sessions"], 0))
        figures["burst_counts"] = run_django(env, "count")
        figures["scans"] = summary(door(server.port, context["officer"], context["codes"]))
    finally:
        server.stop()
    figures["badges"] = run_django(env, "badges")
    (OUT / "registration.json").write_text(json.dumps(figures, indent=2))
    section = report(
        figures, dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), machine_description()
    )
    write_section(ROOT / "docs" / "performance.md", section, start=START, end=END)
    print(section, flush=True)


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["seed"]:
        seed()
    elif command == ["count"]:
        count()
    elif command == ["badges"]:
        badges()
    else:
        main()

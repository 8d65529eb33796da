"""`make bench`: seed a small and a large network into PostgreSQL, measure, load-test, report.

Writes docs/performance.md. Needs PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/) and wrk (Debian package `wrk`).
"""

import datetime as dt
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
# gunicorn's own advice: (2 x cores) + 1 sync workers, as docs/deployment.md says.
GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
STATIC_NAME = "bench/feed-copy.ics"
# The shared cache: Redis when BENCH_REDIS_URL names one that answers, else the database cache.
CACHE_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def database_url(name):
    base = urlsplit(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/"))
    return urlunsplit((base.scheme, base.netloc, f"/{name}", "", ""))


def recreate_database(name):
    admin = urlsplit(database_url("postgres"))
    conn = psycopg2.connect(
        host=admin.hostname,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def django_env(db_name):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="wmasn.settings.prod",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url(db_name),
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(OUT / "static"),
        LOG_LEVEL="ERROR",
        BENCH_FEED_COPY=str(OUT / "public-feed.ics"),
    )
    env.pop("REDIS_URL", None)
    if CACHE_URL:
        env["REDIS_URL"] = CACHE_URL
    return env


def measure(size):
    db_name = f"wmasn_bench_{size}"
    recreate_database(db_name)
    out = OUT / f"{size}.json"
    print(f"== seeding and measuring the {size} network ({db_name})", flush=True)
    subprocess.run(
        [PYTHON, "-m", "benchmarks.measure", str(out), size],
        cwd=ROOT,
        env=django_env(db_name),
        check=True,
    )
    return json.loads(out.read_text())


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds}s")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def run_wrk(url, headers=None):
    command = [
        "wrk",
        "-t1",
        f"-c{WRK_CONNECTIONS}",
        f"-d{WRK_SECONDS}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "benchmarks" / "wrk_report.lua"),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("JSON "))
    data = json.loads(line[5:])
    seconds = data["duration_us"] / 1e6
    return {
        "rps": round(data["requests"] / seconds, 1),
        "p95_ms": round(data["p95_us"] / 1000, 2),
        "p50_ms": round(data["p50_us"] / 1000, 2),
        "requests": data["requests"],
        "errors": data["socket_errors"] + data["bad_status"],
    }


def change_an_event(env, slug):
    """Rename one event through the ORM (as the admin would), from a separate process."""
    code = (
        "import django; django.setup();"
        "from events.models import Event;"
        f"e = Event.objects.get(slug={slug!r}); e.title = 'Renamed by the benchmark'; e.save()"
    )
    subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)


def load_test(large):
    env = django_env("wmasn_bench_large")
    feed_bytes = large["feeds"]["public feed"]["bytes"]
    # A static file holding the same bytes as the feed, and its gzipped twin, as
    # collectstatic would leave them for WhiteNoise.
    static_file = OUT / "static" / STATIC_NAME
    static_file.parent.mkdir(parents=True, exist_ok=True)
    feed_copy = (OUT / "public-feed.ics").read_bytes()
    static_file.write_bytes(feed_copy)
    static_file.with_name(static_file.name + ".gz").write_bytes(
        gzip.compress(feed_copy, compresslevel=9, mtime=0)
    )
    token = (OUT / "large.json.token").read_text().strip()

    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "wmasn.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(f"{BASE}/healthz/")
        status, headers, body = fetch(f"{BASE}/calendar.ics")
        etag = headers.get("ETag", "")
        gz = {"Accept-Encoding": "gzip"}
        targets = [
            ("/", "/", None),
            ("/events/", "/events/", None),
            ("/calendar.ics (full)", "/calendar.ics", None),
            ("/calendar.ics (full, gzip)", "/calendar.ics", gz),
            ("/calendar.ics (304)", "/calendar.ics", {"If-None-Match": etag}),
            ("personal feed (full)", f"/calendar/{token}.ics", None),
            ("personal feed (full, gzip)", f"/calendar/{token}.ics", gz),
            ("/healthz/", "/healthz/", None),
            ("static file, same bytes as the feed", f"/static/{STATIC_NAME}", None),
            ("static file, same bytes as the feed (gzip)", f"/static/{STATIC_NAME}", gz),
        ]
        results = {}
        for label, path, headers_ in targets:
            fetch(f"{BASE}{path}", headers_)  # warm the shared cache
            print(f"== wrk {label}", flush=True)
            results[label] = run_wrk(f"{BASE}{path}", headers_)
        # A change reaches both feeds on the very next request.
        slug = large["context"]["event_slug"]
        change_an_event(env, slug)
        _, _, public_after = fetch(f"{BASE}/calendar.ics")
        _, _, personal_after = fetch(f"{BASE}/calendar/{token}.ics")
        status_old_etag, _, _ = fetch(f"{BASE}/calendar.ics", {"If-None-Match": etag})
        freshness = {
            "public": b"Renamed by the benchmark" in public_after,
            "personal": b"Renamed by the benchmark" in personal_after,
            "old_etag_status": status_old_etag,
        }
        return results, freshness, feed_bytes
    finally:
        server.terminate()
        server.wait(timeout=30)


def redis_answers(url):
    try:
        import redis

        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means: use the database cache
        return False


def main():
    global CACHE_URL
    if CACHE_URL and not redis_answers(CACHE_URL):
        print(f"== {CACHE_URL} does not answer: using the database cache", flush=True)
        CACHE_URL = ""
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    # Production settings serve hashed static files, so collect them first.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=django_env("wmasn_bench_small"),
        check=True,
    )
    small = measure("small")
    large = measure("large")
    load, freshness, feed_bytes = load_test(large)
    (OUT / "load.json").write_text(json.dumps({"load": load, "freshness": freshness}, indent=2))
    from benchmarks.report import write_report

    write_report(
        ROOT / "docs" / "performance.md",
        small=small,
        large=large,
        load=load,
        freshness=freshness,
        machine=machine_description(),
        seconds=round(time.time() - started),
        settings={
            "workers": GUNICORN_WORKERS,
            "connections": WRK_CONNECTIONS,
            "seconds": WRK_SECONDS,
            "cache": f"Redis ({CACHE_URL})" if CACHE_URL else "the database cache",
        },
        when=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    print("== wrote docs/performance.md", flush=True)
    # The mail queue's figures: their own section of docs/performance.md (benchmarks/mail.py).
    from benchmarks import mail

    mail.main()


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {pg or 'PostgreSQL'}"
    )


if __name__ == "__main__":
    main()

"""`make bench`: seed three networks into PostgreSQL, measure, load-test, report.

Writes docs/performance.md. Needs PostgreSQL (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/) and wrk (Debian package `wrk`). The databases are
named BENCH_DB_PREFIX_100, _1000 and _10000 (default prefix wmasn_bench).
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
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PYTHON = sys.executable
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "wmasn_bench")
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


def bench_database(network):
    return f"{DB_PREFIX}_{network}"


def django_env(db_name):
    """The environment of a Django process on this bench database (production settings)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="wmasn.settings.prod",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=database_url(db_name),
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(OUT / "static"),
        LOG_LEVEL="ERROR",
        BENCH_FEED_COPY=str(OUT / f"public-feed-{db_name}.ics"),
    )
    env.pop("REDIS_URL", None)
    if CACHE_URL:
        env["REDIS_URL"] = CACHE_URL
    return env


def measure(network):
    recreate_database(bench_database(network))
    out = OUT / f"network-{network}.json"
    print(f"== seeding and measuring the {network}-agency network", flush=True)
    subprocess.run(
        [PYTHON, "-m", "benchmarks.measure", str(out), network],
        cwd=ROOT,
        env=django_env(bench_database(network)),
        check=True,
    )
    return json.loads(out.read_text())


def static_copy(network):
    """A static file holding the same bytes as the public feed, and its gzipped twin, as
    collectstatic would leave them for WhiteNoise; returns its URL path."""
    name = f"bench/feed-{network}.ics"
    static_file = OUT / "static" / name
    static_file.parent.mkdir(parents=True, exist_ok=True)
    body = (OUT / f"public-feed-{bench_database(network)}.ics").read_bytes()
    static_file.write_bytes(body)
    static_file.with_name(static_file.name + ".gz").write_bytes(
        gzip.compress(body, compresslevel=9, mtime=0)
    )
    return f"/static/{name}"


def redis_answers(url):
    try:
        import redis

        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means: use the database cache
        return False


def main():
    global CACHE_URL
    from benchmarks.load import GUNICORN_WORKERS, WRK_CONNECTIONS, WRK_SECONDS, load_phase
    from benchmarks.measure import NETWORKS
    from benchmarks.report import write_report

    if CACHE_URL and not redis_answers(CACHE_URL):
        print(f"== {CACHE_URL} does not answer: using the database cache", flush=True)
        CACHE_URL = ""
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    load_before = os.getloadavg()
    # Production settings serve hashed static files, so collect them first.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=django_env(bench_database("100")),
        check=True,
    )
    if os.environ.get("BENCH_REUSE"):
        # BENCH_REUSE=1: the databases and in-process figures of the last run, load phase only.
        networks = {
            network: json.loads((OUT / f"network-{network}.json").read_text())
            for network in NETWORKS
        }
    else:
        networks = {network: measure(network) for network in NETWORKS}
    static_paths = {network: static_copy(network) for network in NETWORKS}
    envs = {network: django_env(bench_database(network)) for network in NETWORKS}
    contexts = {network: data["context"] for network, data in networks.items()}
    load = load_phase(envs, contexts, static_paths)
    (OUT / "load.json").write_text(json.dumps(load, indent=2))
    write_report(
        ROOT / "docs" / "performance.md",
        networks=networks,
        load=load,
        machine=machine_description(),
        seconds=round(time.time() - started),
        settings={
            "workers": GUNICORN_WORKERS,
            "connections": WRK_CONNECTIONS,
            "seconds": WRK_SECONDS,
            "cache": f"Redis ({CACHE_URL})" if CACHE_URL else "the database cache",
            "prefix": DB_PREFIX,
            "reused": bool(os.environ.get("BENCH_REUSE")),
            "load": (load_before, os.getloadavg()),
        },
        when=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    print("== wrote docs/performance.md", flush=True)
    # The mail queue's figures: their own section of docs/performance.md (benchmarks/mail.py).
    from benchmarks import mail, registration

    mail.main()
    # Registration, check-in and badges (issue 27): their own section too.
    registration.main()


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

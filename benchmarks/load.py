"""The load phase of `make bench`: one gunicorn per bench network, all up at once.

- pages: server time seen by a client, in interleaved rounds (each round times every page
  on every network in turn, so a burst of load elsewhere on the machine hits all sizes);
- throughput with wrk: /healthz/, the feeds (304, gzip, plain) and WhiteNoise serving a
  static file of the very same bytes, pairs measured back to back;
- pollers after a change: eight calendar apps at once right after an event changed, whether
  each got the change, the builds that caused and how long they waited; and whether the
  first request for a personal feed after a change carries it.
"""

import datetime as dt
import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK_SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
# gunicorn's own advice: (2 x cores) + 1 sync workers, as docs/deployment.md says.
GUNICORN_WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
PAGE_ROUNDS = 3
PAGE_REQUESTS = 5
POLLERS = 8
POLLER_ROUNDS = 5
GZIP = {"Accept-Encoding": "gzip"}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn (production settings) on a free port, for one network's database."""

    def __init__(self, env):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "wmasn.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--log-level",
                "warning",
                # A full build of a cold 10,000-event feed on a loaded machine takes longer
                # than gunicorn's default 30 s; the bench keeps its feeds warm anyway.
                "--timeout",
                "180",
            ],
            cwd=ROOT,
            env=env,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if get(self.port, "/healthz/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn on {self.port} did not answer within {seconds}s")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def get(port, path, headers=None):
    """(status, headers, body, seconds) of one GET on a fresh connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), body, time.perf_counter() - started
    finally:
        connection.close()


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# --- pages ---------------------------------------------------------------------------------


def timed_pages(ctx):
    """The pages the issue measured, with the role that sees the most."""
    return [
        ("/services/", "services and gaps", "member"),
        ("/membership/", "my memberships", "member"),
        ("/newsletters/", "newsletter archive", "anonymous"),
        (ctx["admin_memberships"], "admin memberships list", "officer"),
        (ctx["admin_pledges"], "admin pledges list", "officer"),
        ("/pledges/", "pledge wall", "anonymous"),
        ("/", "home", "anonymous"),
        ("/agencies/", "agency directory", "anonymous"),
        ("/events/", "events", "member"),
        ("/actions/", "actions", "member"),
        ("/decisions/", "decision register", "member"),
        *reports_pages(),
    ]


def reports_pages():
    """The chair's desk, the network in pictures and this year's annual report."""
    year = dt.date.today().year
    return [
        ("/admin/", "the chair's desk", "officer"),
        (f"/reports/?year={year}", "the network in pictures", "officer"),
        (f"/reports/{year}/", "annual report", "officer"),
        (f"/reports/{year}/public/", "public annual report", "anonymous"),
    ]


def _cookie(ctx, role):
    if role == "anonymous":
        return {}
    return {"Cookie": f"{ctx['session_cookie']}={ctx[role + '_session']}"}


def time_pages(servers, contexts):
    networks = list(servers)
    pages = timed_pages(contexts[networks[0]])
    rounds = {(label, network): [] for _, label, _ in pages for network in networks}
    statuses, sizes = {}, {}
    for _ in range(PAGE_ROUNDS):
        for index, (_, label, role) in enumerate(pages):
            for network in networks:
                ctx = contexts[network]
                url = timed_pages(ctx)[index][0]
                times = []
                for _ in range(PAGE_REQUESTS):
                    status, _, body, seconds = get(servers[network].port, url, _cookie(ctx, role))
                    times.append(seconds * 1000)
                rounds[(label, network)].append(statistics.median(times))
                statuses[(label, network)] = status
                sizes[(label, network)] = len(body)
    out = []
    for url, label, role in pages:
        out.append(
            {
                "label": label,
                "url": url,
                "role": role,
                "ms": {n: round(statistics.median(rounds[(label, n)]), 2) for n in networks},
                "status": {n: statuses[(label, n)] for n in networks},
                "bytes": {n: sizes[(label, n)] for n in networks},
            }
        )
    return out


# --- wrk -----------------------------------------------------------------------------------


def run_wrk(port, path, headers=None):
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
    url = f"http://127.0.0.1:{port}{path}"
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("JSON "))
    data = json.loads(line[5:])
    seconds = data["duration_us"] / 1e6
    return {
        "rps": round(data["requests"] / seconds, 1),
        "p50_ms": round(data["p50_us"] / 1000, 2),
        "p99_ms": round(data["p99_us"] / 1000, 2),
        "requests": data["requests"],
        "errors": data["socket_errors"] + data["bad_status"],
    }


def throughput(server, ctx, static_path):
    port = server.port
    personal = f"/calendar/{ctx['token']}.ics"
    # Fresh validators first: the first request after the seed's changes rebuilds.
    for path in ("/calendar.ics", personal):
        for _ in range(3):
            get(port, path, GZIP)
            time.sleep(0.2)
    public_gz_etag = get(port, "/calendar.ics", GZIP)[1]["ETag"]
    personal_gz_etag = get(port, personal, GZIP)[1]["ETag"]
    targets = [
        ("/healthz/", "/healthz/", None),
        ("public 304", "/calendar.ics", {**GZIP, "If-None-Match": public_gz_etag}),
        ("personal 304", personal, {**GZIP, "If-None-Match": personal_gz_etag}),
        ("static file (gzip)", static_path, GZIP),
        ("public feed (gzip)", "/calendar.ics", GZIP),
        ("personal feed (gzip)", personal, GZIP),
        ("static file (no gzip)", static_path, None),
        ("public feed (no gzip)", "/calendar.ics", None),
        ("personal feed (no gzip)", personal, None),
    ]
    results = {}
    for label, path, headers in targets:
        status = get(port, path, headers)[0]
        expected = 304 if "304" in label else 200
        if status != expected:
            raise RuntimeError(f"{label}: {status}, expected {expected}")
        results[label] = run_wrk(port, path, headers)
    return results


# --- pollers right after a change ----------------------------------------------------------


class Changer:
    """A Django process on the network's database that changes an event on request."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "benchmarks.change"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _burst(port, path, count):
    latencies = [None] * count
    bodies = [None] * count
    start = threading.Barrier(count)

    def poll(i):
        start.wait()
        _, headers, body, seconds = get(port, path, GZIP)
        latencies[i] = seconds * 1000
        bodies[i] = body

    threads = [threading.Thread(target=poll, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, bodies


def _carries(body, title):
    return title.encode() in gzip.decompress(body).replace(b"\r\n ", b"")


def pollers_after_change(server, env, ctx):
    personal = f"/calendar/{ctx['token']}.ics"
    changer = Changer(env)
    try:
        after, cached, builds = [], [], []
        pollers_carried, personal_carried = 0, 0
        for _ in range(POLLER_ROUNDS):
            before = int(changer.ask("builds"))
            title = changer.ask("change")
            latencies, bodies = _burst(server.port, "/calendar.ics", POLLERS)
            after += latencies
            pollers_carried += sum(_carries(body, title) for body in bodies)
            builds.append(int(changer.ask("builds")) - before)
            latencies, _ = _burst(server.port, "/calendar.ics", POLLERS)
            cached += latencies
            title = changer.ask("change")
            personal_carried += _carries(get(server.port, personal, GZIP)[2], title)
        return {
            "pollers": POLLERS,
            "rounds": POLLER_ROUNDS,
            "builds_per_change": builds,
            "pollers_carried": pollers_carried,
            "personal_first_carried": personal_carried,
            "max_after_change_ms": round(max(after), 2),
            "p99_after_change_ms": round(_percentile(after, 0.99), 2),
            "p50_after_change_ms": round(statistics.median(after), 2),
            "p99_cached_ms": round(_percentile(cached, 0.99), 2),
            "p50_cached_ms": round(statistics.median(cached), 2),
        }
    finally:
        changer.stop()


def load_phase(envs, contexts, static_paths):
    """Start every network's server, then measure; returns the results per network."""
    servers = {network: Server(env) for network, env in envs.items()}
    try:
        for server in servers.values():
            server.wait()
        print("== timing pages, interleaved", flush=True)
        pages = time_pages(servers, contexts)
        results = {"pages": pages, "throughput": {}, "pollers": {}}
        for network, server in servers.items():
            print(f"== wrk on the {network}-agency network", flush=True)
            results["throughput"][network] = throughput(
                server, contexts[network], static_paths[network]
            )
            print(f"== pollers after a change, {network}-agency network", flush=True)
            results["pollers"][network] = pollers_after_change(
                server, envs[network], contexts[network]
            )
        return results
    finally:
        for server in servers.values():
            server.stop()

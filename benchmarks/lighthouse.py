"""Lighthouse (mobile) on the home page, an event page and an issue page of the demo site.

    npm ci && .venv/bin/python -m benchmarks.lighthouse [--port 8191] [--keep DIR]

The demo network is loaded into a fresh SQLite database, the static files are collected
(compressed, hashed), and gunicorn serves it with the production settings, over plain HTTP
on 127.0.0.1 (no TLS redirect, no HSTS). npm's `lighthouse` drives the system chromium
(CHROME_PATH, default /usr/bin/chromium) with its default mobile preset: a Moto G Power
sized screen and throttled network and CPU. The scores of each category are printed as a
Markdown table; docs/quality.md has the latest.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LIGHTHOUSE = BASE_DIR / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def manage(*args, env):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, timeout=600
    )


def prepare(workdir):
    """The environment gunicorn runs in, after loading the demo and collecting static."""
    database = f"sqlite:///{workdir / 'lighthouse.sqlite3'}"
    dev = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wmasn.settings.dev",
        "DATABASE_URL": database,
        "MEDIA_ROOT": str(workdir / "media"),
    }
    manage("migrate", "--verbosity", "0", env=dev)
    # The demo loader runs only with DEBUG on; production settings then serve what it made.
    manage("load_demo_data", "--verbosity", "0", env=dev)
    prod = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wmasn.settings.prod",
        "DATABASE_URL": database,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://portal.example.org",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
    }
    manage("createcachetable", env=prod)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=prod)
    return prod


def demo_event_path(env):
    """The next meeting's page (not a cancelled one), asked of the demo database."""
    script = (
        "import django; django.setup(); from events.models import Event; "
        "print(Event.objects.upcoming().exclude(status=Event.Status.CANCELLED)"
        ".first().get_absolute_url())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds}s")


def audit(url, outfile):
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={outfile}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env=env,
        check=True,
        timeout=300,
    )
    report = json.loads(Path(outfile).read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = [
        audit["title"]
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "metricSavings", "numeric")
    ]
    return scores, failing, report["audits"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--keep", type=Path, help="write the JSON reports here")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"No lighthouse at {LIGHTHOUSE}: run `npm ci`.")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = prepare(workdir)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "wmasn.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                "2",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{base}/healthz/")
            pages = {
                "home": "/",
                "event": demo_event_path(env),
                "issue": "/newsletters/december-2017/",
            }
            outdir = args.keep or workdir
            outdir.mkdir(parents=True, exist_ok=True)
            rows = []
            for name, path in pages.items():
                scores, failing, audits = audit(f"{base}{path}", outdir / f"{name}.json")
                metrics = {
                    key: audits[key]["displayValue"]
                    for key in ("first-contentful-paint", "largest-contentful-paint")
                }
                rows.append((name, path, scores, metrics, failing))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("| page | path | " + " | ".join(CATEGORIES) + " | FCP | LCP |")
    print("|---|---|" + "---:|" * (len(CATEGORIES) + 2))
    for name, path, scores, metrics, _ in rows:
        values = " | ".join(str(scores[c]) for c in CATEGORIES)
        fcp, lcp = metrics["first-contentful-paint"], metrics["largest-contentful-paint"]
        print(f"| {name} | `{path}` | {values} | {fcp} | {lcp} |")
    for name, _, _, _, failing in rows:
        if failing:
            print(f"{name}: below 90: {'; '.join(failing)}")
    return 0 if all(min(scores.values()) >= 95 for _, _, scores, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The Nu HTML checker over every page of the demo site, for every demo role.

    npm ci && .venv/bin/python -m benchmarks.validate [--max-pages 400] [--keep DIR]

Loads the demo network into a fresh SQLite database (in a temporary directory), then, as
anonymous and as each demo account, follows every link from the home page (and the admin's
index for the chair) that stays on the portal and is a page: no downloads, feeds, CSV or ICS
files, no logging out. Each page's HTML goes to the Nu checker (npm's `vnu-jar`, Java 11+);
the errors are printed per page and counted per role. Exit status 1 if any page has an error.
docs/quality.md has the latest figures.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, deque
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HOST = "127.0.0.1"
ROLES = {
    "anonymous": None,
    "pending": "pending@example.org",
    "member": "police@example.org",
    "other_member": "barnardos@example.org",
    "officer": "chair@example.org",
}
# Not pages, or pages that change state on GET in no way but end the session.
SKIP = re.compile(
    r"(\.(ics|csv|pdf|docx?|xlsx?|pptx?|jpe?g|png|gif|svg|ico|xml|txt|zip)$)"
    r"|^/(static|media)/|/feed/|/logout/|/photos/|/documents/|/papers/"
    r"|/calendar/[^/]+\.ics|/admin/logout/|/admin/r/|/export/|/download"
)
# The admin's many filter and sort variants of one list add no new markup.
VARIANTS = re.compile(r"[?&](o|p|q|_changelist_filters|e|all|date_hierarchy|\w+__\w+)=")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(url, html):
    parser = Links()
    parser.feed(html)
    for href in parser.hrefs:
        absolute, _ = urldefrag(urljoin(f"http://{HOST}{url}", href))
        parts = urlsplit(absolute)
        if parts.netloc != HOST or parts.scheme != "http":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if SKIP.search(parts.path) or VARIANTS.search(path):
            continue
        yield path


def setup_django(workdir):
    os.environ["DJANGO_SETTINGS_MODULE"] = "wmasn.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'validate.sqlite3'}"
    os.environ.setdefault("SITE_URL", f"http://{HOST}:8000")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.WMASN_ADMIN_REQUIRES_MFA = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = str(workdir / "media")
    call_command("migrate", verbosity=0)
    call_command("load_demo_data", stdout=StringIO())


def crawl(email, max_pages):
    """{path: html} of every page the role reaches."""
    from django.test import Client

    from network.models import User

    client = Client(HTTP_HOST=HOST)
    starts = ["/"]
    if email:
        user = User.objects.get(email=email)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if user.is_staff:
            starts.append("/admin/")
    else:
        starts += ["/accounts/login/", "/accounts/signup/", "/no-such-page/"]
    pages, queue, seen = {}, deque(starts), set(starts)
    while queue and len(pages) < max_pages:
        path = queue.popleft()
        response = client.get(path)
        # Redirects (to log in, to re-authenticate) have no page; error pages do.
        if response.status_code in range(300, 400) or getattr(response, "streaming", False):
            continue
        if response.get("Content-Type", "").split(";")[0] != "text/html":
            continue
        html = response.content.decode()
        pages[path] = html
        for link in links_of(path, html):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def _local(file_url):
    return str(Path(urlsplit(file_url).path).resolve())


def check(pages, outdir, vnu_jar):
    """[(path, message, extract)] of every error the Nu checker finds."""
    outdir.mkdir(parents=True, exist_ok=True)
    names = {}
    for number, (path, html) in enumerate(pages.items()):
        name = outdir / f"page-{number:04d}.html"
        name.write_text(html)
        names[str(name.resolve())] = path
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar), "--errors-only", "--format", "json", str(outdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        (names.get(_local(message.get("url", "")), message.get("url")), message["message"], message)
        for message in messages
        if message.get("type") == "error"
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-pages", type=int, default=400, help="per role")
    parser.add_argument("--keep", type=Path, help="write the pages checked here")
    parser.add_argument("--vnu", type=Path, default=Path(os.environ.get("VNU_JAR", VNU_JAR)))
    args = parser.parse_args()
    if not args.vnu.exists():
        sys.exit(f"No vnu.jar at {args.vnu}: run `npm ci` (or set VNU_JAR).")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        setup_django(workdir)
        failures = 0
        summary = []
        for role, email in ROLES.items():
            pages = crawl(email, args.max_pages)
            outdir = (args.keep or workdir / "pages") / role
            errors = check(pages, outdir, args.vnu)
            failures += len(errors)
            for part, inside in (("portal", False), ("admin", True)):
                shown = [p for p in pages if p.startswith("/admin/") is inside]
                if not shown:
                    continue
                found = [e for e in errors if str(e[0]).startswith("/admin/") is inside]
                by_page = Counter(path for path, _, _ in found)
                summary.append((f"{role}, {part}", len(shown), len(found), len(by_page)))
            for path, message, detail in errors:
                extract = (detail.get("extract") or "").replace("\n", " ")[:120]
                print(f"{role:13} {path}: {message} [{extract}]")
        print()
        print("| role | pages checked | errors | pages with errors |")
        print("|---|---:|---:|---:|")
        for role, count, errors, pages_with_errors in summary:
            print(f"| {role} | {count} | {errors} | {pages_with_errors} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""A full build of a feed: how long it takes, how much it raises peak memory (VmHWM - VmRSS).

Run by benchmarks.measure in a fresh process: `python -m benchmarks.memory public|personal`.
Prints one JSON line. The code and libraries a build uses are loaded first (one event's
fragment and a VTIMEZONE), so the figure is what the build itself holds. The caller
clears the feed cache first, so no fragment is cached.
"""

import json
import os
import sys
from pathlib import Path


def _status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def main(which):
    import django

    django.setup()
    import time

    from benchmarks.seed import MEMBER_EMAIL, CalendarToken, Event, User
    from events import feeds, ics

    event = Event.objects.select_related("venue", "organiser").first()
    ics.vevent_fragment(event, members=True)
    ics.london_vtimezone(2025, 2026)
    if which == "public":
        kind = feeds.public_kind()
    else:
        member = User.objects.get(email=MEMBER_EMAIL)
        token = CalendarToken.objects.get(user=member)
        kind = feeds.personal_kind(member.pk, token.token_hash)
    as_of = feeds.feed_as_of()
    # Writing 5 to clear_refs resets the peak (VmHWM) to the current resident size.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    started = time.perf_counter()
    built = kind.build(as_of)
    build_ms = (time.perf_counter() - started) * 1000
    peak = _status("VmHWM")
    print(
        json.dumps(
            {
                "feed": which,
                "raw_bytes": built.size,
                "gzipped_bytes": len(built.gzipped),
                "peak_raise_mib": round((peak - before) / 1024 / 1024, 1),
                "build_ms": round(build_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wmasn.settings.prod")
    main(sys.argv[1])

"""Change an event on request, as the admin would, and count feed builds: for the pollers
test of benchmarks.load. Reads commands on stdin ("change", "builds"), answers one line: the
event's new title, or the number of feed builds so far."""

import os
import sys


def main():
    import django

    django.setup()
    from django.core.cache import cache

    from benchmarks.seed import Event
    from events import feed_cache

    # An event of no working group: in the public feed and every personal one.
    event = Event.objects.in_feeds().filter(working_group=None).order_by("-starts_at").first()
    count = 0
    for line in sys.stdin:
        command = line.strip()
        if command == "change":
            count += 1
            event.title = f"Moved by the benchmark {count}"
            event.save()
            answer = event.title
        elif command == "builds":
            answer = str(cache.get(feed_cache.builds_key(), 0))
        else:
            answer = "?"
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wmasn.settings.prod")
    main()

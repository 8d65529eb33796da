"""Announcing new events in the background, not in the officer's request.

Saving a new event in the admin, or scheduling a year, marks the events as waiting
(`Event.announcement_queued_at`) in the same transaction and enqueues `announce_new_events`
once it commits. The task claims every waiting event under a row lock, writes the
announcements to the outbox (events.notices.announce) and records them as announced, all
in one transaction: a crash sends nothing or everything, and two workers never send an
announcement twice. The minute job (events/jobs.py) runs it too, for a lost enqueue.
"""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from events import notices
from events.models import Event


def queue_announcement(event):
    """Mark an unsaved new event as waiting to be announced; the caller saves it, then
    calls `announce_after_commit()`."""
    event.announcement_queued_at = timezone.now()


def announce_after_commit():
    """Ask a worker to announce the waiting events once the current transaction commits."""
    # robust: the events are safely marked as waiting; if enqueueing fails, the minute
    # job announces them.
    transaction.on_commit(announce_new_events.enqueue, robust=True)


def announce_waiting(*, now=None):
    """Announce every event waiting for it, together: one email per member listing the
    meetings they are invited to. An event cancelled or over by now is skipped. Returns
    how many emails were written to the outbox."""
    now = now or timezone.now()
    with transaction.atomic():
        # Another worker's claimed events are skipped (PostgreSQL; SQLite has one writer).
        waiting = list(
            Event.objects.waiting_to_be_announced()
            .select_for_update(skip_locked=True)
            .order_by("starts_at", "pk")
        )
        due = [event for event in waiting if event.accepts_rsvps(now)]
        sent = notices.announce(due) if due else 0
        Event.objects.filter(pk__in=[event.pk for event in due]).record_announcement(now)
        skipped = [event.pk for event in waiting if event not in due]
        Event.objects.filter(pk__in=skipped).record_announcement(None)
    return sent


@task()
def announce_new_events():
    return announce_waiting()

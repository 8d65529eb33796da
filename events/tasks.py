"""Announcing new events, and telling people of changes, in the background, not in the
officer's (or member's) request.

Announcements: saving a new event in the admin, or scheduling a year, marks the events as
waiting (`Event.announcement_queued_at`) in the same transaction and enqueues
`announce_new_events` once it commits. The task claims every waiting event under a row lock,
writes the announcements to the outbox (events.notices.announce) and records them as
announced, all in one transaction: a crash sends nothing or everything, and two workers never
send an announcement twice.

Notices: moving, re-venuing or cancelling an event, and answers that join or leave a waiting
list, record an `EventNotice` in the request (events/services.py) and enqueue
`send_event_notices` once it commits. The task claims the pending notices the same way,
renders and writes the emails (events.notices.send_pending) and marks the notices sent, in
one transaction.

The minute job (events/jobs.py) runs both, for a lost enqueue.
"""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from events import notices
from events.models import Event, EventNotice


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


def notify_after_commit():
    """Ask a worker to send the pending notices once the current transaction commits."""
    # robust: the notices are safely recorded; if enqueueing fails, the minute job sends them.
    transaction.on_commit(send_event_notices.enqueue, robust=True)


def send_pending_notices(*, now=None):
    """Email every pending notice, as its event is now, and mark it sent. Returns how many
    emails were written to the outbox; running it again sends nothing again."""
    now = now or timezone.now()
    with transaction.atomic():
        # Another worker's claimed notices are skipped (PostgreSQL; SQLite has one writer).
        pending = list(
            EventNotice.objects.pending()
            .select_related("user")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("recorded_at", "pk")
        )
        sent = notices.send_pending(pending, now=now) if pending else 0
        EventNotice.objects.filter(pk__in=[notice.pk for notice in pending]).update(sent_at=now)
    return sent


@task()
def send_event_notices():
    return send_pending_notices()

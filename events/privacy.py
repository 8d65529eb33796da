"""The events app's part of "download my data" and of account deletion."""

from events.models import RSVP, Attendance, CalendarToken, EventNotice, SentReminder
from network.privacy import eraser, exporter, iso


@exporter("rsvps")
def export_rsvps(user):
    return [
        {
            "event": r.event.title,
            "event_starts_at": iso(r.event.starts_at),
            "answer": r.answer,
            "waiting_since": iso(r.waiting_since),
            "answered_at": iso(r.created_at),
            "updated_at": iso(r.updated_at),
            # A registration is the RSVP: its answers travel with it.
            "organisation": r.organisation,
            "job_role": r.job_role,
            "dietary_needs": r.dietary_needs,
            "access_needs": r.access_needs,
            "photo_consent": r.photo_consent,
            "photo_consent_at": iso(r.photo_consent_at),
            "answers": r.answers,
            "ticket_code": r.formatted_ticket_code,
        }
        for r in RSVP.objects.filter(user=user).select_related("event")
    ]


@exporter("attendance")
def export_attendance(user):
    # Kept after account deletion on the anonymous tombstone, so past figures do not move.
    return [
        {
            "event": a.event.title,
            "event_starts_at": iso(a.event.starts_at),
            "agency": a.agency.name if a.agency else None,
            "recorded_at": iso(a.recorded_at),
        }
        for a in Attendance.objects.filter(user=user).select_related("event", "agency")
    ]


@exporter("calendar_token")
def export_calendar_token(user):
    # Metadata only: the hash of the secret is never exported.
    token = CalendarToken.objects.filter(user=user).first()
    return token and {
        "created_at": iso(token.created_at),
        "last_fetched_at": iso(token.last_fetched_at),
        "last_client": token.last_client,
    }


@exporter("meeting_reminders")
def export_meeting_reminders(user):
    return [
        {
            "event": r.event.title,
            "days_before": r.days_before,
            "sent_at": iso(r.sent_at),
        }
        for r in SentReminder.objects.filter(user=user).select_related("event")
    ]


@eraser
def erase_answers_and_feed(*, user, now, tombstone_email):
    RSVP.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    SentReminder.objects.filter(user=user).delete()
    # Waiting-list notices: what they said is in the RSVPs exported above.
    EventNotice.objects.filter(user=user).delete()

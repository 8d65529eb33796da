"""Officers' CSV downloads: registrations, attendance and feedback, through the one CSV
helper (wmasn.spreadsheets.csv_download); officers only, after MFA (wmasn.officers)."""

from django.utils import timezone
from django.views.decorators.http import require_safe

from events.models import RSVP, Attendance
from events.registration.access import get_registration_event
from events.registration.models import Feedback
from wmasn.officers import officer_required
from wmasn.spreadsheets import csv_download


def _iso(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _csv_response(event, name, header, rows):
    response = csv_download(f"{event.slug}-{name}", header, rows)
    response["Cache-Control"] = "private, no-store"
    return response


def registration_rows(event):
    questions = list(event.registration.questions.all())
    header = [
        "name",
        "email",
        "member or guest",
        "organisation",
        "job role",
        "answer",
        "ticket code",
        "dietary needs",
        "access needs",
        "photo consent",
        "photo consent given at",
        "registered at",
        "checked in at",
        *[question.text for question in questions],
    ]
    rsvps = (
        RSVP.objects.counted()
        .filter(event=event)
        .select_related("user", "attendance")
        .order_by("answer", "waiting_since", "created_at")
    )
    rows = []
    for rsvp in rsvps:
        attendance = getattr(rsvp, "attendance", None)
        consent = {True: "yes", False: "no", None: ""}[rsvp.photo_consent]
        answers = rsvp.answers or {}
        rows.append(
            [
                rsvp.name,
                rsvp.email,
                "guest" if rsvp.is_guest else "member",
                rsvp.organisation,
                rsvp.job_role,
                rsvp.get_answer_display(),
                rsvp.formatted_ticket_code,
                rsvp.dietary_needs,
                rsvp.access_needs,
                consent,
                _iso(rsvp.photo_consent_at),
                _iso(rsvp.created_at),
                _iso(attendance.recorded_at) if attendance else "",
                *[_answer_text(answers.get(str(question.pk))) for question in questions],
            ]
        )
    return header, rows


def _answer_text(value):
    if isinstance(value, list):
        return "; ".join(value)
    return value or ""


@require_safe
@officer_required
def registrations_csv(request, slug):
    event = get_registration_event(slug)
    header, rows = registration_rows(event)
    return _csv_response(event, "registrations", header, rows)


@require_safe
@officer_required
def attendance_csv(request, slug):
    event = get_registration_event(slug)
    attendances = (
        Attendance.objects.filter(event=event)
        .select_related("user", "agency", "registration", "registration__user", "recorded_by")
        .order_by("recorded_at")
    )
    rows = []
    for attendance in attendances:
        registration = attendance.registration
        if registration is not None:
            name, organisation = registration.name, registration.organisation
        else:
            name = attendance.user.get_full_name() or attendance.user.email
            organisation = ""
        rows.append(
            [
                name,
                organisation or (attendance.agency.name if attendance.agency else ""),
                "guest" if attendance.user_id is None else "member",
                _iso(attendance.recorded_at),
                attendance.recorded_by.email if attendance.recorded_by else "",
            ]
        )
    header = ["name", "organisation", "member or guest", "checked in at", "recorded by"]
    return _csv_response(event, "attendance", header, rows)


@require_safe
@officer_required
def feedback_csv(request, slug):
    event = get_registration_event(slug)
    # Feedback is anonymous in the export: officers read what was said, not who said it.
    rows = [
        [answer.rating, answer.most_useful, answer.improve, _iso(answer.created_at)]
        for answer in Feedback.objects.filter(event=event).order_by("created_at")
    ]
    header = ["rating", "most useful", "could be better", "given at"]
    return _csv_response(event, "feedback", header, rows)

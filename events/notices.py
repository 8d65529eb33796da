"""The emails that tell invited members about meetings: announcements, changes,
cancellations, reminders and the waiting list.

Who hears is `Event.invited()`, narrowed by each member's notification preferences. Every
notice about a meeting carries signed "Attending" / "Sending apologies" links, and, for a
member who chose calendar invitations, an iMIP part (events/invitations.py).

Everything here runs in the worker, never in a request: announcements and the notices that
requests record (`EventNotice`, events/services.py) are sent by events/tasks.py, reminders by
the hourly job (events/jobs.py).
"""

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.invitations import invitation_part
from events.models import RSVP, Event, EventNotice, SentReminder
from network import notifications
from network.models import User
from network.notifications import Kind
from wmasn.links import absolute_reverse, absolute_url
from wmasn.mail import send_email

ANSWER_SALT = "events.answer-link"
# Reminders go on the day this many days before a meeting (the larger first).
REMINDER_DAYS = (7, 1)


# Signed answer links -------------------------------------------------------------------------


def answer_token(event, user, answer):
    return signing.dumps({"e": event.pk, "u": user.pk, "a": answer}, salt=ANSWER_SALT)


def read_answer_token(token):
    """(event_pk, user_pk, answer) from a token, or None when forged or malformed."""
    try:
        data = signing.loads(token, salt=ANSWER_SALT)
        event_pk, user_pk, answer = int(data["e"]), int(data["u"]), data["a"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if answer not in (RSVP.Answer.ATTENDING, RSVP.Answer.APOLOGIES):
        return None
    return event_pk, user_pk, answer


def answer_links(event, user):
    """The member's own "Attending" and "Sending apologies" links for this event."""
    return {
        answer: absolute_reverse("events:answer", event.slug, answer_token(event, user, answer))
        for answer in (RSVP.Answer.ATTENDING, RSVP.Answer.APOLOGIES)
    }


# Sending ---------------------------------------------------------------------------------------


def _answers(events, users):
    """{(event_pk, user_pk): answer} for these events and users, in one query."""
    rows = RSVP.objects.filter(event__in=events, user__in=users).values_list(
        "event_id", "user_id", "answer"
    )
    return {(event_id, user_id): answer for event_id, user_id, answer in rows}


def _meeting_context(event, user, answer):
    return {
        "event": event,
        "event_url": absolute_url(event.get_absolute_url()),
        "answer": answer,
        "answer_label": RSVP.Answer(answer).label if answer else "",
        "links": answer_links(event, user) if event.accepts_rsvps() else None,
        "documents": _documents(event),
    }


def _documents(event):
    """The meeting's agenda, papers and minutes as (title, absolute link); members only."""
    return [
        (
            f"{document.get_kind_display()}: {document.title} ({document.label})",
            absolute_url(document.get_absolute_url()),
        )
        for document in event.documents.all()
    ]


def _send(template, *, user, kind, context, event=None, answer=None):
    """One email; carries the member's invitation for `event` if they chose invitations."""
    alternatives = []
    if event is not None and notifications.wants_invitations(user):
        alternatives.append(invitation_part(event, user, answer=answer))
    unsubscribe_url = notifications.unsubscribe_url(user, kind) if kind in Kind.values else ""
    send_email(
        template,
        to=user.email,
        kind=kind,
        headers=notifications.unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {},
        alternatives=alternatives,
        context={
            "user": user,
            "preferences_url": absolute_reverse("network:notifications"),
            "unsubscribe_url": unsubscribe_url,
            **context,
        },
    )


def _event_with_venue(event):
    return (
        Event.objects.select_related("venue", "organiser", "working_group")
        .prefetch_related("documents")
        .get(pk=event.pk)
    )


def announce(events):
    """Announce newly scheduled events: one email per member listing those of the batch they
    are invited to; members who chose invitations get one invitation per meeting instead.
    Returns how many emails were sent."""
    events = [_event_with_venue(event) for event in events]
    by_user = {}
    for event in events:
        for user in notifications.wanting(event.invited(), Kind.MEETINGS):
            by_user.setdefault(user.pk, (user, []))[1].append(event)
    sent = 0
    answers = _answers(events, [user for user, _ in by_user.values()])
    for user, user_events in by_user.values():
        meetings = [_meeting_context(e, user, answers.get((e.pk, user.pk))) for e in user_events]
        if notifications.wants_invitations(user):
            for meeting in meetings:
                _send(
                    "events/email/meetings_announced",
                    user=user,
                    kind=Kind.MEETINGS,
                    context={"meetings": [meeting]},
                    event=meeting["event"],
                    answer=meeting["answer"],
                )
                sent += 1
        else:
            _send(
                "events/email/meetings_announced",
                user=user,
                kind=Kind.MEETINGS,
                context={"meetings": meetings},
            )
            sent += 1
    return sent


CHANGE_LABELS = {
    "starts_at": "time",
    "ends_at": "time",
    "all_day": "time",
    "venue_id": "venue",
    "status": "status",
}


def send_pending(pending, *, now):
    """Send what these pending `EventNotice`s say, describing each event as it is now (the
    worker, events/tasks.py). A change and a cancellation go to those invited, once per
    event however many changes are waiting; an event over by now needs no notice. Returns
    how many emails were written."""
    by_event = {}
    for notice in pending:
        by_event.setdefault(notice.event_id, []).append(notice)
    events = {
        event.pk: event
        for event in Event.objects.filter(pk__in=by_event)
        .select_related("venue", "organiser", "working_group")
        .prefetch_related("documents")
    }
    sent = 0
    for event_pk, event_notices in by_event.items():
        event = events[event_pk]
        if event.ends_at < now:
            continue
        personal = [n for n in event_notices if n.kind in EventNotice.PERSONAL]
        if personal and not event.is_cancelled:
            sent += _send_personal(event, personal)
        sent += _send_to_invited(event, [n for n in event_notices if n not in personal])
    return sent


def _send_to_invited(event, event_notices):
    """One email per person about these changes of `event`: its cancellation if it is
    cancelled now, else what changed since those invited were last told."""
    cancellations = [n for n in event_notices if n.kind == EventNotice.Kind.CANCELLED]
    if event.is_cancelled:
        if not cancellations:
            return 0  # a cancelled event's time or venue changed: nobody needs to hear
        return notify_cancelled(event, announced=any(n.announced for n in cancellations))
    # Changes made before the announcement went are in the announcement.
    told = [n for n in event_notices if n.kind == EventNotice.Kind.CHANGED and n.announced]
    fields = {name for n in told for name in n.changed_fields}
    if cancellations:
        fields.discard("status")  # cancelled and back on before anyone was told
    venue_confirmed = any(n.venue_confirmed for n in told) and event.venue_id is not None
    return notify_changed(event, fields, venue_confirmed=venue_confirmed)


def notify_changed(event, changed_fields, *, venue_confirmed=False):
    """Tell invited members that the time, venue or status of `event` (with its venue and
    documents) changed; `changed_fields` are Event.SEQUENCED_FIELDS names. Returns how many
    were told."""
    changes = sorted({CHANGE_LABELS[name] for name in changed_fields if name in CHANGE_LABELS})
    if not changes:
        return 0
    users = notifications.wanting(event.invited(), Kind.MEETINGS).order_by("email")
    return _send_to_each(
        "events/email/meeting_changed",
        event,
        users,
        kind=Kind.MEETINGS,
        context={"changes": changes, "venue_confirmed": venue_confirmed},
    )


def _send_to_each(template, event, users, *, kind, context=None):
    """One notice about `event` to each user, with their answer; returns how many."""
    users = list(users)
    answers = _answers([event], users)
    for user in users:
        answer = answers.get((event.pk, user.pk))
        _send(
            template,
            user=user,
            kind=kind,
            context={**_meeting_context(event, user, answer), **(context or {})},
            event=event,
            answer=answer,
        )
    return len(users)


def notify_cancelled(event, *, announced=True):
    """Tell everyone invited that `event` (with its venue and documents) is cancelled, with
    the reason; those who said they would attend (or wait for a place) are told whatever
    their preferences. Of an event never `announced`, only they are told: nobody else was
    told of it by email. Returns how many were told."""
    answered = RSVP.objects.filter(
        event=event, answer__in=[RSVP.Answer.ATTENDING, RSVP.Answer.WAITING]
    ).values("user_id")
    invited = notifications.wanting(event.invited(), Kind.MEETINGS)
    if not announced:
        invited = invited.none()
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=invited.values("pk")) | Q(pk__in=answered))
        .select_related("notification_preferences")
        .order_by("email")
    )
    return _send_to_each("events/email/event_cancelled", event, users, kind="event-cancelled")


# Reminders -------------------------------------------------------------------------------------


def due_reminder(event, today):
    """Which reminder (days before) is due for this event today, or None. A reminder missed
    on its day still goes out later, unless a nearer one has become due."""
    days_left = (timezone.localtime(event.starts_at).date() - today).days
    due = [days for days in REMINDER_DAYS if 0 < days_left <= days]
    return min(due) if due else None


def send_reminders(*, now=None):
    """Send every reminder due now that has not been sent; returns how many were sent.

    Each (meeting, member, days before) is recorded in SentReminder, whose unique constraint
    makes a second run, or two runs at once, send nothing twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = now + dt.timedelta(days=max(REMINDER_DAYS) + 1)
    events = (
        Event.objects.scheduled()
        .filter(starts_at__gt=now, starts_at__lte=horizon)
        .select_related("venue", "organiser", "working_group")
        .prefetch_related("documents")
    )
    sent = 0
    for event in events:
        days = due_reminder(event, today)
        if days is None:
            continue
        already = SentReminder.objects.filter(event=event, days_before=days).values("user_id")
        answers = RSVP.objects.filter(event=event)
        # Someone who sent apologies needs no reminder.
        users = (
            notifications.wanting(event.invited(), Kind.REMINDERS)
            .exclude(pk__in=already)
            .exclude(pk__in=answers.filter(answer=RSVP.Answer.APOLOGIES).values("user_id"))
            .order_by("email")
        )
        if days == min(REMINDER_DAYS):
            # The day before an event people register for, those with a place get
            # registration's reminder, with their ticket, instead of a second email
            # (events/registration/jobs.py).
            # (Guests' places have no user: a NULL would make NOT IN exclude everyone.)
            ticketed = answers.ticketed().filter(user__isnull=False)
            users = users.exclude(pk__in=ticketed.values("user_id"))
        users = list(users)
        answers = _answers([event], users)
        for user in users:
            sent += _remind(event, user, days, answers.get((event.pk, user.pk)))
    return sent


def _remind(event, user, days, answer):
    try:
        with transaction.atomic():
            SentReminder.objects.create(event=event, user=user, days_before=days)
            _send(
                "events/email/meeting_reminder",
                user=user,
                kind=Kind.REMINDERS,
                context={**_meeting_context(event, user, answer), "days_before": days},
                event=event,
                answer=answer,
            )
    except IntegrityError:
        return 0  # another run sent this one
    return 1


# The waiting list ------------------------------------------------------------------------------


def _send_personal(event, personal):
    """The waiting-list notices of a scheduled event, each while it is still true: a member
    who has since answered otherwise is not told they wait, or that a place is theirs."""
    users = {notice.user_id: notice.user for notice in personal}
    rsvps = {
        rsvp.user_id: rsvp
        for rsvp in RSVP.objects.filter(event=event, user__in=users).select_related("user")
    }
    sent = 0
    for notice in personal:
        rsvp = rsvps.get(notice.user_id)
        if notice.kind == EventNotice.Kind.WAITING and _answered(rsvp, RSVP.Answer.WAITING):
            notify_waiting(event, rsvp)
        elif notice.kind == EventNotice.Kind.PLACE_GIVEN and _answered(rsvp, RSVP.Answer.ATTENDING):
            notify_place_given(event, rsvp)
        elif notice.kind == EventNotice.Kind.PLACE_RELEASED:
            notify_place_released(event, users[notice.user_id])
        else:
            continue
        sent += 1
    return sent


def _answered(rsvp, answer):
    return rsvp is not None and rsvp.answer == answer


def notify_waiting(event, rsvp):
    """Tell a member their answer put them on the waiting list, and where."""
    _send(
        "events/email/waiting_list_joined",
        user=rsvp.user,
        kind="waiting-list",
        context={
            **_meeting_context(event, rsvp.user, rsvp.answer),
            "position": rsvp.waiting_position(),
        },
    )


def notify_place_given(event, rsvp):
    """Tell the member who moved up from the waiting list that a place is theirs."""
    _send(
        "events/email/waiting_list_place",
        user=rsvp.user,
        kind="waiting-list",
        context=_meeting_context(event, rsvp.user, rsvp.answer),
        event=event,
        answer=rsvp.answer,
    )


def notify_place_released(event, user):
    """Tell a member whose apologies freed a place that it went to someone waiting."""
    _send(
        "events/email/place_released",
        user=user,
        kind="waiting-list",
        context=_meeting_context(event, user, RSVP.Answer.APOLOGIES),
    )

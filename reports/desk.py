"""The chair's desk: what needs an officer's attention, each line linking to the list that
resolves it. Every line is one or two counting queries, whatever the size of the network."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import Action
from events.models import RSVP, Event, EventDocument
from network.models import Agency, Membership, WorkingGroup
from wmasn.jobs import overdue_jobs
from wmasn.jobs.models import WorkerHeartbeat
from wmasn.mail.models import InboundMessage, OutgoingEmail
from wmasn.mail.status import WORKER_SILENCE

UPCOMING_VENUE_DAYS = 60
PAPERS_DUE_DAYS = 30
OLDEST_SHOWN = 5


@dataclass
class DeskLine:
    """One thing to attend to: how many, what, and the admin list that resolves it."""

    key: str
    count: int
    text: str
    url: str
    items: list = field(default_factory=list)
    more: str = "in all"


def admin_list(name, **params):
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def plural(count, one, many=None):
    return one if count == 1 else (many or one + "s")


def counted(key, queryset, text, url):
    """A line counting `queryset`, or None when it is empty; `text(count)` says what."""
    count = queryset.count()
    return DeskLine(key=key, count=count, text=text(count), url=url) if count else None


def listed(key, queryset, text, url, item, more="in all"):
    """A line counting `queryset` and showing its first OLDEST_SHOWN rows, each as
    `item(row)` (a dict of text, note and url), or None when it is empty."""
    count = queryset.count()
    if not count:
        return None
    items = [item(row) for row in queryset[:OLDEST_SHOWN]]
    return DeskLine(key=key, count=count, text=text(count), url=url, items=items, more=more)


def waiting_requests(now):
    return listed(
        "membership-requests",
        Membership.objects.pending().select_related("user", "agency"),
        lambda n: f"{plural(n, 'membership request')} waiting",
        admin_list("network_membership", status=Membership.Status.PENDING),
        lambda m: {
            "text": f"{m.user} for {m.agency}",
            "note": waited((now - m.requested_at).days),
            "url": reverse("admin:network_membership_change", args=[m.pk]),
            # Approve and Decline buttons post here (network/admin.py, MembershipAdmin).
            "decide_url": reverse("admin:network_membership_decide", args=[m.pk]),
            "proposed_agency": m.agency.status == Agency.Status.PROPOSED,
        },
        more="in all, oldest first",
    )


def waited(days):
    return f"waiting {days} {plural(days, 'day')}"


def proposed_agencies(now):
    return counted(
        "proposed-agencies",
        Agency.objects.proposed(),
        lambda n: f"{plural(n, 'agency', 'agencies')} proposed, awaiting an officer",
        admin_list("network_agency", status__exact=Agency.Status.PROPOSED),
    )


def meetings_without_venue(now):
    until = now + dt.timedelta(days=UPCOMING_VENUE_DAYS)
    meetings = Event.objects.upcoming(now).scheduled().filter(starts_at__lt=until)
    return counted(
        "meetings-without-venue",
        meetings.filter(venue__isnull=True),
        lambda n: (
            f"{plural(n, 'event')} in the next {UPCOMING_VENUE_DAYS} days without a confirmed venue"
        ),
        admin_list(
            "events_event",
            status__exact=Event.Status.SCHEDULED,
            venue__isnull="True",
            ends_at__gte=now.isoformat(timespec="seconds"),
            starts_at__lt=until.isoformat(timespec="seconds"),
        ),
    )


def meetings_without_papers(now):
    """The next meeting of the network, and of each working group, within PAPERS_DUE_DAYS
    with no agenda or paper attached yet (minutes come after, so they don't count)."""
    until = now + dt.timedelta(days=PAPERS_DUE_DAYS)
    papers = EventDocument.objects.filter(
        event=OuterRef("pk"), kind__in=[EventDocument.Kind.AGENDA, EventDocument.Kind.PAPER]
    )
    meetings = (
        Event.objects.upcoming(now)
        .scheduled()
        .filter(starts_at__lt=until)
        .filter(
            Q(kind=Event.Kind.NETWORK_MEETING, working_group=None)
            | Q(working_group__status=WorkingGroup.Status.OPEN)
        )
        .annotate(has_papers=Exists(papers))
        .order_by("starts_at", "pk")
        .only("pk", "title", "starts_at", "all_day", "working_group_id")
    )
    seen, missing = set(), []
    for meeting in meetings:
        series = meeting.working_group_id or "network"
        if series not in seen:
            seen.add(series)
            if not meeting.has_papers:
                missing.append(meeting)
    if not missing:
        return None
    count = len(missing)
    return DeskLine(
        key="meetings-without-papers",
        count=count,
        text=f"next {plural(count, 'meeting')} without an agenda or papers attached",
        url=admin_list("events_event", id__in=",".join(str(m.pk) for m in missing)),
        items=[
            {
                "text": str(meeting),
                "url": reverse("admin:events_event_change", args=[meeting.pk]),
            }
            for meeting in missing[:OLDEST_SHOWN]
        ],
        more="in all",
    )


def agencies_without_pledge(now):
    year = timezone.localdate(now).year
    return counted(
        "agencies-without-pledge",
        Agency.objects.active().exclude(pledges__year=year),
        lambda n: f"{plural(n, 'agency', 'agencies')} with no pledge for {year}",
        admin_list(
            "network_agency", status__exact=Agency.Status.ACTIVE, pledged="no", pledge_year=year
        ),
    )


def overdue_actions(now):
    """Open actions past their due date, the longest overdue first."""
    today = timezone.localdate(now)
    return listed(
        "actions-overdue",
        Action.objects.overdue(today).select_related("owner_agency").order_by("due_on", "pk"),
        lambda n: f"{plural(n, 'action')} overdue",
        admin_list(
            "actions_action", status__exact=Action.Status.OPEN, due_on__lt=today.isoformat()
        ),
        lambda action: {
            "text": f"{action.title} ({action.owner_agency})",
            "note": f"due {action.due_on.day} {action.due_on:%b %Y}",
            "url": reverse("admin:actions_action_change", args=[action.pk]),
        },
        more="in all, longest overdue first",
    )


def failed_emails(now):
    return counted(
        "emails-failed",
        OutgoingEmail.objects.filter(state=OutgoingEmail.State.FAILED),
        lambda n: f"{plural(n, 'email')} failed (send again from the list)",
        admin_list("mail_outgoingemail", state__exact=OutgoingEmail.State.FAILED),
    )


def emails_without_worker(now):
    """Emails due with no mail worker seen for WORKER_SILENCE (the rule of the admin banner)."""
    if WorkerHeartbeat.objects.filter(last_seen__gte=now - WORKER_SILENCE).exists():
        return None
    return counted(
        "emails-waiting",
        OutgoingEmail.objects.due(now),
        lambda n: (
            f"{plural(n, 'email')} waiting, and no mail worker is running "
            "(start one: python manage.py db_worker)"
        ),
        admin_list("mail_outgoingemail", state__exact=OutgoingEmail.State.PENDING),
    )


def announcements_waiting(now):
    """New events the worker has not announced within WORKER_SILENCE of their saving."""
    return counted(
        "announcements-waiting",
        Event.objects.waiting_to_be_announced().filter(
            announcement_queued_at__lt=now - WORKER_SILENCE
        ),
        lambda n: (
            f"new {plural(n, 'event')} not yet announced to members "
            "(is the mail worker running? python manage.py db_worker)"
        ),
        admin_list("events_event", announcement_queued_at__isnull="False"),
    )


def messages_for_officers(now):
    """What the inbound mailbox kept for officers (a proposed new time, a person's words),
    until an officer marks it dealt with; the oldest first."""
    return listed(
        "messages-for-officers",
        InboundMessage.objects.waiting_for_officers().order_by("received_at", "pk"),
        lambda n: f"{plural(n, 'message')} for officers to read (mark them dealt with there)",
        admin_list(
            "mail_inboundmessage",
            outcome__exact=InboundMessage.Outcome.FOR_OFFICERS,
            dealt_with_at__isnull="True",
        ),
        lambda message: {
            "text": f"{message.get_kind_display()} from {message.sender or 'unknown'}",
            "note": date_format(timezone.localdate(message.received_at), "j M Y"),
            "url": reverse("admin:mail_inboundmessage_change", args=[message.pk]),
        },
        more="in all, oldest first",
    )


def jobs_overdue(now):
    overdue = overdue_jobs(now)
    if not overdue:
        return None
    names = ",".join(job.name for job, _run in overdue)
    return DeskLine(
        key="jobs-overdue",
        count=len(overdue),
        text=f"{plural(len(overdue), 'periodic job')} overdue: {names.replace(',', ', ')}",
        url=admin_list("jobs_jobrun", name__in=names),
    )


LINES = [
    waiting_requests,
    proposed_agencies,
    failed_emails,
    emails_without_worker,
    announcements_waiting,
    jobs_overdue,
    messages_for_officers,
    meetings_without_venue,
    meetings_without_papers,
    overdue_actions,
    agencies_without_pledge,
]


def desk_lines(now=None):
    """The lines that need attention now, in the desk's order; resolved ones are left out."""
    now = now or timezone.now()
    return [line for line in (build(now) for build in LINES) if line is not None]


def answers(answer):
    """How many gave `answer` to the outer event: a subquery, counted only for the rows
    the query returns (a join and GROUP BY would count every upcoming event's answers)."""
    return Coalesce(
        Subquery(
            RSVP.objects.filter(event=OuterRef("pk"), answer=answer)
            .order_by()
            .values("event")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def next_meetings(now=None, limit=3):
    """The next scheduled events with their answers so far (one query): attending,
    tentative (a calendar's "Tentative", never counted as coming) and apologies."""
    now = now or timezone.now()
    return list(
        Event.objects.upcoming(now)
        .scheduled()
        .select_related("venue")
        .annotate(
            attending=answers(RSVP.Answer.ATTENDING),
            tentative=answers(RSVP.Answer.TENTATIVE),
            apologies=answers(RSVP.Answer.APOLOGIES),
        )[:limit]
    )

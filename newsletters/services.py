"""Writes that touch several models: a head start on the next issue, from the portal's data."""

import datetime as dt

from django.db import transaction
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.text import slugify

from events import times
from events.models import Event
from network.models import Agency
from pledges.models import Pledge

from .models import Issue, Section

# Without a previous issue, "recent" means this far back.
DEFAULT_LOOKBACK = dt.timedelta(days=90)
MEETINGS_SHOWN = 6


def _unique_slug(base):
    slug, n = base, 2
    while Issue.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _link(text, obj):
    """A Markdown link to the object's page, or plain text if that page does not exist."""
    try:
        return f"[{text}]({obj.get_absolute_url()})"
    except NoReverseMatch:
        return text


def _when(event):
    return str(times.event_span(event))


@transaction.atomic
def insert_action_progress(*, issue, user, now=None):
    """Append a "Progress since the last issue" section to a draft: the decisions and actions
    of the period since the issue published before it (actions/summaries.py)."""
    from actions.summaries import progress_between

    now = now or timezone.now()
    last = Issue.objects.published().exclude(pk=issue.pk).order_by("-publish_at").first()
    since = last.publish_at if last else now - DEFAULT_LOOKBACK
    last_order = issue.sections.order_by("-order").values_list("order", flat=True).first()
    section = Section(
        issue=issue,
        order=(last_order or 0) + 10,
        heading="Progress since the last issue",
        body=progress_between(since, now).as_html(),
        author=user,
    )
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def draft_issue_from_portal(*, user, now=None):
    """Create a draft issue pre-filled with upcoming network meetings, agencies that joined
    and public pledges made since the last published issue, for the chair to edit."""
    now = now or timezone.now()
    last = Issue.objects.published().order_by("-publish_at").first()
    since = last.publish_at if last else now - DEFAULT_LOOKBACK
    local = timezone.localtime(now)
    title = f"{local:%B %Y}"
    issue = Issue(
        title=title,
        slug=_unique_slug(slugify(title)),
        issue_date=local.date(),
        summary="",
        status=Issue.Status.DRAFT,
        created_by=user,
    )
    issue.full_clean()
    issue.save()

    sections = [
        Section(
            heading="Welcome",
            body="*A word from the chair: write it here.*",
        )
    ]
    meetings = list(
        Event.objects.upcoming(now=now)
        .scheduled()
        .filter(kind=Event.Kind.NETWORK_MEETING)[:MEETINGS_SHOWN]
    )
    if meetings:
        lines = [f"- {_link(f'{_when(e)}: {e.title}', e)}" for e in meetings]
        sections.append(
            Section(
                heading="Network meeting dates",
                body="Members can see the venues and say whether they will attend.\n\n"
                + "\n".join(lines),
                event=meetings[0],
            )
        )
    agencies = list(Agency.objects.active().filter(created_at__gte=since).order_by("name"))
    if agencies:
        lines = [f"- {_link(a.name, a)}" for a in agencies]
        sections.append(
            Section(
                heading="Welcome to our new member agencies",
                body="\n".join(lines),
                agency=agencies[0] if len(agencies) == 1 else None,
            )
        )
    pledges = list(Pledge.objects.public().filter(created_at__gte=since).select_related("agency"))
    if pledges:
        lines = [f"- **{p.agency.name}** ({p.year}): {p.text}" for p in pledges]
        sections.append(Section(heading="Recent pledges", body="\n".join(lines)))

    for order, section in enumerate(sections, start=1):
        section.issue = issue
        section.order = order * 10
        section.author = user
        section.full_clean()
    Section.objects.bulk_create(sections)
    return issue

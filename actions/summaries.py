"""What happened to the network's actions and decisions in a period: for the newsletter's
"progress since the last issue" (the newsletters app inserts it; this app never imports it)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import Action, Decision, ProgressNote

# Each list in the summary is cut at this many: the editor trims a draft, not a register.
SHOWN = 30


@dataclass
class Progress:
    since: object
    until: object
    decisions: list
    done: list
    progressed: list  # (action, its latest note in the period)
    agreed: list

    @property
    def is_empty(self):
        return not (self.decisions or self.done or self.progressed or self.agreed)

    def as_html(self):
        """The section body for the visual editor: agencies are named, people are not."""
        return render_to_string("actions/newsletter_progress.html", {"progress": self})


def progress_between(since, until):
    """Decisions taken, actions done, progress noted and actions agreed from `since` to
    `until` (aware datetimes)."""
    first_day, last_day = timezone.localdate(since), timezone.localdate(until)
    decisions = (
        Decision.objects.filter(meeting__starts_at__gte=since, meeting__starts_at__lt=until)
        .select_related("meeting", "document")
        .order_by("meeting__starts_at", "pk")[:SHOWN]
    )
    done = (
        Action.objects.filter(status=Action.Status.DONE, closed_on__gte=first_day)
        .filter(closed_on__lte=last_day)
        .select_related("owner_agency")
        .order_by("closed_on", "pk")[:SHOWN]
    )
    notes = (
        ProgressNote.objects.filter(created_at__gt=since, created_at__lte=until)
        .filter(action__status=Action.Status.OPEN)
        .select_related("action__owner_agency")
        .order_by("-created_at", "-pk")
    )
    latest = {}
    for note in notes[: SHOWN * 5]:
        latest.setdefault(note.action_id, note)
    progressed = [(note.action, note) for note in list(latest.values())[:SHOWN]]
    agreed = (
        Action.objects.open()
        .filter(agreed_on__gte=first_day, agreed_on__lte=last_day)
        .select_related("owner_agency")
        .order_by("due_on", "pk")[:SHOWN]
    )
    return Progress(
        since=since,
        until=until,
        decisions=list(decisions),
        done=list(done),
        progressed=progressed,
        agreed=list(agreed),
    )

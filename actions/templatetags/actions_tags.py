"""Actions on the pages of lower apps (a meeting's page, a working group's page, the meeting
reminder email): events and network never import this app; their templates load these tags."""

from django import template
from django.utils import timezone

from actions.access import leads_group
from actions.models import Action

register = template.Library()

# A group's page lists its open actions and these most recently closed ones.
RECENTLY_CLOSED_SHOWN = 10
# A meeting's matters arising beyond this many are one link away, on /actions/.
ARISING_SHOWN = 100


def _sees_actions(user):
    return user is not None and user.is_authenticated and user.sees_member_details


@register.inclusion_tag("actions/includes/meeting_actions.html", takes_context=True)
def meeting_actions(context, event):
    """The actions a meeting agreed and, until it has taken place, its matters arising:
    every action still open from before it. Members and officers only."""
    user = context.get("user")
    if not _sees_actions(user):
        return {"shown": False}
    now = timezone.now()
    agreed = list(Action.objects.from_meeting(event).with_related().order_by("due_on", "pk"))
    # Network and working-group meetings review open actions; a conference does not.
    reviews_actions = bool(event.working_group_id) or event.kind == event.Kind.NETWORK_MEETING
    arising = []
    if reviews_actions and event.ends_at >= now and not event.is_cancelled:
        arising = list(
            Action.objects.matters_arising(before=event)
            .with_related()
            .order_by("due_on", "pk")[: ARISING_SHOWN + 1]
        )
    return {
        "shown": True,
        "event": event,
        "agreed": agreed,
        "arising": arising[:ARISING_SHOWN],
        "more_arising": len(arising) > ARISING_SHOWN,
        "upcoming": event.ends_at >= now,
        "reviews_actions": reviews_actions,
        "today": timezone.localdate(),
        "can_record": user.is_staff and user.has_perm("actions.add_action"),
    }


@register.inclusion_tag("actions/includes/group_actions.html", takes_context=True)
def group_actions(context, group):
    """A working group's open actions with their progress, and its latest closed ones."""
    user = context.get("user")
    if not _sees_actions(user):
        return {"shown": False}
    actions = Action.objects.for_group(group).with_related().with_latest_note()
    return {
        "shown": True,
        "group": group,
        "open_actions": list(actions.open().order_by("due_on", "pk")),
        "closed_actions": list(
            actions.exclude(status=Action.Status.OPEN).order_by("-closed_on", "-pk")[
                :RECENTLY_CLOSED_SHOWN
            ]
        ),
        "today": timezone.localdate(),
        "can_record": leads_group(user, group),
    }


@register.inclusion_tag("actions/email/includes/my_open_actions.txt", takes_context=True)
def my_open_actions_text(context, user):
    """For a meeting reminder: the person's own open actions (named as owner, or owned by
    their agency with nobody named), as plain text."""
    if user is None or not user.is_authenticated:
        return {"actions": []}
    return {
        "actions": list(Action.objects.open().owned_by(user).with_related()[:50]),
        "site_url": context.get("site_url", ""),
        "today": timezone.localdate(),
    }

"""The admin's front page as a desk: `{% desk %}` renders what needs attention."""

from django import template
from django.utils import timezone

from reports import desk

register = template.Library()


@register.inclusion_tag("reports/admin/desk.html", takes_context=True)
def chair_desk(context):
    """The desk, for officers only: other staff (a newsletter editor) see the admin's own
    front page, not the names of people waiting for membership."""
    if not context["request"].user.is_officer:
        return {"officer": False}
    now = timezone.now()
    return {
        "officer": True,
        # The desk's Approve and Decline buttons are forms.
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
        "lines": desk.desk_lines(now),
        "meetings": desk.next_meetings(now),
        "desk_year": timezone.localdate(now).year,
    }

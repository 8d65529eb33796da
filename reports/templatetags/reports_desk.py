"""The admin's front page as a desk: `{% desk %}` renders what needs attention."""

from django import template
from django.utils import timezone

from reports import desk

register = template.Library()


@register.inclusion_tag("reports/admin/desk.html", takes_context=True)
def chair_desk(context):
    now = timezone.now()
    return {
        "lines": desk.desk_lines(now),
        "meetings": desk.next_meetings(now),
        "desk_year": timezone.localdate(now).year,
    }

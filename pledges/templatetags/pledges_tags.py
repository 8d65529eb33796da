from django import template

from pledges.models import Pledge

register = template.Library()


@register.simple_tag
def agency_pledges(agency, user):
    """An agency's pledges the user may see, newest year first, for its profile page."""
    return Pledge.objects.visible_to(user).filter(agency=agency).order_by("-year", "pk")

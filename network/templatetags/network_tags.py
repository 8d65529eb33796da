from django import template

from wmasn.text import possessive as possessive_text

register = template.Library()


@register.filter
def possessive(name):
    """{{ agency.name|possessive }} pledge: "Barnardo's pledge", never "Barnardo's's"."""
    return possessive_text(name)


@register.simple_tag
def membership_next_step(user):
    """For a signed-in person who is not yet a member: their pending requests (the next step
    is an officer's), or an empty list (the next step is to ask to join their agency).
    None for visitors, members and officers."""
    from network.models import Membership

    if not user.is_authenticated or user.sees_member_details:
        return None
    return list(Membership.objects.for_user(user).pending().select_related("agency"))

from django import template

from wmasn.text import possessive as possessive_text

register = template.Library()


@register.filter
def possessive(name):
    """{{ agency.name|possessive }} pledge: "Barnardo's pledge", never "Barnardo's's"."""
    return possessive_text(name)

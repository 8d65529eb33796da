from django import template

from wmasn.mail import status

register = template.Library()


@register.inclusion_tag("admin/background_warnings.html")
def background_warnings():
    return {"warnings": status.warnings()}

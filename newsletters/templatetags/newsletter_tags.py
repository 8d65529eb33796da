from django import template

from newsletters.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render a section body: Markdown, then sanitised by nh3."""
    return render_markdown(text)


@register.simple_tag
def markdown_absolute(text, base_url):
    """Render Markdown with relative links made absolute (for emails)."""
    return render_markdown(text, base_url=base_url)


@register.simple_tag
def latest_published_issue():
    """The newest published issue, for the home page; None before the first."""
    from newsletters.models import Issue

    return Issue.objects.published().order_by("-issue_date", "-pk").first()

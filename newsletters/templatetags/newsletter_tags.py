import css_inline
from django import template
from django.utils.safestring import mark_safe

from newsletters.markdown import render_body
from newsletters.plaintext import tidy

register = template.Library()


@register.filter
def section_body(section):
    """A section's body as safe HTML, from the editor's HTML or older Markdown."""
    return render_body(section)


@register.filter
def photo_srcset(image):
    """Both stored renditions of a section photo, for the browser to pick the smaller one
    that is sharp enough (the email one, 1,120 px, or the web one, 1,200 px)."""
    from django.urls import reverse

    sizes = sorted(
        (getattr(image, f"{size}_width"), size) for size in ("email", "web") if getattr(image, size)
    )
    return ", ".join(
        f"{reverse('newsletters:photo', args=[image.pk, size, image.filename(size)])} {width}w"
        for width, size in sizes
    )


@register.simple_tag
def latest_published_issue():
    """The newest published issue, for the home page; None before the first."""
    from newsletters.models import Issue

    return Issue.objects.published().order_by("-issue_date", "-pk").first()


# Mail clients ignore most <style> rules: inline them, keeping the media queries (dark mode,
# phones) in the <style data-css-inline="keep"> block for the clients that read it.
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_link_tags=False)


class InlineCSSNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return mark_safe(_INLINER.inline(self.nodelist.render(context)))  # noqa: S308


@register.tag
def inline_css(parser, token):
    """{% inline_css %}<html>…</html>{% endinline_css %}: the document with its CSS inlined."""
    nodelist = parser.parse(("endinline_css",))
    parser.delete_first_token()
    return InlineCSSNode(nodelist)


class TidyTextNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return tidy(self.nodelist.render(context))


@register.tag
def tidy_text(parser, token):
    """{% tidy_text %}…{% endtidy_text %}: a text email without the template's blank runs."""
    nodelist = parser.parse(("endtidy_text",))
    parser.delete_first_token()
    return TidyTextNode(nodelist)

"""Section bodies: HTML from the visual editor, or Markdown (sections written before it),
both sanitised with nh3 before display.

The sanitiser is the security boundary: whatever HTML or Markdown the chair writes, only
the tags, attributes and URL schemes below reach a reader's browser or inbox. Images are
kept only when they are one of the portal's own newsletter photos (uploaded with alt text
and the consent confirmation); any other image is removed.
"""

import hashlib
import re
import unicodedata

import markdown
import nh3
from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    # Section headings are h2 on the page, so headings inside a body start at h3.
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "code",
    "pre",
    "hr",
    "abbr",
    "dl",
    "dt",
    "dd",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "img": {"src", "alt", "width", "height"},
}
# The path of a newsletter photo (newsletters:photo), relative or on this portal's SITE_URL.
PORTAL_PHOTO_PATH = re.compile(r"^/newsletters/photos/\d+/(?:web|email)/[\w.-]+$")
# nh3 writes attributes in double quotes and the filter below keeps "<" and ">" out of img
# attributes, so an <img> without a src is found reliably here.
IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "noopener noreferrer"
# Removed with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style"}

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
MARKDOWN_CONFIG = {
    # "# Heading" in a body becomes h3: the page keeps one h1 and section h2s.
    "toc": {"baselevel": 3, "anchorlink": False, "permalink": False},
}

CACHE_VERSION = "v2"
CACHE_SECONDS = 60 * 60 * 24


# Control, format (zero-width), space and unassigned characters have no place in a link the
# chair writes, and are how obfuscated "javascript:" links hide from scheme checks.
SUSPICIOUS_URL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def _drop_suspicious_urls(tag, attribute, value):
    if attribute == "href" and any(
        ch == "\ufffd" or unicodedata.category(ch) in SUSPICIOUS_URL_CATEGORIES for ch in value
    ):
        return None
    if tag == "img":
        return _image_attribute(attribute, value)
    return value


def is_portal_photo(src):
    """A newsletter photo of this portal: no tracking pixels, no images without consent."""
    src = src or ""
    site = settings.SITE_URL.rstrip("/")
    if src.startswith(site + "/"):
        src = src[len(site) :]
    return bool(PORTAL_PHOTO_PATH.match(src))


def _image_attribute(attribute, value):
    if attribute == "src":
        return value if is_portal_photo(value) else None
    if attribute in ("width", "height"):
        return value if value.isdigit() and len(value) <= 4 else None
    return value.replace("<", "").replace(">", "")


def sanitise(html, *, base_url=None):
    """Keep only the allowlisted tags, attributes and URL schemes; add rel to links."""
    options = {}
    if base_url:
        # Emails have no page to be relative to: make relative links absolute.
        options["url_relative"] = ("rewrite_with_base", base_url)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_drop_suspicious_urls,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        **options,
    )
    return IMG_WITHOUT_SRC.sub("", cleaned)


def _render(text, base_url):
    html = markdown.markdown(
        text or "", extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
    )
    return sanitise(html, base_url=base_url)


def _cached(kind, text, base_url, render):
    digest = hashlib.sha256(f"{base_url or ''}\0{text or ''}".encode()).hexdigest()
    key = f"newsletters:{kind}:{CACHE_VERSION}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render(text, base_url)
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 against the allowlist above


def render_markdown(text, *, base_url=None):
    """Safe HTML for a Markdown text; cached by content, since sections rarely change."""
    return _cached("markdown", text, base_url, _render)


def render_html(html, *, base_url=None):
    """Safe HTML for what the visual editor stored; cached by content."""
    return _cached("html", html, base_url, lambda text, base: sanitise(text or "", base_url=base))


def render_body(section, *, base_url=None):
    """A section's body as safe HTML, whichever format it was written in."""
    if section.body_format == "markdown":
        return render_markdown(section.body, base_url=base_url)
    return render_html(section.body, base_url=base_url)


def images_removed(html):
    """The src of every <img> in this HTML that the sanitiser would remove."""
    return [
        src
        for src in re.findall(r"<img[^>]*\ssrc=[\"']?([^\"'\s>]+)", html or "", re.IGNORECASE)
        if not is_portal_photo(src)
    ]

"""Markdown for newsletter sections: rendered with python-markdown, then sanitised with nh3.

The sanitiser is the security boundary: whatever Markdown or raw HTML the chair writes, only
the tags, attributes and URL schemes below reach a reader's browser or inbox.
"""

import hashlib
import unicodedata

import markdown
import nh3
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
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "noopener noreferrer"
# Removed with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style"}

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
MARKDOWN_CONFIG = {
    # "# Heading" in a body becomes h3: the page keeps one h1 and section h2s.
    "toc": {"baselevel": 3, "anchorlink": False, "permalink": False},
}

CACHE_VERSION = "v1"
CACHE_SECONDS = 60 * 60 * 24


# Control, format (zero-width), space and unassigned characters have no place in a link the
# chair writes, and are how obfuscated "javascript:" links hide from scheme checks.
SUSPICIOUS_URL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def _drop_suspicious_urls(tag, attribute, value):
    if attribute == "href" and any(
        ch == "\ufffd" or unicodedata.category(ch) in SUSPICIOUS_URL_CATEGORIES for ch in value
    ):
        return None
    return value


def sanitise(html, *, base_url=None):
    """Keep only the allowlisted tags, attributes and URL schemes; add rel to links."""
    options = {}
    if base_url:
        # Emails have no page to be relative to: make relative links absolute.
        options["url_relative"] = ("rewrite_with_base", base_url)
    return nh3.clean(
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


def _render(text, base_url):
    html = markdown.markdown(
        text or "", extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
    )
    return sanitise(html, base_url=base_url)


def render_markdown(text, *, base_url=None):
    """Safe HTML for a Markdown text; cached by content, since sections rarely change."""
    digest = hashlib.sha256(f"{base_url or ''}\0{text or ''}".encode()).hexdigest()
    key = f"newsletters:markdown:{CACHE_VERSION}:{digest}"
    html = cache.get(key)
    if html is None:
        html = _render(text, base_url)
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 against the allowlist above

"""Readable plain text from sanitised section HTML, for the text part of an email.

Many police and NHS mail clients show only the text part, so it carries no Markdown and no
HTML: paragraphs, headings in capitals, bulleted and numbered lists, and links as numbered
references listed at the end of the email ("the survey [3]" … "[3] https://…").
"""

import textwrap
from html.parser import HTMLParser

WIDTH = 72
BLOCKS = {
    "p", "div", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "dl", "dd", "dt",
    "figure", "figcaption",
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class References:
    """The links of one email, numbered in order of appearance, each URL once."""

    def __init__(self):
        self.urls = []

    def number(self, url):
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1


def _plain_target(href):
    """What a mailto: or tel: link says in words; None for a web link."""
    for scheme in ("mailto:", "tel:"):
        if href.lower().startswith(scheme):
            return href[len(scheme) :]
    return None


class _TextParser(HTMLParser):
    def __init__(self, references):
        super().__init__(convert_charrefs=True)
        self.references = references
        self.blocks = []  # (indent, prefix, text)
        self.current = []
        self.lists = []  # a stack of [kind, counter, which list]
        self.list_count = 0
        self.links = []  # a stack of (href, start index in self.current)
        self.heading = False
        self.quote = 0
        self.pre = False

    # Blocks
    def _flush(self):
        text = "".join(self.current)
        self.current = []
        if not self.pre:
            text = " ".join(text.split())
        if not text.strip():
            return
        if self.heading:
            text = text.upper()
        indent = "  " * (max(len(self.lists) - 1, 0) + self.quote)
        self.blocks.append((indent, self._prefix, text, self.lists[-1][2] if self.lists else None))
        self._prefix = ""

    _prefix = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS or tag in HEADINGS or tag == "li":
            self._flush()
        if tag in HEADINGS:
            self.heading = True
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre = True
        elif tag in ("ul", "ol"):
            self._flush()
            start = int(attrs.get("start") or 1) if (attrs.get("start") or "1").isdigit() else 1
            self.list_count += 1
            self.lists.append([tag, start - 1, self.list_count])
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            kind[1] += 1
            self._prefix = "• " if kind[0] == "ul" else f"{kind[1]}. "
        elif tag == "br":
            self.current.append("\n" if self.pre else " ")
        elif tag in ("td", "th"):
            if self.current and "".join(self.current).strip():
                self.current.append(" · ")
        elif tag == "a":
            self.links.append((attrs.get("href") or "", len(self.current)))
        elif tag == "img":
            alt = (attrs.get("alt") or "").strip()
            if alt:
                self.current.append(f"(Photo: {alt})")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, start = self.links.pop()
            self._end_link(href, start)
        if tag in BLOCKS or tag in HEADINGS or tag == "li":
            self._flush()
        if tag in HEADINGS:
            self.heading = False
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = False
        elif tag in ("ul", "ol") and self.lists:
            self._flush()
            self.lists.pop()

    def _end_link(self, href, start):
        text = " ".join("".join(self.current[start:]).split())
        if not href or href.startswith("#"):
            return
        plain = _plain_target(href)
        if plain is not None:
            if plain not in text:
                self.current.append(f" ({plain})")
            return
        if text == href or text.rstrip("/") == href.rstrip("/"):
            return  # the address is the text: nothing to add
        self.current.append(f" [{self.references.number(href)}]")

    def handle_data(self, data):
        self.current.append(data)

    def close(self):
        super().close()
        self._flush()


def _wrap(indent, prefix, text):
    if not text:
        return ""
    lines = text.split("\n") if "\n" in text else [text]
    wrapped = []
    for line in lines:
        wrapped.extend(
            textwrap.wrap(
                line,
                width=WIDTH,
                initial_indent=indent + prefix,
                subsequent_indent=indent + " " * len(prefix),
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [indent]
        )
    return "\n".join(wrapped)


def html_to_text(html, references):
    """Plain text for sanitised HTML; its links are numbered in `references`."""
    parser = _TextParser(references)
    parser.feed(str(html or ""))
    parser.close()
    out = []
    previous_list = None
    for indent, prefix, text, in_list in parser.blocks:
        block = _wrap(indent, prefix, text)
        # The items of one list sit together; everything else is separated by a blank line.
        if out and not (in_list is not None and in_list == previous_list):
            out.append("")
        out.append(block)
        previous_list = in_list
    return "\n".join(out)


def tidy(text):
    """At most one blank line in a row, no trailing spaces: templates leave both behind."""
    lines = [line.rstrip() for line in str(text).split("\n")]
    out = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"

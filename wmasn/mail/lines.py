"""Keeping an email's HTML within the line length that lets it be sent as it is.

RFC 5322 caps a line at 998 bytes. Django sends a text part with any longer line as
quoted-printable, and then each recipient's copy of a newsletter has to be built and encoded
on its own (wmasn.mail.delivery), about five times the cost of filling in the shared copy.
Inlined CSS makes long lines, so HTML is folded once, when its content is stored: a line
break goes where HTML reads it as a space, between a tag's attributes or between words.
"""

import re

# Room is left for the per-recipient values (an unsubscribe link) put in after folding.
FOLD_AT = 800

_TAG = re.compile(r"<[^<>]*>")
# Whitespace after an attribute's closing quote, before the next attribute's name.
_BETWEEN_ATTRIBUTES = re.compile(r"""(?<=["'])[ \t]+(?=[^\s"'<>/=]+=)""")
_BETWEEN_WORDS = re.compile(r" ")
# Where white space is kept as it is written, a line break would show.
_KEEPS_WHITE_SPACE = re.compile(r"<(pre|textarea)\b|white-space\s*:\s*(pre|break-spaces)", re.I)


def fold_long_lines(html, limit=FOLD_AT):
    """`html` with each line over `limit` bytes broken, where that changes nothing that a
    reader or mail client sees, into lines of at most `limit` bytes when it can be."""
    if all(len(line.encode()) <= limit for line in html.splitlines()):
        return html
    between_words = not _KEEPS_WHITE_SPACE.search(html)
    return "".join(
        _fold(line, limit, between_words) if len(line.encode()) > limit else line
        for line in html.splitlines(keepends=True)
    )


def _breaks(line, between_words):
    """Positions of the one-character spaces in `line` that may become line breaks."""
    found, text_from = [], 0
    for tag in _TAG.finditer(line):
        if between_words:
            text = line[text_from : tag.start()]
            found += [text_from + m.start() for m in _BETWEEN_WORDS.finditer(text)]
        found += [
            tag.start() + m.start()
            for m in _BETWEEN_ATTRIBUTES.finditer(tag.group())
            if m.end() - m.start() == 1
        ]
        text_from = tag.end()
    if between_words:
        found += [text_from + m.start() for m in _BETWEEN_WORDS.finditer(line[text_from:])]
    return sorted(found)


def _fold(line, limit, between_words):
    """Greedy: each break at the last space that keeps the line within `limit`."""
    chars, start, last = list(line), 0, None
    for position in _breaks(line, between_words):
        if last is not None and last >= start and len(line[start:position].encode()) > limit:
            chars[last] = "\n"
            start = last + 1
        last = position
    if last is not None and last >= start and len(line[start:].encode()) > limit:
        chars[last] = "\n"
    return "".join(chars)

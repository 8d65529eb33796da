"""A bench that writes its own part of docs/performance.md, between its START and END markers,
so `make bench`'s main table and each part's figures live in one file without overwriting
each other."""

import re


def write_section(path, section, *, start, end):
    """Replace the text from `start` to `end` in `path` with `section` (or append it)."""
    text = path.read_text() if path.exists() else "# Performance\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{section}\n"
    )
    path.write_text(text)

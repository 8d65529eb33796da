"""Keep personal calendar tokens out of logs.

A personal feed's URL is /calendar/<token>.ics: the path is the secret. Django logs the path
of every 4xx/5xx response ("django.request"), runserver logs every request line
("django.server") and gunicorn's access log does too ("gunicorn.access"), as the client sent
it, percent-encoding and all. EventsConfig.ready() adds this filter to those loggers, so a
logged path reads /calendar/[token].ics however it was encoded. Nothing in
the project may log request paths of events:personal-feed any other way; a reverse proxy in
front of the portal must not log them either (see the comment on the view).
"""

import logging
import re


def _literal_or_escaped(text):
    """A pattern for text with any of its characters percent-encoded (%2E or %2e for a dot):
    servers decode the path before routing, so /calendar/abc%2Eics is a personal feed."""
    return "".join(f"(?:{re.escape(char)}|%(?i:{ord(char):02x}))" for char in text)


# Everything after /calendar/ up to the end of the path (a space, a quote, the query):
# redacting a little more than the token costs nothing, missing an encoding leaks a link.
TOKEN_PATH = re.compile(_literal_or_escaped("/calendar/") + r"[^\s\"'?#]+")
REDACTED_PATH = "/calendar/[token].ics"
LOGGERS_WITH_PATHS = (
    "django.request",
    "django.server",
    "django.security",
    "gunicorn.access",
    "gunicorn.error",
)


def redact(value):
    if isinstance(value, str):
        return TOKEN_PATH.sub(REDACTED_PATH, value)
    return value


class RedactCalendarTokens(logging.Filter):
    """Rewrite any personal feed path in a log record's message and arguments."""

    def filter(self, record):
        record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: redact(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(value) for value in record.args)
        return True


def install():
    for name in LOGGERS_WITH_PATHS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCalendarTokens) for f in logger.filters):
            logger.addFilter(RedactCalendarTokens())

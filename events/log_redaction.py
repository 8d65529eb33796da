"""Keep personal calendar tokens out of logs.

A personal feed's URL is /calendar/<token>.ics: the path is the secret. Django logs the path
of every 4xx/5xx response ("django.request"), runserver logs every request line
("django.server") and gunicorn's access log does too ("gunicorn.access"). EventsConfig.ready()
adds this filter to those loggers, so a logged path reads /calendar/[token].ics. Nothing in
the project may log request paths of events:personal-feed any other way; a reverse proxy in
front of the portal must not log them either (see the comment on the view).
"""

import logging
import re

TOKEN_PATH = re.compile(r"/calendar/[^/\s\"'?#]+\.ics")
REDACTED_PATH = "/calendar/[token].ics"
LOGGERS_WITH_PATHS = ("django.request", "django.server", "gunicorn.access", "gunicorn.error")


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

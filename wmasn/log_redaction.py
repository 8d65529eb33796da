"""Keep secret links out of every log: the one table of URLs that carry a secret.

Some links are their own password: whoever has the URL of a personal calendar feed, an
answer link, an invitation, a password-reset or email-confirmation link, an unsubscribe link
or a ticket can use it. Servers log paths: gunicorn's access log (the request line, and the
Referer of the page that follows), runserver ("django.server") and Django's 4xx/5xx warnings
("django.request", "django.security.*"), as the client sent them, percent-encoding and all.
`redact()` rewrites every such path to its shape, e.g. /invitations/[token]/, whatever the
encoding; the `RedactSecrets` filter applies it to a log record's message and arguments.

It is installed twice, by `configure_logging` (settings.LOGGING_CONFIG): on the console handler
of the root logger, which every record the portal logs reaches, and on the loggers that have
handlers of their own (gunicorn's access and error logs, runserver's, Django's request
logger with its admin emails), so that their records are redacted before any handler sees
them. A new URL that carries a secret is registered in SECRET_PATHS below, and nowhere else;
tests/test_security_logs.py fails for a URL pattern with a secret-named argument that the
table does not cover. A reverse proxy in front of the portal must not log these paths either
(docs/deployment.md).
"""

import logging
import logging.config
import re

# What is logged of a path that carries a secret: everything up to the secret (with "*" for
# one path segment that is kept, such as an event's slug), then the placeholder. The secret
# is the rest of the path: redacting a little more than the secret costs nothing, missing an
# encoding leaks a link.
SECRET_PATHS = [
    # (what, the path before the secret, what the log shows instead of the rest)
    ("personal calendar feed", "/calendar/", "[token].ics"),
    ("answer link from a meeting email", "/events/*/answer/", "[token]/"),
    ("ticket (QR code), its certificate and feedback", "/events/*/ticket/", "[code]"),
    ("a guest's registration confirmation", "/events/*/register/confirm/", "[token]/"),
    ("a guest's link to their registrations", "/events/my-registrations/", "[token]/"),
    ("invitation to join an agency", "/invitations/", "[token]/"),
    ("password reset", "/accounts/password/reset/key/", "[key]/"),
    ("email address confirmation", "/accounts/confirm-email/", "[key]/"),
    ("notification unsubscribe", "/account/notifications/unsubscribe/", "[token]/"),
    ("newsletter unsubscribe", "/newsletters/unsubscribe/", "[token]/"),
    ("newsletter sign-up confirmation", "/newsletters/subscribe/confirm/", "[token]/"),
]
# Secrets in a query string, by parameter name, wherever they appear.
SECRET_PARAMETERS = ("token", "key", "secret", "signature", "code")

LOGGERS_WITH_HANDLERS = (
    "django.request",
    "django.server",
    "django.security",
    "gunicorn.access",
    "gunicorn.error",
)

_END = r"[^\s\"'?#]+"  # the rest of a path: up to a space, a quote, the query or fragment
_SEGMENT = r"[^/\s\"'?#]+?"


def _literal_or_escaped(text):
    """A pattern for text with any of its characters percent-encoded (%2E or %2e for a dot):
    servers decode the path before routing, so /calendar/abc%2Eics is a personal feed."""
    return "".join(f"(?:{re.escape(char)}|%(?i:{ord(char):02x}))" for char in text)


def _path_pattern(prefix):
    """The prefix's pattern, each "*" a kept segment in its own group."""
    parts = prefix.split("*")
    pattern = _literal_or_escaped(parts[0])
    for part in parts[1:]:
        pattern += f"({_SEGMENT})" + _literal_or_escaped(part)
    return pattern


def _replacement(prefix, placeholder):
    parts = prefix.split("*")
    text = parts[0]
    for number, part in enumerate(parts[1:], start=1):
        text += f"\\g<{number}>" + part
    return text + placeholder


_RULES = [
    (re.compile(_path_pattern(prefix) + _END), _replacement(prefix, placeholder))
    for _what, prefix, placeholder in SECRET_PATHS
]
_PARAMETER = re.compile(
    r"(?i)([?&;](?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&;#\s\"']+",
)


def redact(value):
    """The text with every secret link in it reduced to its shape."""
    if not isinstance(value, str):
        return value
    for pattern, replacement in _RULES:
        value = pattern.sub(replacement, value)
    return _PARAMETER.sub(r"\1[secret]", value)


class RedactSecrets(logging.Filter):
    """Rewrite secret links in a log record, once its arguments are put into its message
    (a message like "Visited /invitations/%s/" is only a secret link once formatted)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: redact its parts
            record.msg = redact(record.msg)
            if isinstance(record.args, dict):
                record.args = {key: redact(value) for key, value in record.args.items()}
            elif isinstance(record.args, tuple):
                record.args = tuple(redact(value) for value in record.args)
            return True
        record.msg, record.args = redact(message), ()
        return True


def install():
    """Add the filter to the loggers with handlers of their own (idempotent)."""
    for name in LOGGERS_WITH_HANDLERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def configure_logging(config):
    """settings.LOGGING_CONFIG: Django's dictConfig, then the filter on those loggers."""
    logging.config.dictConfig(config)
    install()

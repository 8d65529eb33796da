"""One way to send an email: a template name and a context give the subject, text and HTML.

    send_email("events/email/cancelled", to=user.email, context={"event": event})

renders `events/email/cancelled_subject.txt`, `events/email/cancelled.txt` and, when it
exists, `events/email/cancelled.html`, and sends the message once the surrounding
transaction commits, so a rolled-back change sends nothing. One message per recipient:
nobody sees another member's address. Views and admin actions never talk to SMTP directly.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from wmasn.links import absolute_url


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str = ""


def render_email(template, context=None):
    """The subject (one line), text and optional HTML of a template name."""
    context = {"site_url": absolute_url(""), **(context or {})}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return RenderedEmail(subject=subject, text=text, html=html)


def build_message(rendered, *, to, headers=None, alternatives=(), attachments=(), reply_to=None):
    """The EmailMultiAlternatives for one rendered email to one address."""
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=dict(headers or {}),
        reply_to=[reply_to] if reply_to else None,
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_email(
    template,
    *,
    to,
    context=None,
    kind="",
    headers=None,
    alternatives=(),
    attachments=(),
    reply_to=None,
):
    """Render `template` for one address and send it after the transaction commits.

    `kind` names the email for the outbox and for preferences ("membership-decision");
    `alternatives` are extra (content, mimetype) parts such as a `text/calendar` invitation;
    `attachments` are (filename, content, mimetype).
    """
    rendered = render_email(template, context)
    message = build_message(
        rendered,
        to=to,
        headers=headers,
        alternatives=alternatives,
        attachments=attachments,
        reply_to=reply_to,
    )
    transaction.on_commit(message.send)
    return rendered

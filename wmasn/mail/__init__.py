"""One way to send an email: a template name and a context give the subject, text and HTML.

    send_email("events/email/cancelled", to=user.email, context={"event": event})

renders `events/email/cancelled_subject.txt`, `events/email/cancelled.txt` and, when it
exists, `events/email/cancelled.html`, and writes the message to the outbox
(`OutgoingEmail`) inside the caller's transaction: a rolled-back change sends nothing. Once
the transaction commits, a background task (`python manage.py db_worker`) sends it, and
retries temporary failures for a day through the configured Django email backend
(`wmasn.mail.delivery`). One message per recipient:
nobody sees another member's address. Views and admin actions never talk to SMTP.

This package is also a small Django app (label `mail`): the outbox and bounced addresses,
with their admin. The worker and the periodic jobs are `wmasn.jobs`.
"""

import base64
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from wmasn.links import absolute_url


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str = ""


def render_text(template_name, context):
    """A plain-text template rendered without HTML escaping: a subject or a text body says
    "Barnardo's", never "Barnardo&#x27;s"."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_email(template, context=None):
    """The subject (one line), text and optional HTML of a template name; only the HTML is
    escaped."""
    context = {"site_url": absolute_url(""), **(context or {})}
    subject = " ".join(render_text(f"{template}_subject.txt", context).split())
    text = render_text(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return RenderedEmail(subject=subject, text=text, html=html)


def build_message(
    rendered,
    *,
    to,
    headers=None,
    alternatives=(),
    attachments=(),
    reply_to=None,
    envelope_from=None,
):
    """The EmailMultiAlternatives for one rendered email to one address; `envelope_from` is
    the Return-Path (where bounces go) when it differs from the From address."""
    headers = dict(headers or {})
    if envelope_from and envelope_from != settings.DEFAULT_FROM_EMAIL:
        headers.setdefault("From", settings.DEFAULT_FROM_EMAIL)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=envelope_from or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
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
    """Render `template` for one address and queue it; it is sent after the transaction commits.

    `kind` names the email for the outbox and for preferences ("membership-decision");
    `alternatives` are extra (content, mimetype) parts such as a `text/calendar` invitation;
    `attachments` are (filename, content, mimetype).
    """
    rendered = render_email(template, context)
    content = store_content(
        rendered,
        headers=headers,
        alternatives=alternatives,
        attachments=attachments,
        reply_to=reply_to,
    )
    queue_emails(content, [to], kind=kind)
    return rendered


def send_message(message, *, kind=""):
    """Queue an EmailMessage that a library built (allauth's account emails), one per address."""
    html = ""
    alternatives = []
    for content, mimetype in getattr(message, "alternatives", ()):
        if mimetype == "text/html" and not html:
            html = content
        else:
            alternatives.append((content, mimetype))
    content = store_content(
        RenderedEmail(subject=message.subject, text=message.body, html=html),
        headers=message.extra_headers,
        alternatives=alternatives,
        attachments=[_attachment_tuple(attachment) for attachment in message.attachments],
        reply_to=message.reply_to[0] if message.reply_to else None,
    )
    queue_emails(content, message.to, kind=kind)


def _attachment_tuple(attachment):
    if isinstance(attachment, tuple):
        return tuple(attachment)
    # A MIMEBase part.
    return (
        attachment.get_filename(),
        attachment.get_payload(decode=True),
        attachment.get_content_type(),
    )


def store_content(rendered, *, headers=None, alternatives=(), attachments=(), reply_to=None):
    """Save what an email says once, to be sent to one recipient or many (`queue_emails`)."""
    from .models import EmailContent

    parts = [
        {"alternative": True, "content": content, "mimetype": mimetype}
        for content, mimetype in alternatives
    ]
    for filename, content, mimetype in attachments:
        if isinstance(content, bytes):
            content, encoded = base64.b64encode(content).decode("ascii"), True
        else:
            encoded = False
        parts.append(
            {"filename": filename, "content": content, "mimetype": mimetype, "base64": encoded}
        )
    return EmailContent.objects.create(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=dict(headers or {}),
        parts=parts,
        reply_to=reply_to or "",
    )


def placeholder(name):
    """A marker to render in place of a per-recipient value (see `queue_emails`)."""
    return f"wmasn-personal-{name}-wmasn"


def queue_emails(content, recipients, *, kind="", substitutions=None, batch_size=1000):
    """Queue `content` for each recipient (an address, or (address, {placeholder: value})).

    Rendering once and substituting per recipient is what lets a newsletter to thousands
    cost little per recipient: `placeholder(name)` goes in the context when rendering, the
    real value (an unsubscribe link) here. Values are HTML-escaped in the HTML part.
    Returns the new OutgoingEmail rows; delivery starts when the transaction commits.
    """
    from .models import OutgoingEmail

    rows = []
    for recipient in recipients:
        address, personal = recipient if isinstance(recipient, tuple) else (recipient, {})
        rows.append(
            OutgoingEmail(
                kind=kind,
                recipient=address.strip(),
                content=content,
                substitutions={**(substitutions or {}), **personal},
            )
        )
    created = OutgoingEmail.objects.bulk_create(rows, batch_size=batch_size)
    deliver_after_commit()
    return created


def _enqueue_delivery():
    from .tasks import deliver_mail

    deliver_mail.enqueue()


def deliver_after_commit():
    """Ask a worker to send what is due once the current transaction commits."""
    # robust: the email is safely in the outbox; if enqueueing fails, the minute job sends it.
    transaction.on_commit(_enqueue_delivery, robust=True)

"""The newsletter email: a branded HTML part built for mail clients and a readable text part.

Everything an email needs is computed here once, so the HTML and text parts say the same
thing and the test an officer sends to themselves is exactly what recipients get.
Both parts are rendered by `wmasn.mail` from `templates/newsletters/email/issue*`; the HTML
template inlines its own CSS (css-inline), keeping only the dark-mode and phone rules in a
<style> block for the clients that read it.
"""

from dataclasses import dataclass, field

from django.core import signing

from events import times
from network import notifications
from network.models import Resource
from wmasn import mail
from wmasn.links import absolute_reverse, absolute_url

from .markdown import render_body
from .plaintext import References, html_to_text

FILE_KEY_SALT = "newsletters.file"
# A test email of a draft links its photos with a signed key, valid this long.
FILE_KEY_MAX_AGE = 60 * 60 * 24 * 30
# The email's content column; photos are stored at twice this for sharp screens.
EMAIL_CONTENT_WIDTH = 560
TEMPLATE = "newsletters/email/issue"


def file_key(kind, pk):
    return signing.dumps([kind, pk], salt=FILE_KEY_SALT)


def file_key_is_valid(key, kind, pk):
    try:
        return signing.loads(key, salt=FILE_KEY_SALT, max_age=FILE_KEY_MAX_AGE) == [kind, pk]
    except signing.BadSignature:
        return False


def photo_url(image, size, *, signed=False):
    url = absolute_reverse("newsletters:photo", image.pk, size, image.filename(size))
    return f"{url}?key={file_key('photo', image.pk)}" if signed else url


def document_url(document, *, signed=False):
    url = absolute_reverse("newsletters:document", document.pk, document.filename)
    return f"{url}?key={file_key('document', document.pk)}" if signed else url


@dataclass
class EmailSection:
    number: int
    heading: str
    html: str
    text: str
    agency: str
    photos: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    event: dict | None = None


def _event(event, references):
    if event is None:
        return None
    url = absolute_url(event.get_absolute_url())
    deadline = event.registration_deadline
    # Numbered in the order the text part shows them: booking, then the event's page.
    registration_ref = references.number(event.registration_url) if event.registration_url else None
    return {
        "title": event.title,
        # As the event's page and the feeds say it (events.times).
        "when": str(times.event_span(event)),
        "url": url,
        "ref": references.number(url),
        "cancelled": event.is_cancelled,
        "registration_url": event.registration_url,
        "registration_ref": registration_ref,
        "registration_deadline": (times.long_date(deadline) if deadline else ""),
    }


def _sections(issue, references, signed):
    site = absolute_url("")
    sections = issue.sections.select_related("agency", "event").prefetch_related(
        "images", "documents"
    )
    result = []
    for number, section in enumerate(sections, start=1):
        html = render_body(section, base_url=site)
        entry = EmailSection(
            number=number,
            heading=section.heading,
            html=html,
            text=html_to_text(html, references),
            agency=section.agency.name if section.agency else "",
        )
        for image in section.images.all():
            width, height = image.email_display_size(EMAIL_CONTENT_WIDTH)
            entry.photos.append(
                {
                    "src": photo_url(image, "email", signed=signed),
                    "width": width,
                    "height": height,
                    "alt": image.alt_text,
                    "caption": image.caption,
                }
            )
        entry.event = _event(section.event, references)
        for document in section.documents.all():
            url = document_url(document, signed=signed)
            entry.documents.append(
                {
                    "title": document.title,
                    "label": document.label,
                    "url": url,
                    "ref": references.number(url),
                }
            )
        result.append(entry)
    return result


def issue_context(issue, *, unsubscribe_url, reason, test=False):
    """Everything the issue templates show, for one recipient."""
    references = References()
    signed = not issue.is_published
    sections = _sections(issue, references, signed)
    return {
        "issue": issue,
        "sections": sections,
        "issue_url": absolute_url(issue.get_absolute_url()),
        "logo_url": absolute_url("/static/img/wmasn-logo.png"),
        "contacts": list(Resource.objects.filter(kind=Resource.Kind.CONTACT)),
        "helplines": list(Resource.objects.filter(kind=Resource.Kind.HELPLINE)),
        "resources_url": absolute_reverse("network:resource-list"),
        "subscribe_url": absolute_reverse("newsletters:issue-list"),
        "references": references.urls,
        "unsubscribe_url": unsubscribe_url,
        "reason": reason,
        "test": test,
        "content_width": EMAIL_CONTENT_WIDTH,
    }


def render_issue(issue, *, unsubscribe_url, reason, test=False):
    """The RenderedEmail (subject, text, inlined HTML) of an issue for one recipient."""
    context = issue_context(issue, unsubscribe_url=unsubscribe_url, reason=reason, test=test)
    return mail.render_email(TEMPLATE, context)


def send_test(issue, *, officer):
    """Send the issue, exactly as recipients get it, to the officer who asked."""
    url = notifications.unsubscribe_url(officer, notifications.Kind.NEWSLETTER)
    context = issue_context(
        issue,
        unsubscribe_url=url,
        reason="This is a test sent to you from the portal's admin; recipients get the same "
        "email without this note.",
        test=True,
    )
    return mail.send_email(
        TEMPLATE,
        to=officer.email,
        context=context,
        kind="newsletter-test",
        headers=notifications.unsubscribe_headers(url),
    )

"""What a visitor sees of an event: one rule for the event page, the feeds, the single-event
file and the "add to calendar" links.

Venue details live in the venue's fields and are shown to members only. Free text that
visitors see (the description, the cancellation reason) never shows them either: the venue's
name, address lines and postcode, the joining link, and anything shaped like a UK postcode
(an event whose venue is to be confirmed, or whose venue changed, may still name the old
one) are replaced by REDACTED. The admin warns when an officer writes them there
(venue_details_in).
"""

import re

REDACTED = "[venue details for members]"

# A full UK postcode (outward and inward code), in any case, with or without the space.
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)


def _flexible(secret):
    """A pattern for this text whatever its case and spacing ('B4 6NQ', 'b46nq')."""
    if UK_POSTCODE.fullmatch(secret):
        return r"\s*".join(re.escape(char) for char in "".join(secret.split()))
    return r"\s+".join(re.escape(word) for word in secret.split())


def venue_details(event):
    """The strings that identify where the event is: for members only."""
    details = []
    if event.venue_id:
        venue = event.venue
        details += [venue.name, venue.postcode, *venue.address.splitlines()]
    if event.online_url:
        details.append(event.online_url)
    return sorted({d.strip() for d in details if d and d.strip()}, key=len, reverse=True)


def scrub(text, event):
    """The text with every venue detail and postcode replaced by REDACTED."""
    for detail in venue_details(event):
        text = re.sub(_flexible(detail), REDACTED, text, flags=re.IGNORECASE)
    return UK_POSTCODE.sub(REDACTED, text)


def shown_text(text, event, *, members):
    """Free text of this event as this audience sees it."""
    return text if members else scrub(text, event)


def description_for(event, *, members):
    return shown_text(event.description, event, members=members)


def cancellation_reason_for(event, *, members):
    return shown_text(event.cancellation_reason, event, members=members)


PUBLIC_TEXT_FIELDS = {"description": "description", "cancellation_reason": "cancellation reason"}


def venue_details_in(event):
    """(field label, what it names) for each public text field that names venue details."""
    found = []
    for field, label in PUBLIC_TEXT_FIELDS.items():
        text = getattr(event, field) or ""
        patterns = [_flexible(detail) for detail in venue_details(event)]
        named = [
            detail
            for detail, pattern in zip(venue_details(event), patterns, strict=True)
            if re.search(pattern, text, flags=re.IGNORECASE)
        ]
        named += [
            postcode
            for postcode in UK_POSTCODE.findall(text)
            if not any(re.fullmatch(p, postcode, flags=re.IGNORECASE) for p in patterns)
        ]
        if named:
            found.append((label, named))
    return found

"""A ticket's QR code, made on the server as SVG (segno: pure Python, no images to serve).

The code carries only the typed ticket code, with a prefix the door page recognises: a
scan is the same as typing the code, and a photo of a ticket reveals no link to it."""

import io

import segno

QR_PREFIX = "WMASN-TICKET:"


def qr_payload(rsvp):
    return f"{QR_PREFIX}{rsvp.ticket_code}"


def code_from_scan(text):
    """The ticket code in a scanned or typed text (with or without the prefix)."""
    text = (text or "").strip()
    if text.upper().startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    return text


def qr_svg(rsvp, *, scale=6):
    """The QR code as an inline SVG document (a title for screen readers, no XML header)."""
    buffer = io.BytesIO()
    segno.make(qr_payload(rsvp), error="m").save(
        buffer,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        omitsize=True,
        svgns=True,
        title=f"QR code of ticket {rsvp.formatted_ticket_code}",
        dark="#000",
        light="#fff",
    )
    label = f"QR code of ticket {rsvp.formatted_ticket_code}"
    return buffer.getvalue().decode().replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)

"""One way to send a stored upload to a browser, for every app's download views.

    return stored_file_response(document.file, content_type=..., filename=...)

A stored file is shown, never run, whatever it turns out to contain: every response says
`X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox` (no scripts, no
plugins, no forms, an origin of its own), and `Cross-Origin-Resource-Policy: same-site`
unless the calling view says a file is meant to be embedded anywhere (a published
newsletter's photos, which webmail and mail clients load from their own origins).
Images (JPEG, PNG) may open in the browser; every document, PDFs included, is a download,
so a paper never opens as a page of the portal and no browser's PDF viewer has to honour
the sandbox. Caching is the calling view's choice (members-only papers are private; a
published newsletter's files are public).
"""

from django.http import FileResponse, Http404

# No scripts, no plugins, no framing, even if the file were HTML.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
INLINE_TYPES = {"image/jpeg", "image/png"}


def stored_file_response(field_file, *, content_type, filename, cross_origin=False):
    """The stored file as a response, or 404 if storage no longer has it; `cross_origin`
    lets pages of other sites embed it (for files that anyone may see)."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = (
        "cross-origin" if cross_origin else "same-site"
    )
    return response

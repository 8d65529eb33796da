"""Input no page can use, refused before any view sees it."""

from django.http import HttpResponseBadRequest

NUL = "\x00"
URLENCODED = "application/x-www-form-urlencoded"


def _has_nul(query_dict):
    return any(
        NUL in name or any(NUL in value for value in values) for name, values in query_dict.lists()
    )


class RejectNulBytesMiddleware:
    """A NUL byte in the path, a query parameter or a urlencoded form field is a 400.

    No page takes one (PostgreSQL cannot even store one), but each view would otherwise
    meet it in its own way: a search that passes it to the database is a 500. One check
    here keeps every page, the admin's included, a 4xx. Multipart bodies are left to the
    forms, which refuse NUL in every text field: reading them here would parse uploads
    before the CSRF check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul(request):
            return HttpResponseBadRequest(
                "Bad request: the address or the form contained a null character (%00), "
                "which no page of this site accepts.\n",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def has_nul(request):
        if NUL in request.path_info or _has_nul(request.GET):
            return True
        if request.method == "POST" and request.content_type == URLENCODED:
            return _has_nul(request.POST)
        return False

"""Public newsletter pages: the archive, an issue, and unsubscribing from emails."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from newsletters.access import get_issue_for_user
from wmasn.pagination import paginate

from . import sending
from .models import Issue

# Six years of monthly issues fit on one page; older ones are a page away.
ISSUES_PER_PAGE = 24


@require_safe
def issue_list(request):
    """The archive, newest first, a page of issues at a time."""
    issues = (
        Issue.objects.published()
        .only("title", "slug", "issue_date", "summary")
        .order_by("-issue_date", "-pk")
    )
    page_obj = paginate(request, issues, per_page=ISSUES_PER_PAGE)
    return render(
        request, "newsletters/issue_list.html", {"issues": page_obj, "page_obj": page_obj}
    )


@require_safe
def issue_detail(request, slug):
    issue = get_issue_for_user(request.user, slug)
    sections = issue.sections.select_related("agency", "event")
    response = render(
        request,
        "newsletters/issue_detail.html",
        {"issue": issue, "sections": sections, "is_preview": not issue.is_published},
    )
    if not issue.is_published:
        # A draft or scheduled issue seen by staff: never cached, never indexed.
        add_never_cache_headers(response)
        response.headers["X-Robots-Tag"] = "noindex"
    return response


# Mail clients POST here with "List-Unsubscribe=One-Click" (RFC 8058) and no CSRF token;
# the signed token in the URL is what authorises the request.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user = sending.user_for_unsubscribe_token(token)
    if user is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST":
        sending.unsubscribe(user)
        response = render(request, "newsletters/unsubscribe_done.html", {"email": user.email})
    else:
        response = render(
            request,
            "newsletters/unsubscribe_confirm.html",
            {"email": user.email, "already": user.newsletter_opt_out},
        )
    add_never_cache_headers(response)
    response.headers["X-Robots-Tag"] = "noindex"
    return response

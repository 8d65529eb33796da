"""Public newsletter pages: the archive with the sign-up form, an issue, its files, and
subscribing (unsubscribing is network.views.unsubscribe, for every kind of email)."""

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from newsletters.access import get_issue_for_user, get_section_file
from newsletters.emails import file_key_is_valid
from wmasn.clients import client_address
from wmasn.downloads import stored_file_response
from wmasn.pagination import paginate

from . import subscriptions
from .forms import SubscribeForm
from .models import Issue, SectionDocument, SectionImage

# Each sign-up sends an email: a few an hour from one address on the internet.
SIGNUPS_PER_HOUR = 5
# A published file never changes under its random name: mail clients and proxies may keep
# it a day (the issue page and emails link the same address).
PUBLISHED_FILE_MAX_AGE = 24 * 60 * 60
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png"}

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
        request,
        "newsletters/issue_list.html",
        {"issues": page_obj, "page_obj": page_obj, "form": SubscribeForm()},
    )


@require_safe
def issue_detail(request, slug):
    issue = get_issue_for_user(request.user, slug)
    sections = issue.sections.select_related("agency", "event").prefetch_related(
        "images", "documents"
    )
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


def _file_response(field_file, *, content_type, issue, filename, cross_origin=False):
    response = stored_file_response(
        field_file, content_type=content_type, filename=filename, cross_origin=cross_origin
    )
    if issue.is_published:
        patch_cache_control(response, public=True, max_age=PUBLISHED_FILE_MAX_AGE)
    else:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def photo(request, pk, size, filename):
    if size not in ("web", "email"):
        raise Http404("No such size.")
    image, issue = get_section_file(request, SectionImage, "photo", pk)
    if filename != image.filename(size):
        raise Http404("No such file.")
    content_type = IMAGE_TYPES.get(filename.rsplit(".", 1)[-1])
    if content_type is None:
        raise Http404("No such file.")
    # Webmail and mail clients load an email's photos from their own origin: a published
    # photo, or a draft's photo under a test email's signed key, may be embedded anywhere.
    embeddable = issue.is_published or file_key_is_valid(request.GET.get("key", ""), "photo", pk)
    return _file_response(
        getattr(image, size),
        content_type=content_type,
        issue=issue,
        filename=filename,
        cross_origin=embeddable,
    )


@require_safe
def document(request, pk, filename):
    document, issue = get_section_file(request, SectionDocument, "document", pk)
    if filename != document.filename:
        raise Http404("No such file.")
    return _file_response(
        document.file,
        content_type=document.content_type,
        issue=issue,
        filename=filename,
    )


def _too_many_signups(request):
    # Behind the proxy REMOTE_ADDR is the proxy's: one visitor's limit would be everyone's.
    key = f"newsletters:signups:{client_address(request)}"
    cache.add(key, 0, 60 * 60)
    try:
        return cache.incr(key) > SIGNUPS_PER_HOUR
    except ValueError:
        return False


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _too_many_signups(request):
            response = render(request, "429.html", status=429)
            response.headers["Retry-After"] = "3600"
            return response
        subscriptions.subscribe(**form.cleaned_data)
        return redirect("newsletters:subscribe-sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "newsletters/subscribe.html", {"form": form}, status=status)


@require_safe
def subscribe_sent(request):
    return render(request, "newsletters/subscribe_sent.html")


# A GET only shows the button: mail scanners that open links must not confirm for people.
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, token):
    if request.method == "POST":
        subscriber = subscriptions.confirm(token)
        if subscriber is None:
            raise Http404("This confirmation link is not valid or has expired.")
        response = render(
            request, "newsletters/subscribe_confirmed.html", {"subscriber": subscriber}
        )
    else:
        response = render(request, "newsletters/subscribe_confirm.html")
    add_never_cache_headers(response)
    response.headers["X-Robots-Tag"] = "noindex"
    return response

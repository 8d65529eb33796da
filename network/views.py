"""Pages of the network app: agencies, memberships, working groups, resources, account."""

import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from network import invitations, notifications, privacy
from network import services as membership_service
from network.access import (
    get_agency_for_member,
    get_agency_for_viewer,
    get_group_for_viewer,
    get_group_membership_for_user,
    get_membership_for_user,
    sees_member_details,
)
from network.forms import (
    AcceptInvitationForm,
    AgencyContactFormSet,
    AgencyFilterForm,
    AgencyProfileForm,
    DeleteAccountForm,
    GroupCalendarForm,
    JoinAgencyForm,
    NotificationPreferencesForm,
    ProposeAgencyForm,
)
from network.models import (
    Agency,
    AgencyContact,
    GroupMembership,
    Membership,
    Resource,
    WorkingGroup,
)
from wmasn.pagination import paginate
from wmasn.text import possessive


@require_safe
def agency_list(request):
    """The directory of active agencies; members and officers also see named contacts."""
    form = AgencyFilterForm(request.GET or None)
    agencies = Agency.objects.active().prefetch_related("areas")
    show_contacts = sees_member_details(request.user)
    if show_contacts:
        agencies = agencies.prefetch_related(
            Prefetch("contacts", queryset=AgencyContact.objects.order_by("order", "name"))
        )
    agencies = form.filter(agencies)
    return render(
        request,
        "network/agency_list.html",
        {
            "form": form,
            "page_obj": paginate(request, agencies),
            "show_contacts": show_contacts,
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        },
    )


@require_safe
def agency_detail(request, slug):
    """An agency's profile; its pledges and events come from those apps' template tags."""
    agency = get_agency_for_viewer(request.user, slug)
    show_contacts = sees_member_details(request.user)
    can_edit = request.user.is_authenticated and request.user.is_member_of(agency)
    return render(
        request,
        "network/agency_detail.html",
        {
            "agency": agency,
            "areas": agency.areas.all(),
            "contacts": agency.contacts.all() if show_contacts else [],
            "show_contacts": show_contacts,
            "can_edit": can_edit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request, slug):
    """Members of this agency edit its public profile and named contacts; others get 404."""
    agency = get_agency_for_member(request.user, slug)
    form = AgencyProfileForm(request.POST or None, instance=agency, saved=agency)
    formset = AgencyContactFormSet(request.POST or None, instance=agency, prefix="contacts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.still_current()
            if saved:
                form.save()
                formset.save()
        if saved:
            messages.success(request, f"{possessive(agency)} profile is saved.")
            return redirect(agency)
    return render(
        request, "network/agency_form.html", {"agency": agency, "form": form, "formset": formset}
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership(request):
    """The user's memberships, and the forms to join or propose an agency."""
    user = request.user
    query = request.GET.get("q", "").strip()
    matches = list(membership_service.search_joinable_agencies(user, query))
    join_form = JoinAgencyForm(user=user, matches=matches, prefix="join")
    propose_form = ProposeAgencyForm(prefix="propose")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "join":
            join_form = JoinAgencyForm(request.POST, user=user, prefix="join")
            chosen = join_form["agency"].value()
            if chosen and str(chosen).isdigit():
                join_form.fields["agency"].widget.choices = [
                    (agency.pk, agency.name)
                    for agency in membership_service.joinable_agencies(user).filter(pk=int(chosen))
                ]
            if join_form.is_valid():
                return _join(request, join_form)
        elif action == "propose":
            propose_form = ProposeAgencyForm(request.POST, prefix="propose")
            if propose_form.is_valid():
                return _propose(request, propose_form)
        else:
            return HttpResponseBadRequest("Unknown action.")
    memberships = list(
        Membership.objects.for_user(user).select_related("agency").order_by("agency__name")
    )
    return render(
        request,
        "network/membership.html",
        {
            "memberships": memberships,
            "waiting": [m for m in memberships if m.status == Membership.Status.PENDING],
            "is_member": user.is_member,
            "join_form": join_form,
            "propose_form": propose_form,
            "query": query,
            "matches": matches,
            "max_matches": membership_service.AGENCY_MATCHES,
            "can_join_any": membership_service.joinable_agencies(user).exists(),
        },
    )


@require_safe
@login_required
def membership_agency_search(request):
    """The agencies matching ?q= that the user may ask to join, as JSON for the chooser."""
    matches = membership_service.search_joinable_agencies(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": agency.pk, "name": agency.name} for agency in matches]})


def _join(request, form):
    data = form.cleaned_data
    try:
        membership = membership_service.request_membership(
            user=request.user, agency=data["agency"], role=data["role"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("network:membership")
    if membership.status == Membership.Status.APPROVED:
        messages.success(
            request,
            f"Your verified work email matches {membership.agency}, so you are now a member.",
        )
    else:
        messages.success(
            request,
            f"Your request to join {membership.agency} is sent. A network officer will "
            "review it and you will get an email.",
        )
    return redirect("network:membership")


def _propose(request, form):
    data = form.cleaned_data
    try:
        agency, _ = membership_service.propose_agency(
            user=request.user,
            name=data["name"],
            sector=data["sector"],
            website=data["website"],
            description=data["description"],
            role=data["role"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("network:membership")
    messages.success(
        request,
        f"Thank you: {agency} is proposed. A network officer will review the agency and your "
        "membership, and you will get an email.",
    )
    return redirect("network:membership")


@login_required
@require_POST
def membership_leave(request, pk):
    """End one of the user's own memberships (or withdraw a pending request)."""
    membership = get_membership_for_user(request.user, pk)
    try:
        membership_service.end(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You have left {membership.agency}.")
    return redirect("network:membership")


def _require_member(user):
    if not user.sees_member_details:
        raise PermissionDenied("Only members of the network can join working groups.")


@require_safe
def group_list(request):
    current_members = (
        GroupMembership.objects.current()
        .filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = WorkingGroup.objects.select_related("lead_agency").annotate(
        member_count=Coalesce(Subquery(current_members), 0)
    )
    my_group_ids = set()
    if request.user.is_authenticated:
        my_group_ids = set(
            GroupMembership.objects.filter(user=request.user).values_list("group_id", flat=True)
        )
    return render(
        request, "network/group_list.html", {"groups": groups, "my_group_ids": my_group_ids}
    )


@require_safe
def group_detail(request, slug):
    group = get_group_for_viewer(request.user, slug)
    memberships = GroupMembership.objects.current().filter(group=group).select_related("user")
    memberships = memberships.order_by("user__first_name", "user__last_name", "user__email")
    my_membership = None
    if request.user.is_authenticated:
        my_membership = next((m for m in memberships if m.user_id == request.user.pk), None)
    return render(
        request,
        "network/group_detail.html",
        {
            "group": group,
            "memberships": memberships,
            "member_count": len(memberships),
            "my_membership": my_membership,
            "calendar_form": GroupCalendarForm(instance=my_membership) if my_membership else None,
            "sees_member_details": sees_member_details(request.user),
        },
    )


@require_POST
@login_required
def group_join(request, slug):
    group = get_group_for_viewer(request.user, slug)
    _require_member(request.user)
    if group.status != WorkingGroup.Status.OPEN:
        messages.error(request, f"{group.name} is closed, so it cannot take new members.")
        return redirect(group)
    _, created = GroupMembership.objects.get_or_create(group=group, user=request.user)
    if created:
        messages.success(request, f"You have joined {group.name}.")
    else:
        messages.info(request, f"You are already in {group.name}.")
    return redirect(group)


@require_POST
@login_required
def group_leave(request, slug):
    group = get_group_for_viewer(request.user, slug)
    _require_member(request.user)
    if group.status != WorkingGroup.Status.OPEN:
        messages.error(request, f"{group.name} is closed, so its membership no longer changes.")
        return redirect(group)
    deleted, _ = GroupMembership.objects.filter(group=group, user=request.user).delete()
    if deleted:
        messages.success(request, f"You have left {group.name}.")
    else:
        messages.info(request, f"You were not in {group.name}.")
    return redirect(group)


@require_POST
@login_required
def group_calendar(request, slug):
    """Switch whether this group's meetings reach the member's personal calendar feed."""
    _require_member(request.user)
    membership = get_group_membership_for_user(request.user, slug)
    form = GroupCalendarForm(request.POST, instance=membership)
    if form.is_valid():
        form.save()
        if membership.show_in_calendar:
            messages.success(request, "This group's meetings are now in your calendar feed.")
        else:
            messages.success(request, "This group's meetings are no longer in your calendar feed.")
    return redirect(membership.group)


# "0300 303 0547 / 0548": numbers are split on these; a short part replaces the tail
# of the number before it.
PHONE_SEPARATORS = re.compile(r"\s*(?:/|;|,|\bor\b)\s*")
SHORTEST_FULL_NUMBER = 7


def tel_href(number):
    """A tel: link for a UK number as written by people: '0800 043 4303' -> tel:+448000434303;
    '+44 (0) 7412 482791' -> tel:+447412482791; short codes such as 999 stay as they are."""
    digits = re.sub(r"\D", "", number)
    if not digits:
        return None
    if number.strip().startswith("+") or digits.startswith("00"):
        digits = digits.removeprefix("00")
        if digits.startswith("440"):
            digits = "44" + digits[3:]
        return f"tel:+{digits}"
    if len(digits) < SHORTEST_FULL_NUMBER:
        return f"tel:{digits}"
    if digits.startswith("0"):
        return f"tel:+44{digits[1:]}"
    return f"tel:+{digits}"


def phone_links(phone):
    """[(text, href)] for each number in a phone field; href is None when no digits."""
    links = []
    previous = ""
    for part in PHONE_SEPARATORS.split(phone.strip()):
        if not part:
            continue
        digit_count = len(re.sub(r"\D", "", part))
        if previous and 0 < digit_count < SHORTEST_FULL_NUMBER and part.isdigit():
            # "0548" after "0300 303 0547" means 0300 303 0548.
            part = previous[: len(previous) - len(part)] + part
        links.append((part, tel_href(part)))
        previous = part
    return links


@require_safe
def resource_list(request):
    resources = list(Resource.objects.all())
    sections = []
    for kind, label in Resource.Kind.choices:
        items = [resource for resource in resources if resource.kind == kind]
        for resource in items:
            resource.phone_links = phone_links(resource.phone) if resource.phone else []
        if items:
            sections.append({"kind": kind, "label": label, "resources": items})
    return render(request, "network/resource_list.html", {"sections": sections})


@require_safe
def privacy_notice(request):
    """What the portal stores, why, for how long, who sees it, and your rights."""
    return render(
        request,
        "network/privacy.html",
        {
            "privacy_contact": settings.WMASN_PRIVACY_CONTACT,
            "unverified_signup_days": privacy.UNVERIFIED_SIGNUP_DAYS,
            "backup_keep_days": privacy.BACKUP_KEEP_DAYS,
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
        },
    )


@never_cache
@login_required
@require_safe
def account_data(request):
    """Everything we hold about the signed-in person, as a JSON download."""
    data = privacy.export_user_data(request.user)
    filename = f"wmasn-my-data-{timezone.now():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request):
    """Explain what deleting the account does; delete it once the password is given again."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        privacy.delete_account(user=request.user)
        logout(request)
        messages.success(request, "Your account has been deleted. Thank you for your work.")
        return redirect("home")
    return render(
        request,
        "network/account_delete.html",
        {"form": form, "privacy_contact": settings.WMASN_PRIVACY_CONTACT},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The invitation link: set a name and password and become a member at once. A link used
    twice, expired or withdrawn gives a page that says so."""
    invitation = invitations.find_invitation(token)
    if invitation is None:
        raise Http404("No such invitation.")
    state = invitation.state()
    account = invitations.existing_account(invitation)
    if (
        state == invitation.State.OPEN
        and account is not None
        and account.is_member_of(invitation.agency)
    ):
        state = "member"
    form = None
    if state == invitation.State.OPEN and account is None:
        form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    accepting = request.method == "POST" and state == invitation.State.OPEN
    if accepting and (form is None or form.is_valid()):
        details = form.cleaned_data if form else {}
        user = invitations.accept(
            invitation=invitation,
            first_name=details.get("first_name", ""),
            last_name=details.get("last_name", ""),
            password=details.get("password1"),
        )
        messages.success(request, f"Welcome: you are now a member of {invitation.agency}.")
        if form is None:
            return redirect("account_login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("network:membership")
    # Used, expired or withdrawn: a page that says so (200), never an error.
    return render(
        request,
        "network/invitation_accept.html",
        {"invitation": invitation, "state": state, "account": account, "form": form},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    """Which emails the member gets; meetings as invitations or through a subscribed feed."""
    form = NotificationPreferencesForm(
        request.POST or None, instance=notifications.preferences_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        notifications.save_choices(form)
        messages.success(request, "Your email choices are saved.")
        return redirect("network:notifications")
    return render(
        request,
        "network/notifications.html",
        {"form": form, "calendar_url": reverse("events:calendar")},
        status=400 if form.errors else 200,
    )


# The link in every email that a person can choose not to get (network.notifications), for
# members and public newsletter subscribers alike, at this address and at the newsletter's old
# one. GET and HEAD only ask: mail scanners open links. POST unsubscribes: the page's button, or
# the mail client's RFC 8058 one-click POST, which has no CSRF token and no session; the signed
# token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """Stop one kind of email from the link in such an email, without logging in."""
    link = notifications.read_unsubscribe_link(token)
    if link is None:
        response = render(request, "network/unsubscribe_invalid.html", status=404)
    else:
        person = link.person
        done = request.method == "POST" and person is not None
        already = person is None or (not done and not link.recipients.wants(person, link.kind))
        if done:
            notifications.unsubscribe(person, link.kind)
        response = render(
            request,
            "network/unsubscribe.html",
            {
                "kind": link.kind,
                "email": person.email if person else "",
                "done": done,
                "already": already,
                "forgets": link.recipients.forgets,
            },
        )
    add_never_cache_headers(response)
    response.headers["X-Robots-Tag"] = "noindex"
    return response

"""Actions and decisions on the site: the members' list, an action's page with its owner's
progress form, and the decision register. Each page costs the same number of queries
whatever the number of actions (tests/actions/test_views.py counts them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actions.access import get_action_for_owner, get_action_for_viewer, get_group_for_lead
from actions.forms import ActionFilterForm, DecisionFilterForm, GroupActionForm, ProgressForm
from actions.models import Action, Decision
from actions.services import record_action, update_progress
from wmasn.pagination import paginate

# "My agency's" open actions shown above the list; the rest are one filter away.
MY_AGENCY_SHOWN = 20


def _members_only(user):
    if not user.sees_member_details:
        raise Http404("Actions and decisions are for members of the network.")


@require_safe
@login_required
def action_list(request):
    """My agency's open actions first, then the network's, filtered (open ones by default)."""
    user = request.user
    _members_only(user)
    today = timezone.localdate()
    form = ActionFilterForm(request.GET)
    form.is_valid()  # Invalid filters show an error and are ignored; the rest still apply.
    my_actions, more_of_mine = [], False
    if user.approved_agency_ids:
        mine = (
            Action.objects.open()
            .for_owner_agency(user.approved_agency_ids)
            .with_related()
            .order_by("due_on", "pk")
        )
        my_actions = list(mine.with_latest_note()[: MY_AGENCY_SHOWN + 1])
        more_of_mine = len(my_actions) > MY_AGENCY_SHOWN
        my_actions = my_actions[:MY_AGENCY_SHOWN]
    actions = form.filter(Action.objects.visible_to(user), today).with_related()
    page_obj = paginate(request, actions.order_by("due_on", "pk").with_latest_note())
    return render(
        request,
        "actions/action_list.html",
        {
            "form": form,
            "filtered": form.filtered,
            "page_obj": page_obj,
            "my_actions": my_actions,
            "more_of_mine": more_of_mine,
            "my_agencies": sorted(user.approved_agency_ids),
            "today": today,
        },
    )


def _detail(request, action, form):
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "notes": action.notes.select_related("author"),
            "changes": action.status_changes.select_related("changed_by"),
            "form": form,
            "today": timezone.localdate(),
        },
    )


@require_safe
@login_required
def action_detail(request, pk):
    """An action with its progress; its owner's members (and officers) get the update form."""
    action = get_action_for_viewer(request.user, pk)
    can_update = Action.objects.editable_by(request.user).filter(pk=action.pk).exists()
    return _detail(request, action, ProgressForm(action=action) if can_update else None)


@require_POST
@login_required
def action_update(request, pk):
    """An owner's progress note, and done or dropped; anyone else's is a 404."""
    action = get_action_for_owner(request.user, pk)
    form = ProgressForm(request.POST, action=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = update_progress(
                action=action,
                author=request.user,
                note=data["note"],
                status=data["status"] or None,
                reason=data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, UPDATED[action.status])
            return redirect(action)
    return _detail(request, action, form)


UPDATED = {
    Action.Status.OPEN: "Your progress note is added.",
    Action.Status.DONE: "The action is done. Thank you.",
    Action.Status.DROPPED: "The action is dropped, with your reason.",
}


@require_safe
@login_required
def decision_register(request):
    """The decisions taken at the network's and the groups' meetings, newest first."""
    user = request.user
    _members_only(user)
    visible = Decision.objects.visible_to(user)
    form = DecisionFilterForm(request.GET, years=visible.years())
    form.is_valid()
    decisions = (
        form.filter(visible)
        .select_related("meeting", "meeting__working_group", "document")
        .newest_first()
    )
    return render(
        request,
        "actions/decision_list.html",
        {"form": form, "page_obj": paginate(request, decisions), "filtered": bool(request.GET)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def group_action_create(request, slug):
    """A working group's lead agency (or an officer) records an action agreed in the group."""
    group = get_group_for_lead(request.user, slug)
    form = GroupActionForm(
        request.POST if request.method == "POST" else None,
        group=group,
        initial={"agreed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        action = record_action(action=form.save(commit=False), recorded_by=request.user)
        messages.success(request, f"The action is recorded for {group.name}.")
        return redirect(action)
    return render(request, "actions/group_action_form.html", {"form": form, "group": group})

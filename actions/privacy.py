"""The actions app's part of "download my data" and of account deletion. Actions and decisions
are the network's records, not personal data: they stay, but a person named as an action's
owner leaves it when their account is deleted (their agency stays the owner)."""

from actions.models import Action, ProgressNote
from network.privacy import eraser, exporter, iso


@exporter("actions_owned")
def export_actions_owned(user):
    return [
        {
            "title": a.title,
            "agency": a.owner_agency.name,
            "due_on": iso(a.due_on),
            "status": a.status,
        }
        for a in Action.objects.filter(owner_person=user).select_related("owner_agency")
    ]


@exporter("action_notes_written")
def export_action_notes(user):
    return [
        {"action": n.action.title, "note": n.note, "created_at": iso(n.created_at)}
        for n in ProgressNote.objects.filter(author=user).select_related("action")
    ]


@eraser
def erase_action_owner(*, user, now, tombstone_email):
    Action.objects.filter(owner_person=user).update(owner_person=None)

"""Actions are network records: a person named as owner leaves them when their account is
deleted, the agency stays the owner; their notes stay, unnamed; "download my data" lists both."""

import pytest

from actions.models import Action
from actions.services import update_progress
from network.privacy import delete_account, export_user_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(own_action, member):
    own_action.owner_person = member
    own_action.save()
    update_progress(action=own_action, author=member, note="Protocol drafted", status="done")
    return own_action


def test_deleting_the_account_unnames_the_owner_and_keeps_the_action(named, member, agency):
    delete_account(user=member)
    action = Action.objects.get(pk=named.pk)
    assert action.owner_person is None
    assert action.owner_agency == agency
    note = action.notes.get()
    assert note.note == "Protocol drafted"
    assert str(note.author) == "Deleted account"
    assert str(action.status_changes.get().changed_by) == "Deleted account"


def test_another_persons_action_is_untouched(named, member, other_member, others_action):
    others_action.owner_person = other_member
    others_action.save()
    delete_account(user=member)
    others_action.refresh_from_db()
    assert others_action.owner_person == other_member


def test_the_download_lists_owned_actions_and_notes(named, member):
    data = export_user_data(member)
    assert data["actions_owned"] == [
        {
            "title": named.title,
            "agency": named.owner_agency.name,
            "due_on": named.due_on.isoformat(),
            "status": "done",
        }
    ]
    assert [n["note"] for n in data["action_notes_written"]] == ["Protocol drafted"]


def test_the_site_no_longer_names_the_deleted_owner(named, member, other_member_client):
    name = str(member)
    delete_account(user=member)
    assert name not in other_member_client.get(f"/actions/{named.pk}/").content.decode()

"""The demo: actions from the table top exercise and the December 2017 meeting, some done,
some open, one overdue, owned by the demo agencies; two decisions; loading twice adds none."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from actions.models import Action, Decision, StatusChange
from network.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())


def test_the_demo_has_done_open_and_one_overdue_action(demo):
    today = timezone.localdate()
    assert Action.objects.count() == 6
    assert Action.objects.filter(status="done").count() == 3
    assert Action.objects.open().count() == 3
    assert Action.objects.overdue(today).count() == 1
    assert set(Action.objects.values_list("meeting__slug", flat=True)) == {
        "table-top-exercise-2017",
        "network-meeting-2017-12-07",
    }
    assert set(Action.objects.values_list("owner_agency__slug", flat=True)) == {
        "west-midlands-police",
        "barnardos",
    }
    assert Decision.objects.count() == 2
    assert StatusChange.objects.filter(to_status="done").count() == 3


def test_loading_again_adds_nothing(demo):
    counts = (Action.objects.count(), Decision.objects.count(), StatusChange.objects.count())
    call_command("load_demo_data", stdout=io.StringIO())
    assert (
        Action.objects.count(),
        Decision.objects.count(),
        StatusChange.objects.count(),
    ) == counts


def test_the_demo_member_sees_their_agencys_actions(demo):
    client = Client()
    client.force_login(User.objects.get(email="police@example.org"))
    response = client.get("/actions/")
    assert [a.owner_agency.slug for a in response.context["my_actions"]] == ["west-midlands-police"]
    assert client.get("/decisions/").context["page_obj"].paginator.count == 2

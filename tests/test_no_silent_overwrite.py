"""No silent overwrite: editing a pledge or an agency profile that someone else saved since
you opened it shows what changed and asks again; saving again then keeps yours."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from network.models import Agency
from pledges.forms import PledgeEditForm
from pledges.models import Pledge
from tests.factories import MembershipFactory, PledgeFactory
from wmasn.concurrency import STALE_MESSAGE, version_of

pytestmark = pytest.mark.django_db


def hidden_version(response, name):
    match = re.search(rf'name="{name}" value="([^"]+)"', response.content.decode())
    assert match, f"no hidden {name} field"
    return match.group(1)


@pytest.fixture
def colleague_client(agency):
    client = Client()
    client.force_login(MembershipFactory(agency=agency, user__email="colleague@example.org").user)
    return client


def pledge_data(version, text, status="made"):
    return {
        "pledge-text": text,
        "pledge-status": status,
        "pledge-visibility": "public",
        "pledge-version": version,
        "save_pledge": "1",
    }


def test_a_pledge_saved_by_someone_else_meanwhile_is_not_overwritten(
    member_client, colleague_client, agency
):
    pledge = PledgeFactory(agency=agency, text="Train all staff.")
    url = reverse("pledges:pledge-edit", args=[pledge.pk])
    mine = hidden_version(member_client.get(url), "pledge-version")
    theirs = hidden_version(colleague_client.get(url), "pledge-version")
    assert (
        colleague_client.post(url, pledge_data(theirs, "Train all frontline staff.")).status_code
        == 302
    )

    response = member_client.post(
        url, pledge_data(mine, "Train every member of staff.", "in_progress")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE_MESSAGE.split(":")[0] in html
    changes = {c["label"]: (c["saved"], c["yours"]) for c in response.context["edit_form"].changes}
    assert changes["Pledge"] == ("Train all frontline staff.", "Train every member of staff.")
    assert changes["Status"] == ("Made", "In progress")
    assert "Visibility" not in changes
    assert "Saved now" in html and "Train all frontline staff." in html
    pledge.refresh_from_db()
    assert pledge.text == "Train all frontline staff."

    # Asked again, with the version just seen: saving now keeps mine.
    again = hidden_version(response, "pledge-version")
    assert again != mine
    response = member_client.post(url, pledge_data(again, "Train every member of staff."))
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.text == "Train every member of staff."


def test_a_missing_or_forged_version_is_asked_again_not_saved(member_client, agency):
    pledge = PledgeFactory(agency=agency, text="Original")
    url = reverse("pledges:pledge-edit", args=[pledge.pk])
    for version in ["", "2001-01-01T00:00:00+00:00", "x" * 5000]:
        response = member_client.post(url, pledge_data(version, "Changed"))
        assert response.status_code == 200
        pledge.refresh_from_db()
        assert pledge.text == "Original"


def test_two_saves_at_the_same_moment_cannot_both_pass(agency):
    pledge = PledgeFactory(agency=agency, text="Original")
    data = pledge_data(version_of(pledge), "Mine")
    form = PledgeEditForm(data, instance=Pledge(pk=pledge.pk), prefix="pledge", saved=pledge)
    assert form.is_valid()
    # Someone else's save lands between validation and the saving transaction.
    other = Pledge.objects.get(pk=pledge.pk)
    other.text = "Theirs"
    other.save()
    assert form.still_current() is False
    assert [c["saved"] for c in form.changes] == ["Theirs"]
    assert form.errors["__all__"] == [STALE_MESSAGE]


def profile_data(version, description):
    return {
        "version": version,
        "description": description,
        "website": "https://agency.example.org/",
        "public_email": "",
        "public_phone": "",
        "address": "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }


def test_an_agency_profile_saved_by_someone_else_meanwhile_is_not_overwritten(
    member_client, colleague_client, agency
):
    url = reverse("network:agency-edit", args=[agency.slug])
    mine = hidden_version(member_client.get(url), "version")
    theirs = hidden_version(colleague_client.get(url), "version")
    assert colleague_client.post(url, profile_data(theirs, "Their words.")).status_code == 302

    response = member_client.post(url, profile_data(mine, "My words."))
    assert response.status_code == 200
    changes = {c["label"]: (c["saved"], c["yours"]) for c in response.context["form"].changes}
    assert changes["Description"] == ("Their words.", "My words.")
    assert Agency.objects.get(pk=agency.pk).description == "Their words."

    again = hidden_version(response, "version")
    assert member_client.post(url, profile_data(again, "My words.")).status_code == 302
    assert Agency.objects.get(pk=agency.pk).description == "My words."

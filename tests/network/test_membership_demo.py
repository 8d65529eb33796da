"""The demo memberships: who can edit which agency on the demo site."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from network.models import AgencyContact, Membership, User


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())


def client_for(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_police_can_edit_west_midlands_police_and_not_barnardos(demo):
    client = client_for("police@example.org")
    own = reverse("network:agency-edit", args=["west-midlands-police"])
    theirs = reverse("network:agency-edit", args=["barnardos"])
    assert client.get(own).status_code == 200
    assert client.get(theirs).status_code == 404
    response = client.post(theirs, {"description": "Defaced", "contacts-TOTAL_FORMS": "0"})
    assert response.status_code == 404
    assert "Defaced" not in client.get(reverse("network:agency-detail", args=["barnardos"])).text


def test_barnardos_can_edit_barnardos_only(demo):
    client = client_for("barnardos@example.org")
    assert client.get(reverse("network:agency-edit", args=["barnardos"])).status_code == 200
    url = reverse("network:agency-edit", args=["west-midlands-police"])
    assert client.get(url).status_code == 404


def test_demo_memberships(demo):
    police = User.objects.get(email="police@example.org")
    pending = User.objects.get(email="pending@example.org")
    assert police.is_member
    assert not pending.is_member
    request = Membership.objects.get(user=pending)
    assert request.status == Membership.Status.PENDING
    assert request.agency.slug == "sandwell-council"
    assert not User.objects.get(email="chair@example.org").is_member


def test_demo_contacts_are_fictional(demo):
    contacts = AgencyContact.objects.all()
    assert contacts.count() >= 4
    assert len({c.agency_id for c in contacts}) >= 4
    for contact in contacts:
        assert contact.email.endswith("@example.org")
        assert contact.phone.startswith("0121 496 0")


def test_demo_loader_is_idempotent(demo):
    counts = (Membership.objects.count(), AgencyContact.objects.count())
    call_command("load_demo_data", stdout=io.StringIO())
    assert (Membership.objects.count(), AgencyContact.objects.count()) == counts


def test_demo_member_sees_contacts_on_another_agency(demo):
    client = client_for("police@example.org")
    response = client.get(reverse("network:agency-detail", args=["barnardos"]))
    assert "pptc@example.org" in response.text
    anonymous = Client().get(reverse("network:agency-detail", args=["barnardos"]))
    assert "pptc@example.org" not in anonymous.text

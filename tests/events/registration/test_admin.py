"""The admin's registration page: open registration, questions, door staff, live counts."""

import pytest
from django.urls import reverse

from events.models import RegistrationSettings
from events.registration import services
from tests.factories import EventFactory, NetworkMemberFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_officers_see_the_live_counts(officer_client, conference):
    services.register_member(event=conference, user=NetworkMemberFactory(), details={})
    url = reverse("admin:events_registrationsettings_change", args=[conference.registration.pk])
    page = officer_client.get(url).content.decode()
    assert "Capacity 40: 1 attending, 0 offered a place, 0 waiting" in page
    listing = officer_client.get(reverse("admin:events_registrationsettings_changelist"))
    assert "1 of 40; 0 waiting" in listing.content.decode()


def test_an_officer_opens_registration_with_the_venues_capacity(officer_client):
    event = EventFactory(kind="awareness", venue=VenueFactory(capacity=80))
    response = officer_client.post(
        reverse("admin:events_registrationsettings_add"),
        {
            "event": event.pk,
            "audience": "everyone",
            "is_open": "on",
            "capacity": "",
            "offer_hours": "48",
            "ask_dietary_needs": "on",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-position": "1",
            "questions-0-text": "Which session?",
            "questions-0-kind": "one",
            "questions-0-choices": "Morning\nAfternoon",
            "doorstaff_set-TOTAL_FORMS": "0",
            "doorstaff_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    settings = RegistrationSettings.objects.get(event=event)
    assert settings.capacity == 80 and settings.is_open
    assert settings.questions.get().options == ["Morning", "Afternoon"]


def test_members_cannot_reach_the_registration_admin(member_client, conference):
    url = reverse("admin:events_registrationsettings_changelist")
    assert member_client.get(url).status_code == 302

"""Bounded input: every free-text field has a length limit, in the model and in its form,
with a clear error; a 2 MiB pledge is refused, not stored."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from pledges.models import Pledge
from tests.factories import PledgeFactory

PROJECT_APPS = {"network", "events", "pledges", "survey", "newsletters"}
# Written by the portal itself, never typed by a person.
NOT_FREE_TEXT = {("newsletters", "Delivery", "last_error")}


def free_text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):
                key = (model._meta.app_label, model.__name__, field.name)
                if key not in NOT_FREE_TEXT:
                    yield key, field


def test_every_free_text_field_has_a_limit_checked_by_the_model():
    fields = dict(free_text_fields())
    assert len(fields) >= 15
    for key, field in fields.items():
        assert field.max_length, key
        assert any(getattr(v, "limit_value", None) == field.max_length for v in field.validators), (
            key
        )
        assert field.formfield().max_length == field.max_length, key


@pytest.mark.django_db
def test_the_model_refuses_an_over_long_pledge(agency):
    pledge = PledgeFactory.build(agency=agency, text="x" * 2001)
    with pytest.raises(ValidationError) as error:
        pledge.full_clean()
    assert "Ensure this value has at most 2000 characters (it has 2001)." in str(error.value)


@pytest.mark.django_db
def test_a_two_mebibyte_pledge_is_a_clear_form_error_and_is_not_stored(member_client, agency):
    response = member_client.post(
        reverse("pledges:pledge-create"),
        {
            "agency": agency.pk,
            "year": 2026,
            "text": "x" * (2 * 1024 * 1024),
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters (it has 2097152)." in (
        response.content.decode()
    )
    assert not Pledge.objects.exists()


@pytest.mark.django_db
def test_an_over_long_progress_note_is_a_form_error(member_client, agency):
    pledge = PledgeFactory(agency=agency)
    response = member_client.post(
        reverse("pledges:pledge-edit", args=[pledge.pk]),
        {"update-note": "x" * 2001, "add_update": "1"},
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    assert not pledge.updates.exists()


def test_text_areas_tell_the_browser_the_limit():
    from pledges.forms import ProgressUpdateForm

    assert 'maxlength="2000"' in str(ProgressUpdateForm()["note"])


@pytest.mark.django_db
def test_a_pledges_progress_updates_are_paged(anon_client, agency):
    from tests.factories import PledgeUpdateFactory
    from wmasn.pagination import PAGE_SIZE

    pledge = PledgeFactory(agency=agency)
    for n in range(PAGE_SIZE + 1):
        PledgeUpdateFactory(pledge=pledge, note=f"Update number {n:03d}.")
    url = reverse("pledges:pledge-detail", args=[pledge.pk])
    first = anon_client.get(url).content.decode()
    assert "Update number 000." in first and f"Update number {PAGE_SIZE:03d}." not in first
    assert "Pages of progress updates" in first
    second = anon_client.get(url, {"page": 2}).content.decode()
    assert f"Update number {PAGE_SIZE:03d}." in second and "Update number 000." not in second

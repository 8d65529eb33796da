"""The layout: the site follows SITE_URL, officers get every app, privacy has every part."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.test import override_settings
from django.urls import reverse

from network.models import OFFICERS_GROUP
from network.officers import OFFICER_APPS, sync_site
from network.privacy import export_user_data
from tests.factories import AgencyFactory, EventFactory, IssueFactory

pytestmark = pytest.mark.django_db


def test_migrate_sets_the_site_from_site_url_not_example_com(settings):
    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.domain == urlsplit(settings.SITE_URL).netloc
    assert site.name == settings.NETWORK_NAME


@pytest.mark.parametrize("factory", [IssueFactory, EventFactory, AgencyFactory])
def test_view_on_site_opens_the_portal_host(officer_client, factory):
    obj = factory()
    with override_settings(SITE_URL="https://portal.example.org"):
        sync_site()
        response = officer_client.get(
            reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])
        )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == "portal.example.org"
    assert location.path == obj.get_absolute_url()


def test_officers_group_can_run_every_app():
    group = Group.objects.get(name=OFFICERS_GROUP)
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert set(OFFICER_APPS) <= labels
    assert group.permissions.filter(codename="change_pledge").exists()
    assert group.permissions.filter(codename="change_agencyservice").exists()


def test_data_download_has_every_apps_part(member):
    data = export_user_data(member)
    for key in (
        "profile",
        "memberships",
        "working_groups",
        "rsvps",
        "calendar_token",
        "pledges_created",
        "pledge_updates_written",
        "newsletter_sections_written",
        "newsletter_deliveries",
    ):
        assert key in data

"""/resources/: grouped by kind, with tel:, mailto: and web links, for every role."""

import pytest
from django.urls import reverse

from network.models import Resource
from network.views import phone_links, tel_href
from tests.factories import ResourceFactory

URL = reverse("network:resource-list")


@pytest.fixture
def resources(db):
    return [
        ResourceFactory(
            kind=Resource.Kind.CONTACT,
            title="Network support",
            phone="",
            email="support@example.org",
        ),
        ResourceFactory(title="Modern Slavery Helpline", phone="08000 121 700", order=1),
        ResourceFactory(
            title="Salvation Army general enquiries", phone="0300 303 0547 / 0548", order=2
        ),
        ResourceFactory(
            kind=Resource.Kind.FORM,
            title="NRM referral forms",
            phone="",
            url="https://www.gov.uk/government/publications/nrm-forms",
        ),
    ]


def test_resources_page_for_every_role(role, client_for_role, resources):
    response = client_for_role(role).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Modern Slavery Helpline" in html
    assert '<a href="tel:+448000121700">08000 121 700</a>' in html


def test_resources_are_grouped_by_kind_under_headings(anon_client, resources):
    html = anon_client.get(URL).content.decode()
    helplines = html.index(">Helplines and support lines</h2>")
    forms = html.index(">Referral forms</h2>")
    contacts = html.index(">Network contacts</h2>")
    assert helplines < html.index("Modern Slavery Helpline") < forms
    assert forms < html.index("NRM referral forms") < contacts
    assert contacts < html.index("Network support</h3>")
    assert ">Guidance</h2>" not in html  # an empty kind has no heading
    # Within a kind, the officers' order.
    assert html.index("Modern Slavery Helpline") < html.index("Salvation Army general")


def test_links_for_phones_web_and_email(anon_client, resources):
    html = anon_client.get(URL).content.decode()
    assert '<a href="tel:+443003030547">0300 303 0547</a>' in html
    assert '<a href="tel:+443003030548">0300 303 0548</a>' in html
    assert '<a href="https://www.gov.uk/government/publications/nrm-forms">' in html
    assert '<a href="mailto:support@example.org">' in html


def test_resources_page_refuses_post(member_client):
    assert member_client.post(URL).status_code == 405


def test_empty_resources_page(anon_client, db):
    assert b"No resources are listed yet" in anon_client.get(URL).content


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("08000 121 700", "tel:+448000121700"),
        ("0121 270 1566", "tel:+441212701566"),
        ("+44 (0) 7412 482791", "tel:+447412482791"),
        ("+44(0)1686 669911", "tel:+441686669911"),
        ("0044 121 270 1566", "tel:+441212701566"),
        ("+33 1 23 45 67 89", "tel:+33123456789"),
        ("999", "tel:999"),
        ("ask at reception", None),
    ],
)
def test_tel_href_normalises_to_international_digits(number, href):
    assert tel_href(number) == href


def test_phone_links_expand_a_shortened_second_number():
    assert phone_links("0300 303 0547 / 0548") == [
        ("0300 303 0547", "tel:+443003030547"),
        ("0300 303 0548", "tel:+443003030548"),
    ]


def test_phone_links_split_alternatives():
    assert [href for _, href in phone_links("0121 496 0000 or 0121 496 0001")] == [
        "tel:+441214960000",
        "tel:+441214960001",
    ]


def test_admin_lists_resources_with_editable_order(officer_client, resources):
    response = officer_client.get(reverse("admin:network_resource_changelist"))
    assert response.status_code == 200
    assert b'name="form-0-order"' in response.content
    response = officer_client.get(reverse("admin:network_resource_changelist"), {"kind": "form"})
    assert b"NRM referral forms" in response.content
    assert b"Modern Slavery Helpline" not in response.content


@pytest.mark.parametrize(
    "name",
    [
        "admin:survey_service_changelist",
        "admin:survey_service_add",
        "admin:survey_agencyservice_changelist",
        "admin:survey_agencyservice_add",
        "admin:network_workinggroup_changelist",
        "admin:network_workinggroup_add",
        "admin:network_resource_add",
    ],
)
def test_officer_admin_pages_for_services_groups_and_resources(officer_client, resources, name):
    assert officer_client.get(reverse(name)).status_code == 200

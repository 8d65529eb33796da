"""Possessives of agency and person names, in Python and in templates."""

import pytest
from django.template import Context, Template

from wmasn.text import possessive


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("The Salvation Army", "The Salvation Army's"),
        ("Barnardo's", "Barnardo's"),
        ("Barnardo\u2019s", "Barnardo\u2019s"),
        ("Black Country Women's Aid", "Black Country Women's Aid's"),
        ("Bailey Wright & Co Solicitors", "Bailey Wright & Co Solicitors'"),
        ("West Midlands Police", "West Midlands Police's"),
        ("Friends'", "Friends'"),
        ("", ""),
    ],
)
def test_possessive(name, expected):
    assert possessive(name) == expected


def test_possessive_filter_escapes_and_never_doubles():
    template = Template("{% load network_tags %}{{ name|possessive }} pledge")
    assert template.render(Context({"name": "Barnardo's"})) == "Barnardo&#x27;s pledge"
    assert template.render(Context({"name": "<b>A</b>"})) == "&lt;b&gt;A&lt;/b&gt;&#x27;s pledge"


@pytest.mark.django_db
def test_pledge_page_title_reads_right_for_barnardos(client):
    from tests.factories import AgencyFactory, PledgeFactory

    agency = AgencyFactory(name="Barnardo's", slug="barnardos")
    pledge = PledgeFactory(agency=agency)
    html = client.get(pledge.get_absolute_url()).content.decode()
    assert "Barnardo&#x27;s pledge for" in html
    assert "&#x27;s&#x27;s" not in html

"""The network in pictures: for officers, each chart an accessible SVG beside its table."""

import re

import pytest

from tests.reports.factories import YEAR, build_year

pytestmark = pytest.mark.django_db

URL = f"/reports/?year={YEAR}"


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member", "officer"])
def test_charts_are_for_officers(client_for_role, role):
    response = client_for_role(role).get(URL)
    expected = {"anonymous": 302, "officer": 200}.get(role, 404)
    assert response.status_code == expected


def test_charts_wrong_method(officer_client):
    assert officer_client.post(URL).status_code == 405


def test_bad_year_falls_back_or_404s(officer_client):
    assert officer_client.get("/reports/?year=abc").status_code == 200
    assert officer_client.get("/reports/?year=1800").status_code == 404


def test_every_chart_has_a_text_alternative_and_a_table(officer_client):
    build_year()
    html = officer_client.get(URL).content.decode()
    charts = re.findall(r'<svg class="chart[^"]*"[^>]*aria-labelledby="([\w-]+) ([\w-]+)"', html)
    assert {title.removesuffix("-title") for title, _ in charts} == {
        "agencies-by-sector",
        "members-by-sector",
        "attendance",
        "pledges-by-status",
        "pledges-by-year",
        "coverage",
    }
    for title, desc in charts:
        assert f'id="{title}"' in html and f'id="{desc}"' in html
    assert html.count("<h1") == 1
    # Figures appear in the tables as well as the pictures.
    assert "Agencies that have not attended a network meeting" in html
    assert '<th scope="row">Shelter</th>' in html
    assert ">gap</text>" in html
    # CSP: no inline style or script in what the charts draw.
    assert "style=" not in html and "<script>" not in html


def test_chart_tables_download_from_the_report(officer_client):
    build_year()
    html = officer_client.get(URL).content.decode()
    links = set(re.findall(rf'href="(/reports/{YEAR}/[\w-]+\.csv)"', html))
    assert len(links) == 7
    for link in links:
        assert officer_client.get(link).status_code == 200, link

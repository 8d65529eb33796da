"""/services/, the gap CSV and the survey form, against every role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.models import AgencyService
from tests.factories import AgencyFactory, AreaFactory, ProvidedServiceFactory, ServiceFactory

LIST_URL = reverse("survey:service-list")
CSV_URL = reverse("survey:service-gaps-csv")
SEES_AGENCIES = {"anonymous": False, "pending": False, "other_member": True, "member": True}
SEES_AGENCIES["officer"] = True


@pytest.fixture
def areas(db):
    return [
        AreaFactory(name="Birmingham", slug="birmingham", order=0),
        AreaFactory(name="Sandwell", slug="sandwell", order=1),
        AreaFactory(name="Region-wide", slug="region-wide", is_region_wide=True, order=2),
    ]


@pytest.fixture
def legal(db):
    return ServiceFactory(name="Legal advice", slug="legal-advice", category="legal")


@pytest.fixture
def interpreting(db):
    return ServiceFactory(name="Interpreting", slug="interpreting", category="interpreting")


@pytest.fixture
def survey(areas, legal, interpreting, other_agency):
    """Barnardo's provides legal advice in Birmingham; interpreting is a gap everywhere."""
    return ProvidedServiceFactory(
        agency=other_agency, service=legal, areas=[areas[0]], notes="Walk-in on Tuesdays"
    )


def edit_url(agency):
    return reverse("survey:agency-services-edit", args=[agency.slug])


# The directory and gap view


def test_service_list_shows_counts_to_all_and_agencies_to_members(role, client_for_role, survey):
    response = client_for_role(role).get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Legal advice" in html
    assert 'class="gap-cell">Gap</td>' in html
    assert ("Barnardo" in html) is SEES_AGENCIES[role]
    assert ("Walk-in on Tuesdays" in html) is SEES_AGENCIES[role]
    # Only members get the filtered agency list behind each count.
    assert ("?service=legal-advice&amp;area=birmingham" in html) is SEES_AGENCIES[role]


def test_gap_table_is_an_accessible_table(anon_client, survey):
    html = anon_client.get(LIST_URL).content.decode()
    # Labelled by a caption outside its scrolling region, so a phone shows the caption whole.
    assert '<p class="gap-table-caption" id="gaps-caption">Number of agencies' in html
    assert 'role="region" aria-labelledby="gaps-caption"' in html
    assert 'class="table table-bordered table-sm gap-table" aria-labelledby="gaps-caption"' in html
    assert '<th scope="col">Birmingham</th>' in html
    assert '<th scope="row">Interpreting</th>' in html
    # Region-wide is not an area: no column of its own that could hold a gap.
    assert '<th scope="col">Region-wide</th>' not in html
    assert '<th scope="col">Of which region-wide</th>' in html


def test_member_sees_link_to_edit_own_agency_only(member_client, agency, other_agency, survey):
    html = member_client.get(LIST_URL).content.decode()
    assert edit_url(agency) in html
    assert edit_url(other_agency) not in html


@pytest.mark.parametrize("role_name", ["anonymous", "pending"])
def test_no_edit_link_for_non_members(role_name, client_for_role, agency, survey):
    html = client_for_role(role_name).get(LIST_URL).content.decode()
    assert "/edit/" not in html.split("<main", 1)[1]


def test_filtered_list_names_the_agencies_for_members(member_client, survey):
    response = member_client.get(LIST_URL, {"service": "legal-advice", "area": "birmingham"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Legal advice in Birmingham" in html
    assert "Barnardo" in html


def test_filtered_list_gives_the_public_a_count_only(anon_client, survey):
    html = anon_client.get(LIST_URL, {"service": "legal-advice", "area": "birmingham"}).content
    assert b"1 agency provides this service here" in html
    assert b"Barnardo" not in html


def test_filtered_gap_says_gap(member_client, survey):
    html = member_client.get(LIST_URL, {"service": "interpreting", "area": "sandwell"}).content
    assert b"this is a gap" in html


@pytest.mark.parametrize(
    "params",
    [
        {"service": "nope", "area": "birmingham"},
        {"service": "nope"},
        {"area": "birmingham"},
        {"service": "legal-advice", "area": "nowhere"},
    ],
)
def test_unknown_filter_is_404(member_client, survey, params):
    assert member_client.get(LIST_URL, params).status_code == 404


def test_a_cell_lists_its_agencies_paged_for_members(member_client, anon_client, areas, legal):
    for i in range(55):
        ProvidedServiceFactory(
            service=legal, agency=AgencyFactory(name=f"Firm {i:02d}"), areas=[areas[2]]
        )
    params = {"service": "legal-advice", "area": "birmingham"}

    def selected(html):
        return html.split('id="gaps-heading"', 1)[0]

    first = selected(member_client.get(LIST_URL, params).content.decode())
    assert "55 agencies provide this service here" in first
    assert "Firm 00" in first and "Firm 49" in first and "Firm 50" not in first
    second = selected(member_client.get(LIST_URL, {**params, "page": 2}).content.decode())
    assert "Firm 50" in second and "Firm 00" not in second
    public = anon_client.get(LIST_URL, params).content.decode()
    assert "55 agencies provide this service here." in public and "Firm 00" not in public


def test_the_directory_shows_a_few_agencies_and_links_to_all(member_client, areas, legal):
    from survey.gaps import PREVIEW

    for i in range(PREVIEW + 2):
        ProvidedServiceFactory(
            service=legal, agency=AgencyFactory(name=f"Firm {i:02d}"), areas=[areas[0]]
        )
    html = member_client.get(LIST_URL).content.decode()
    assert f"Firm {PREVIEW - 1:02d}" in html and f"Firm {PREVIEW:02d}" not in html
    assert f"See all {PREVIEW + 2} agencies providing legal advice" in html
    every = member_client.get(LIST_URL, {"service": "legal-advice"}).content.decode()
    assert f"Firm {PREVIEW + 1:02d}" in every
    assert "Legal advice: every agency" in every


def test_region_wide_provider_fills_local_cells(anon_client, areas, interpreting, agency):
    ProvidedServiceFactory(agency=agency, service=interpreting, areas=[areas[2]])
    html = anon_client.get(LIST_URL).content.decode()
    row = html.split('<th scope="row">Interpreting</th>', 1)[1].split("</tr>", 1)[0]
    assert "Gap" not in row
    assert row.count("<td>1</td>") == 2  # Birmingham and Sandwell
    assert '<td class="region-wide-cell">1</td>' in row


@pytest.mark.parametrize("url", [LIST_URL, CSV_URL])
def test_service_pages_refuse_post(member_client, url):
    assert member_client.post(url).status_code == 405


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role_name", ["anonymous", "member"])
def test_service_list_queries_do_not_grow_with_data(role_name, client_for_role, areas):
    client = client_for_role(role_name)
    services = [ServiceFactory(), ServiceFactory()]
    for service in services:
        ProvidedServiceFactory(service=service, areas=[areas[0]])
    small = query_count(client, LIST_URL)
    for n in range(15):
        ProvidedServiceFactory(service=services[n % 2], areas=areas[:2])
    AreaFactory(slug="walsall")
    assert query_count(client, LIST_URL) == small
    assert query_count(client, CSV_URL) <= small


# The CSV download


def test_csv_counts_for_all_and_names_for_members(role, client_for_role, survey):
    response = client_for_role(role).get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "Legal advice,Legal advice,Birmingham,1,no" in body
    assert "Interpreting,Interpreting,Sandwell,0,yes" in body
    assert ("Barnardo" in body) is SEES_AGENCIES[role]


# The survey form


def post_data(services, answers):
    """Form data for the survey: answers maps a service to (area ids, notes)."""
    data = {
        "services-TOTAL_FORMS": str(len(services)),
        "services-INITIAL_FORMS": str(len(services)),
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
    }
    for index, service in enumerate(services):
        data[f"services-{index}-service"] = str(service.pk)
        if service in answers:
            area_ids, notes = answers[service]
            data[f"services-{index}-provided"] = "on"
            data[f"services-{index}-areas"] = [str(pk) for pk in area_ids]
            data[f"services-{index}-notes"] = notes
    return data


def answers_of(agency):
    return {
        answer.service.slug: (sorted(a.slug for a in answer.areas.all()), answer.notes)
        for answer in AgencyService.objects.filter(agency=agency)
    }


EDIT_STATUS = {"anonymous": 302, "pending": 404, "other_member": 404, "member": 200}
EDIT_STATUS["officer"] = 200


def test_edit_form_get_by_role(role, client_for_role, agency, survey):
    response = client_for_role(role).get(edit_url(agency))
    assert response.status_code == EDIT_STATUS[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if response.status_code == 200:
        html = response.content.decode()
        assert "We provide this" in html
        assert "Interpreting" in html and "Legal advice" in html


def test_edit_form_post_by_role(role, client_for_role, agency, areas, legal, interpreting):
    data = post_data([legal, interpreting], {interpreting: ([areas[1].pk], "Polish, Romanian")})

    response = client_for_role(role).post(edit_url(agency), data)

    if role in ("member", "officer"):
        assert response.status_code == 302
        assert response["Location"] == LIST_URL
        assert answers_of(agency) == {"interpreting": (["sandwell"], "Polish, Romanian")}
    else:
        assert response.status_code == EDIT_STATUS[role]
        assert answers_of(agency) == {}


def test_other_agency_cannot_change_answers(other_member_client, agency, areas, legal):
    ProvidedServiceFactory(agency=agency, service=legal, areas=[areas[0]], notes="kept")
    data = post_data([legal], {})

    assert other_member_client.get(edit_url(agency)).status_code == 404
    assert other_member_client.post(edit_url(agency), data).status_code == 404
    assert answers_of(agency) == {"legal-advice": (["birmingham"], "kept")}


def test_edit_form_shows_current_answers(member_client, agency, areas, legal):
    ProvidedServiceFactory(agency=agency, service=legal, areas=[areas[1]], notes="Fridays")
    html = member_client.get(edit_url(agency)).content.decode()
    assert "Fridays" in html
    assert f'value="{areas[1].pk}" ' in html or f'value="{areas[1].pk}"' in html
    assert html.count("checked") == 2  # "we provide this" and Sandwell


def test_saving_updates_and_deletes_answers_together(member_client, agency, areas, legal):
    housing = ServiceFactory(slug="housing")
    ProvidedServiceFactory(agency=agency, service=legal, areas=[areas[0]], notes="old")
    ProvidedServiceFactory(agency=agency, service=housing, areas=[areas[0]])
    data = post_data([legal, housing], {legal: ([areas[0].pk, areas[2].pk], "new")})

    response = member_client.post(edit_url(agency), data)

    assert response.status_code == 302
    assert answers_of(agency) == {"legal-advice": (["birmingham", "region-wide"], "new")}


def test_unchanged_answers_report_nothing_changed(member_client, agency, areas, legal):
    ProvidedServiceFactory(agency=agency, service=legal, areas=[areas[0]], notes="same")
    data = post_data([legal], {legal: ([areas[0].pk], "same")})
    response = member_client.post(edit_url(agency), data, follow=True)
    assert b"Nothing changed" in response.content


def test_provided_without_areas_is_a_form_error(member_client, agency, areas, legal):
    data = post_data([legal], {legal: ([], "")})

    response = member_client.post(edit_url(agency), data)

    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Choose at least one area" in response.content
    assert answers_of(agency) == {}


def test_areas_without_we_provide_this_is_a_form_error(member_client, agency, areas, legal):
    """Issue 25: ticking Dudley without "We provide this" said "saved" and dropped Dudley."""
    data = post_data([legal], {})
    data["services-0-areas"] = [str(areas[0].pk)]

    response = member_client.post(edit_url(agency), data)

    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert "tick &quot;We provide this&quot; too" in response.content.decode()
    assert answers_of(agency) == {}


def test_forged_area_id_is_a_form_error(member_client, agency, areas, legal):
    data = post_data([legal], {legal: ([999999], "")})

    response = member_client.post(edit_url(agency), data)

    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert answers_of(agency) == {}


def test_forged_service_id_is_a_form_error(member_client, agency, areas, legal):
    data = post_data([legal], {legal: ([areas[0].pk], "")})
    data["services-0-service"] = "999999"

    response = member_client.post(edit_url(agency), data)

    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert answers_of(agency) == {}


def test_duplicated_service_is_a_form_error(member_client, agency, areas, legal, interpreting):
    data = post_data([legal, interpreting], {legal: ([areas[0].pk], "")})
    data["services-1-service"] = str(legal.pk)

    response = member_client.post(edit_url(agency), data)

    assert response.status_code == 200
    assert b"Each service can be answered only once" in response.content
    assert answers_of(agency) == {}


def test_invalid_row_saves_nothing_at_all(member_client, agency, areas, legal, interpreting):
    data = post_data(
        [legal, interpreting], {legal: ([areas[0].pk], ""), interpreting: ([999999], "")}
    )
    member_client.post(edit_url(agency), data)
    assert answers_of(agency) == {}


@pytest.mark.parametrize("mangle", ["missing", "huge"])
def test_tampered_management_form_is_not_a_500(member_client, agency, areas, legal, mangle):
    data = post_data([legal], {legal: ([areas[0].pk], "")})
    if mangle == "missing":
        del data["services-TOTAL_FORMS"]
    else:
        data["services-TOTAL_FORMS"] = "100000"
    response = member_client.post(edit_url(agency), data)
    assert response.status_code == 200
    assert answers_of(agency) == {}


def test_unknown_agency_is_404_even_for_officers(officer_client):
    assert officer_client.get("/services/no-such-agency/edit/").status_code == 404


def test_officer_can_edit_any_agency(officer_client, areas, legal):
    agency = AgencyFactory()
    data = post_data([legal], {legal: ([areas[0].pk], "")})
    assert officer_client.post(edit_url(agency), data).status_code == 302
    assert answers_of(agency) == {"legal-advice": (["birmingham"], "")}


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_edit_form_refuses_other_methods(member_client, agency, method):
    assert getattr(member_client, method)(edit_url(agency)).status_code == 405


def test_saved_answer_shows_in_the_gap_view(member_client, agency, areas, interpreting):
    before = member_client.get(LIST_URL).content.decode()
    row = before.split('<th scope="row">Interpreting</th>', 1)[1].split("</tr>", 1)[0]
    assert row.count("Gap") == 2  # the two local areas; region-wide is not a place

    member_client.post(
        edit_url(agency), post_data([interpreting], {interpreting: ([areas[1].pk], "")})
    )

    after = member_client.get(LIST_URL).content.decode()
    row = after.split('<th scope="row">Interpreting</th>', 1)[1].split("</tr>", 1)[0]
    assert row.count("Gap") == 1
    assert "?service=interpreting&amp;area=sandwell" in row

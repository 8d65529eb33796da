"""Entering times on the clock-change days in the admin, for both changes of 2026 and 2027.

October: 01:00–01:59 happens twice, so the admin asks which (BST the first, GMT the second).
March: 01:00–01:59 never happens, so the admin refuses it and names the nearest real times.
"""

import datetime as dt

import pytest

from events import times
from events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/events/event/add/"
UTC = dt.UTC
OCTOBER = [dt.date(2026, 10, 25), dt.date(2027, 10, 31)]
MARCH = [dt.date(2026, 3, 29), dt.date(2027, 3, 28)]


def event_data(day, starts, ends, *, starts_zone="", ends_zone="", slug="night-owls"):
    return {
        "kind": Event.Kind.WORKSHOP,
        "title": "Night-time outreach briefing",
        "slug": slug,
        "description": "",
        "starts_at_0": day.isoformat(),
        "starts_at_1": starts,
        "starts_at_2": starts_zone,
        "ends_at_0": day.isoformat(),
        "ends_at_1": ends,
        "ends_at_2": ends_zone,
        "status": "scheduled",
        "cancellation_reason": "",
        "online_url": "",
        "registration_url": "",
        "rsvps-TOTAL_FORMS": "0",
        "rsvps-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }


def saved(officer_client, data):
    """Post the add form; the event it saved and the UTC midnight of its day."""
    response = officer_client.post(ADD, data)
    assert response.status_code == 302, errors(response)
    event = Event.objects.get()
    day = dt.date.fromisoformat(data["starts_at_0"])
    return event, dt.datetime.combine(day, dt.time(0), tzinfo=UTC)


def errors(response):
    form = response.context["adminform"].form
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


@pytest.mark.parametrize("day", OCTOBER)
def test_an_ambiguous_october_time_asks_bst_or_gmt(officer_client, day):
    response = officer_client.post(ADD, event_data(day, "01:30", "01:45"))
    assert response.status_code == 200
    found = errors(response)
    for name in ("starts_at", "ends_at"):
        [message] = found[name]
        assert "happens twice" in message
        assert "choose BST for the first" in message and "GMT for the second" in message
    assert not Event.objects.exists()


@pytest.mark.parametrize("day", OCTOBER)
@pytest.mark.parametrize(
    ("starts_zone", "ends_zone", "utc_hours"),
    [("BST", "BST", (0, 0)), ("BST", "GMT", (0, 1)), ("GMT", "GMT", (1, 1))],
)
def test_an_ambiguous_october_time_saves_the_hour_chosen(
    officer_client, day, starts_zone, ends_zone, utc_hours
):
    data = event_data(day, "01:15", "01:45", starts_zone=starts_zone, ends_zone=ends_zone)
    event, midnight = saved(officer_client, data)
    assert event.starts_at == midnight + dt.timedelta(hours=utc_hours[0], minutes=15)
    assert event.ends_at == midnight + dt.timedelta(hours=utc_hours[1], minutes=45)


@pytest.mark.parametrize("day", OCTOBER)
def test_the_change_form_shows_which_hour_a_saved_time_is(officer_client, day):
    second = dt.datetime.combine(day, dt.time(1, 20), tzinfo=UTC)  # 01:20 GMT
    event = EventFactory(starts_at=second, ends_at=second + dt.timedelta(hours=1))
    form = officer_client.get(f"/admin/events/event/{event.pk}/change/").context["adminform"].form
    html = str(form["starts_at"])
    assert 'value="GMT" selected' in html
    assert 'value="01:20:00"' in html
    # What the form shows reads back as the same instant, so saving it unchanged keeps it.
    field = form.fields["starts_at"]
    assert field.compress(field.widget.decompress(event.starts_at)) == second
    first = second - dt.timedelta(hours=1)  # 01:20 BST
    assert field.widget.decompress(first)[2] == "BST"
    assert field.compress(field.widget.decompress(first)) == first


@pytest.mark.parametrize("day", OCTOBER)
def test_times_either_side_of_the_repeated_hour_need_no_choice(officer_client, day):
    event, midnight = saved(officer_client, event_data(day, "00:30", "02:30"))
    # 00:30 BST to 02:30 GMT: three real hours.
    assert event.starts_at == midnight - dt.timedelta(minutes=30)
    assert event.ends_at - event.starts_at == dt.timedelta(hours=3)


@pytest.mark.parametrize("day", MARCH)
@pytest.mark.parametrize("clock", ["01:00", "01:30", "01:59"])
def test_a_march_time_that_does_not_exist_is_refused_naming_the_nearest(officer_client, day, clock):
    response = officer_client.post(ADD, event_data(day, clock, "03:00"))
    assert response.status_code == 200
    [message] = errors(response)["starts_at"]
    assert f"{clock} on {times.long_date(day)} does not exist in the UK" in message
    assert "The nearest valid times are 00:59 GMT and 02:00 BST." in message
    assert "ends_at" not in errors(response)
    assert not Event.objects.exists()


@pytest.mark.parametrize("day", MARCH)
def test_march_times_either_side_of_the_gap_are_accepted(officer_client, day):
    event, midnight = saved(officer_client, event_data(day, "00:59", "02:00"))
    assert event.starts_at == midnight + dt.timedelta(minutes=59)
    assert event.ends_at == midnight + dt.timedelta(hours=1)  # 02:00 BST is 01:00 UTC


def test_a_zone_given_outside_the_repeated_hour_is_ignored(officer_client):
    response = officer_client.post(
        ADD, event_data(dt.date(2026, 6, 1), "10:00", "12:00", starts_zone="GMT")
    )
    assert response.status_code == 302, errors(response)
    assert Event.objects.get().starts_at == dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", [{"starts_at_1": ""}, {"starts_at_0": "31/02/2026"}])
def test_incomplete_or_impossible_dates_are_form_errors(officer_client, bad):
    response = officer_client.post(ADD, {**event_data(dt.date(2026, 6, 1), "10", "12"), **bad})
    assert response.status_code == 200
    assert "starts_at" in errors(response)


@pytest.mark.parametrize("day", MARCH + OCTOBER)
def test_scheduling_a_year_refuses_a_time_the_change_day_lacks_or_repeats(officer_client, day):
    response = officer_client.post(
        "/admin/events/event/schedule-year/",
        {
            "title": "Network meeting",
            "starts": "01:30",
            "ends": "03:00",
            "description": "",
            "meetings-TOTAL_FORMS": "1",
            "meetings-INITIAL_FORMS": "0",
            "meetings-0-day": day.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "does not exist" in response.content.decode() or "happens twice" in (
        response.content.decode()
    )
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "pending", "other_member", "member"])
def test_only_officers_reach_the_event_form(client_for_role, role):
    response = client_for_role(role).post(ADD, event_data(OCTOBER[0], "01:30", "01:45"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not Event.objects.exists()

import io

import pytest

from events.demo import load_events
from events.models import Attendance
from network.demo import load_accounts, load_agencies, load_memberships
from reports import demo, figures

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    load_accounts(out)
    load_agencies(out)
    load_memberships(out)
    load_events(out)
    demo.load(out)


def test_demo_attendance_fills_the_2018_chart_and_reloads_without_change():
    load()
    count = Attendance.objects.count()
    assert count > 0
    load()
    assert Attendance.objects.count() == count
    attendance = figures.attendance(2018)
    assert len(attendance.meetings) == 6
    assert all(sum(counts.values()) for _, counts in attendance.meetings)
    assert {"public", "third"} <= {s for _, counts in attendance.meetings for s in counts}

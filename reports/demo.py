"""Demo attendance, so the charts and the annual report show something after `make run`:
the demo members at the network meetings already held (2018 and this year)."""

from django.utils import timezone

from events.models import Attendance, Event
from network.models import Membership


def load(stdout):
    now = timezone.now()
    this_year = timezone.localdate().year
    meetings = list(
        Event.objects.scheduled()
        .filter(kind=Event.Kind.NETWORK_MEETING, starts_at__lt=now)
        .filter(starts_at__year__in=[2018, this_year])
        .order_by("starts_at", "pk")
    )
    members = list(
        Membership.objects.approved()
        .select_related("user", "agency")
        .order_by("agency__name", "user__email")
    )
    recorded = 0
    for i, meeting in enumerate(meetings):
        for j, membership in enumerate(members):
            # Not everyone comes every time: a fixed pattern, so reloading changes nothing.
            if (i + j) % 3 == 2:
                continue
            _, created = Attendance.objects.get_or_create(
                event=meeting,
                user=membership.user,
                defaults={"agency": membership.agency, "recorded_at": meeting.ends_at},
            )
            recorded += created
    stdout.write(f"Demo attendance: {recorded} new records at {len(meetings)} past meetings.")

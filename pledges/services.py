"""Pledges: the pledge year, write-side functions and the reminder emails."""

import contextlib
import datetime as dt
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from network import notifications
from network.models import Agency, Membership, User
from pledges.models import Pledge, PledgeReminder, PledgeUpdate
from wmasn.changes import database_identity
from wmasn.links import absolute_reverse
from wmasn.mail import send_email

# Anti-Slavery Day: the conference at which agencies pledge for the coming year.
CONFERENCE_MONTH, CONFERENCE_DAY = 10, 18
# From this day to 31 December, agencies are asked how this year's pledges went.
YEAR_END_MONTH, YEAR_END_DAY = 11, 1
# A cron run every day reminds an agency of the same thing at most once in this many days.
DEFAULT_REMINDER_INTERVAL_DAYS = 7
PLEDGE_REMINDERS = notifications.Kind.PLEDGE_REMINDERS


def current_pledge_year(today=None):
    """The year the pledges being worked on now are for: the calendar year."""
    today = today or timezone.localdate()
    return today.year


def coming_pledge_year(today=None):
    """The year pledges made at this year's conference are for."""
    return current_pledge_year(today) + 1


def pledge_year_for_event(event):
    """A pledge made at an event (the 18 October conference) is for the following year."""
    return timezone.localtime(event.starts_at).year + 1


def pledge_year_choices(today=None):
    """Years a pledge may be recorded for: the coming year and a few past ones."""
    year = current_pledge_year(today)
    return list(range(year + 1, year - 4, -1))


@transaction.atomic
def record_pledge(
    *,
    agency,
    year,
    text,
    visibility=Pledge.Visibility.PUBLIC,
    made_at=None,
    created_by=None,
    registration=None,
):
    """Record an agency's pledge for a year (from a conference registration, if given)."""
    pledge = Pledge(
        agency=agency,
        year=year,
        text=text.strip(),
        visibility=visibility,
        made_at=made_at,
        created_by=created_by,
        registration=registration,
    )
    pledge.full_clean()
    pledge.save()
    return pledge


@transaction.atomic
def edit_pledge(*, pledge, text, status, visibility):
    """Change a pledge's wording, status or visibility."""
    pledge.text = text.strip()
    pledge.status = status
    pledge.visibility = visibility
    pledge.full_clean()
    pledge.save(update_fields=["text", "status", "visibility", "updated_at"])
    return pledge


@transaction.atomic
def add_progress_update(*, pledge, note, author, status=""):
    """Add a progress note to a pledge; a new status, if given, becomes the pledge's status."""
    update = PledgeUpdate(pledge=pledge, note=note.strip(), status=status or "", author=author)
    update.full_clean()
    update.save()
    if status and status != pledge.status:
        pledge.status = status
        pledge.full_clean()
        pledge.save(update_fields=["status", "updated_at"])
    return update


@transaction.atomic
def record_conference_pledges(*, event, rows, created_by):
    """Record many agencies' pledges made at a conference, all or none.

    Each row is a dict with agency, text and visibility; every pledge is for the year after
    the conference.
    """
    from events.models import Event

    if event.kind != Event.Kind.CONFERENCE:
        raise ValidationError("Pledges are captured at a conference.")
    year = pledge_year_for_event(event)
    return [
        record_pledge(
            agency=row["agency"],
            year=year,
            text=row["text"],
            visibility=row["visibility"],
            made_at=event,
            created_by=created_by,
        )
        for row in rows
    ]


# Reminders ----------------------------------------------------------------------------


def in_year_end_window(today):
    return today >= dt.date(today.year, YEAR_END_MONTH, YEAR_END_DAY)


def in_new_pledge_window(today):
    return today >= dt.date(today.year, CONFERENCE_MONTH, CONFERENCE_DAY)


@dataclass
class ReminderSummary:
    year_end_agencies: list = field(default_factory=list)
    new_pledge_agencies: list = field(default_factory=list)
    emails_sent: int = 0

    def lines(self):
        return [
            f"Year-end reminders: {len(self.year_end_agencies)} agencies.",
            f"New-pledge reminders: {len(self.new_pledge_agencies)} agencies.",
            f"Emails sent: {self.emails_sent}.",
        ]


def send_pledge_reminders(*, today, interval_days=DEFAULT_REMINDER_INTERVAL_DAYS):
    """Email agencies' members about open pledges near the year's end, and about pledging for
    the coming year after the conference. Safe to run many times a day."""
    summary = ReminderSummary()
    if in_year_end_window(today):
        year = current_pledge_year(today)
        open_pledges = Pledge.objects.needing_report(year)
        agencies = Agency.objects.active().filter(pk__in=open_pledges.values("agency_id"))
        for agency in agencies:
            pledges = list(open_pledges.filter(agency=agency).order_by("pk"))
            sent = _remind(
                agency=agency,
                kind=PledgeReminder.Kind.YEAR_END,
                year=year,
                today=today,
                interval_days=interval_days,
                context={"pledges": pledges},
            )
            if sent:
                summary.year_end_agencies.append(agency)
                summary.emails_sent += sent
    if in_new_pledge_window(today):
        year = coming_pledge_year(today)
        pledged = Pledge.objects.for_year(year).values("agency_id")
        for agency in Agency.objects.active().exclude(pk__in=pledged):
            sent = _remind(
                agency=agency,
                kind=PledgeReminder.Kind.NEW_PLEDGE,
                year=year,
                today=today,
                interval_days=interval_days,
                context={},
            )
            if sent:
                summary.new_pledge_agencies.append(agency)
                summary.emails_sent += sent
    return summary


def _remind(*, agency, kind, year, today, interval_days, context):
    """Email the agency's members who want pledge reminders, once; returns how many emails
    were sent."""
    members = User.objects.filter(
        pk__in=Membership.objects.approved().filter(agency=agency).values("user_id")
    )
    recipients = list(members.wanting(PLEDGE_REMINDERS).order_by("email"))
    if not recipients:
        return 0
    with transaction.atomic():
        recent = PledgeReminder.objects.filter(
            agency=agency,
            kind=kind,
            year=year,
            sent_on__gt=today - dt.timedelta(days=interval_days),
            sent_on__lte=today,
        )
        if recent.exists():
            return 0
        # The unique constraint makes a concurrent run's get_or_create find this row, so
        # only one run sends.
        _reminder, created = PledgeReminder.objects.get_or_create(
            agency=agency, kind=kind, year=year, sent_on=today
        )
        if not created:
            return 0
        links = {
            "wall_url": absolute_reverse("pledges:pledge-list", query=f"year={year}"),
            "new_url": absolute_reverse("pledges:pledge-create", query=f"year={year}"),
        }
        # Sent once the reminder row commits; the queue retries a failed send.
        for user in recipients:
            unsubscribe_url = notifications.unsubscribe_url(user, PLEDGE_REMINDERS)
            send_email(
                f"pledges/email/{kind}",
                to=user.email,
                # The kind an unsubscribe stops, waiting emails included.
                kind=PLEDGE_REMINDERS,
                headers=notifications.unsubscribe_headers(unsubscribe_url),
                context={
                    "agency": agency,
                    "year": year,
                    "user": user,
                    "unsubscribe_url": unsubscribe_url,
                    **links,
                    **context,
                },
            )
        return len(recipients)


# The pledge wall's counts, kept in the shared cache until a pledge or an agency changes
# (pledges/apps.py bumps the version on every save, delete and bulk write of either).
WALL_SUMMARY_SECONDS = 60 * 60


def _wall_version_key():
    return f"pledges:{database_identity()}:wall-version"


def _new_wall_version():
    """A fresh version for a missing key: an integer, so that Redis can INCR it, and one no
    earlier version reached, so that no summary counted before is read again."""
    return time.time_ns()


def bump_wall_version(**kwargs):
    _bump_quietly()
    transaction.on_commit(_bump_quietly)


def _bump_quietly():
    # Without the cache the summary is not read either; a lost bump lives its hour at most.
    key = _wall_version_key()
    try:
        cache.incr(key)
    except ValueError:  # missing: never set, evicted, or the cache is unreachable
        with contextlib.suppress(Exception):
            cache.set(key, _new_wall_version(), None)
    except Exception:  # noqa: BLE001 - logged by the cache; e.g. a float an older release stored
        with contextlib.suppress(Exception):
            cache.set(key, _new_wall_version(), None)


@dataclass
class WallSummary:
    """What the wall counts for one audience and year: the years there are pledges for,
    and the pledges by status and sector."""

    years: list
    counts: dict

    def by_status(self):
        found = {}
        for (status, _), n in self.counts.items():
            found[status] = found.get(status, 0) + n
        return found

    def by_sector(self):
        found = {}
        for (_, sector), n in self.counts.items():
            found[sector] = found.get(sector, 0) + n
        return found

    @property
    def total(self):
        return sum(self.counts.values())


def wall_summary(user, year):
    """The wall's counts for what this user may see in this year, from the shared cache
    (one round trip) when nothing changed since they were counted."""
    visible = Pledge.objects.visible_to(user)
    audience = "members" if user.is_authenticated and user.sees_member_details else "public"

    def count():
        return WallSummary(
            years=visible.years(), counts=visible.for_year(year).status_and_sector_counts()
        )

    try:
        version = cache.get(_wall_version_key())
        if version is None:
            cache.add(_wall_version_key(), _new_wall_version(), None)
            version = cache.get(_wall_version_key())
        key = f"pledges:{database_identity()}:wall:{version}:{audience}:{year}"
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - without the cache, count in the database
        return count()
    if found is None:
        found = count()
        with contextlib.suppress(Exception):
            cache.set(key, found, WALL_SUMMARY_SECONDS)
    return found

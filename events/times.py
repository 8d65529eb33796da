"""An event's span in words, in UK time, read the way the calendar feeds read it.

One helper for every page, list, email and "add to calendar" link, so that none of them can
say something different from the feed:

- a timed event on one day: "Thursday 18 January 2018, 10:00–12:30";
- one that ends on a later day (several days, or past midnight) names the end date:
  "Friday 10 September 2027, 09:00 to Sunday 12 September, 17:00" (the year is repeated only
  when it changes);
- all-day events name their true last day: the feed's DTEND is exclusive (RFC 5545 3.6.1),
  the page is not ("Tuesday 10 February 2026 (all day)", never "10 to 11 February");
- a time in the hour the clocks repeat in October says which of the two it is (01:15 BST,
  01:15 GMT), so a span inside that hour reads "01:15 BST–01:15 GMT", never "01:15–01:15".
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def london(value):
    """An aware datetime in UK time (fold set, so the repeated October hour is told apart)."""
    return value.astimezone(LONDON)


def is_ambiguous(local):
    """True for a UK wall-clock time that happens twice (the hour the clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def all_day_dates(starts_at, ends_at):
    """An all-day event's first day and the day after its last (the feed's exclusive DTEND)."""
    first = london(starts_at).date()
    last = london(ends_at - dt.timedelta(microseconds=1)).date()
    return first, max(last, first) + dt.timedelta(days=1)


def long_date(day, *, year=True):
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def clock_time(local):
    """ "09:00", or "01:15 BST" / "01:15 GMT" in the hour that happens twice."""
    text = f"{local:%H:%M}"
    return f"{text} {local.tzname()}" if is_ambiguous(local) else text


@dataclass(frozen=True)
class Span:
    """What a page says about when an event is: its first and last day, and times if any."""

    first_day: dt.date
    last_day: dt.date
    starts: dt.datetime | None = None  # local, aware; None for all-day events
    ends: dt.datetime | None = None

    @property
    def all_day(self):
        return self.starts is None

    def __str__(self):
        start_text = long_date(self.first_day)
        end_text = long_date(self.last_day, year=self.last_day.year != self.first_day.year)
        if self.all_day:
            if self.last_day == self.first_day:
                return f"{start_text} (all day)"
            return f"{start_text} to {end_text} (all day)"
        if self.last_day == self.first_day:
            return f"{start_text}, {clock_time(self.starts)}–{clock_time(self.ends)}"
        return f"{start_text}, {clock_time(self.starts)} to {end_text}, {clock_time(self.ends)}"


def span(starts_at, ends_at, *, all_day=False):
    """The Span of an event from its stored instants."""
    if all_day:
        first, end = all_day_dates(starts_at, ends_at)
        return Span(first_day=first, last_day=end - dt.timedelta(days=1))
    starts, ends = london(starts_at), london(ends_at)
    return Span(first_day=starts.date(), last_day=ends.date(), starts=starts, ends=ends)


def event_span(event):
    """The Span of an Event (or anything with starts_at, ends_at and all_day)."""
    return span(event.starts_at, event.ends_at, all_day=event.all_day)


class ClockChangeError(ValueError):
    """A UK date and time that names no instant (March) or two of them (October)."""


class NonExistentTime(ClockChangeError):
    """A time the clocks skip when they go forward."""


class AmbiguousTime(ClockChangeError):
    """A time that happens twice when the clocks go back, given without BST or GMT."""


def _names_back(naive):
    """Whether an aware reading of `naive` reads back as it (through UTC: astimezone() to the
    datetime's own zone returns it unchanged)."""
    return lambda aware: aware.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) == naive


def _nearest_real(naive, step):
    moment = naive
    while True:  # the gap is one hour: at most 60 steps of a minute
        moment += step
        aware = moment.replace(tzinfo=LONDON)
        if _names_back(moment)(aware):
            return aware


def uk_datetime(day, clock, zone=""):
    """The instant a UK date and wall-clock time name. In the hour the clocks repeat
    (October) `zone` says which ("BST" the first, "GMT" the second); a time the clocks skip
    (March) is refused, naming the nearest real times. Raises ClockChangeError.

    Returned in UTC: two London datetimes compare by wall clock, ignoring fold, so 01:15 BST
    and 01:15 GMT would compare equal."""
    naive = dt.datetime.combine(day, clock).replace(tzinfo=None, fold=0)
    candidates = [naive.replace(tzinfo=LONDON, fold=fold) for fold in (0, 1)]
    real = [c for c in candidates if _names_back(naive)(c)]
    when = f"{naive:%H:%M} on {long_date(day)}"
    if not real:
        before = _nearest_real(naive, -dt.timedelta(minutes=1))
        after = _nearest_real(naive, dt.timedelta(minutes=1))
        raise NonExistentTime(
            f"{when} does not exist in the UK: the clocks go forward an hour that night. "
            f"The nearest valid times are {before:%H:%M} {before.tzname()} and "
            f"{after:%H:%M} {after.tzname()}."
        )
    first, second = real[0], real[-1]
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(dt.UTC)
    by_name = {first.tzname(): first, second.tzname(): second}
    if zone in by_name:
        return by_name[zone].astimezone(dt.UTC)
    raise AmbiguousTime(
        f"{when} happens twice in the UK, as the clocks go back an hour that night: choose "
        f"{first.tzname()} for the first {naive:%H:%M} or {second.tzname()} for the second."
    )

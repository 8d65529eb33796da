"""Meeting invitations for the inbox (iMIP, RFC 6047), for members who chose them.

Outlook on Microsoft 365 often cannot subscribe to an outside calendar, but it shows a
`text/calendar; method=REQUEST` part as a real invitation with Accept and Decline, and
updates or removes the meeting when a later REQUEST or a CANCEL with the same UID and a
higher SEQUENCE arrives. The VEVENT is the one the members' feeds carry (same UID, times,
venue and SEQUENCE), plus the network as ORGANIZER and the member as ATTENDEE.
"""

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText

from events import ics
from events.models import RSVP

PARTSTAT = {
    RSVP.Answer.ATTENDING: "ACCEPTED",
    RSVP.Answer.APOLOGIES: "DECLINED",
    RSVP.Answer.WAITING: "TENTATIVE",
    RSVP.Answer.TENTATIVE: "TENTATIVE",
}


def attendee(user, answer=None):
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.get_full_name() or user.email)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = PARTSTAT.get(answer, "NEEDS-ACTION")
    address.params["RSVP"] = "TRUE"
    return address


def method_for(event):
    return "CANCEL" if event.is_cancelled else "REQUEST"


def invitation(event, user, *, answer=None, now=None):
    """The iMIP body (bytes) inviting this user to this event, or cancelling it."""
    method = method_for(event)
    cal = Calendar()
    cal.add("PRODID", ics.PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", method)
    ics.add_vtimezone(cal, [event])
    vevent = ics.build_vevent(event, members=True)
    # In iTIP, DTSTAMP is when this message was made (RFC 5546 2.1.5), not the last change.
    vevent.pop("DTSTAMP", None)
    vevent.add("DTSTAMP", (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0))
    # ORGANIZER is the feeds' own (ics.organizer): the network, at the portal's address.
    vevent.add("ATTENDEE", attendee(user, answer))
    cal.add_component(vevent)
    return cal.to_ical()


def invitation_part(event, user, *, answer=None, now=None):
    """(content, mimetype) for send_email(alternatives=…)."""
    body = invitation(event, user, answer=answer, now=now)
    return body.decode("utf-8"), f"text/calendar; method={method_for(event)}"

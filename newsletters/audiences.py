"""Who receives an issue: its audience, as one rule used by sending and by the admin.

All members (and officers), members and confirmed public subscribers, members of agencies
in one sector, or members of one working group; always only people who have not opted out,
at their verified primary address.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Q

from network.models import GroupMembership, Membership, User
from network.notifications import Kind

from .models import Issue, Subscriber


@dataclass(frozen=True)
class Recipient:
    email: str
    user_id: int | None = None
    subscriber_id: int | None = None


def member_recipients(issue):
    """The users an issue goes to by its audience, of those who want the newsletter."""
    users = User.objects.wanting(Kind.NEWSLETTER)
    members = Membership.objects.approved()
    if issue.audience == Issue.Audience.SECTOR:
        return users.filter(
            pk__in=members.filter(agency__sector=issue.audience_sector).values("user_id")
        )
    if issue.audience == Issue.Audience.GROUP:
        in_group = GroupMembership.objects.current().filter(group=issue.audience_group_id)
        return users.filter(pk__in=in_group.values("user_id"))
    officers = User.objects.officers().values("pk")
    return users.filter(Q(pk__in=members.values("user_id")) | Q(pk__in=officers))


def subscriber_recipients(issue):
    """Confirmed public subscribers, for an issue that goes to the public."""
    if issue.audience != Issue.Audience.PUBLIC:
        return Subscriber.objects.none()
    return Subscriber.objects.confirmed()


def recipients_for(issue):
    """Every Recipient of an issue, each address once (a member who also subscribed
    publicly gets the members' email)."""
    addresses = EmailAddress.objects.filter(
        primary=True, verified=True, user__in=member_recipients(issue)
    ).values_list("user_id", "email")
    result = {email.lower(): Recipient(email.lower(), user_id=uid) for uid, email in addresses}
    for pk, email in subscriber_recipients(issue).values_list("pk", "email"):
        result.setdefault(email.lower(), Recipient(email.lower(), subscriber_id=pk))
    return list(result.values())

"""The pledges app's part of "download my data"; pledges outlive a deleted account unnamed."""

from network.privacy import exporter, iso
from pledges.models import Pledge, PledgeUpdate


@exporter("pledges_created")
def export_pledges(user):
    return [
        {
            "agency": p.agency.name,
            "year": p.year,
            "text": p.text,
            "status": p.status,
            "visibility": p.visibility,
            "created_at": iso(p.created_at),
        }
        for p in Pledge.objects.filter(created_by=user).select_related("agency")
    ]


@exporter("pledge_updates_written")
def export_pledge_updates(user):
    return [
        {
            "pledge": f"{u.pledge.agency.name} — {u.pledge.year}",
            "note": u.note,
            "status": u.status,
            "created_at": iso(u.created_at),
        }
        for u in PledgeUpdate.objects.filter(author=user).select_related("pledge__agency")
    ]

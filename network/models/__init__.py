"""The network's people and organisations, split by concern."""

from .agencies import Agency, AgencyContact, Area
from .groups import GroupMembership, WorkingGroup
from .memberships import Membership
from .pledges import Pledge, PledgeReminder, PledgeUpdate
from .resources import Resource
from .services import AgencyService, Service
from .users import User

__all__ = [
    "Agency",
    "AgencyContact",
    "AgencyService",
    "Area",
    "GroupMembership",
    "Membership",
    "Pledge",
    "PledgeReminder",
    "PledgeUpdate",
    "Resource",
    "Service",
    "User",
    "WorkingGroup",
]

"""Admin of the network app, one module per concern."""

from . import agencies, groups, memberships, pledges, resources, services, users  # noqa: F401

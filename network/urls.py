from django.urls import path  # noqa: F401

from network.views import agencies, groups, memberships, pledges, resources, services  # noqa: F401

app_name = "network"

urlpatterns = [
    # Agencies and memberships
    # Pledges
    # Services
    # Working groups
    # Resources
]

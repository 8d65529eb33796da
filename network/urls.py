from django.urls import path  # noqa: F401

from network.views import account, agencies, groups, memberships, pledges, resources, services  # noqa: F401

app_name = "network"

urlpatterns = [
    # Agencies and memberships
    path("agencies/", agencies.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", agencies.agency_detail, name="agency-detail"),
    path("agencies/<slug:slug>/edit/", agencies.agency_edit, name="agency-edit"),
    path("membership/", memberships.membership, name="membership"),
    path("membership/<int:pk>/leave/", memberships.membership_leave, name="membership-leave"),
    # Pledges
    path("pledges/", pledges.pledge_wall, name="pledge-list"),
    path("pledges/new/", pledges.pledge_create, name="pledge-create"),
    path("pledges/<int:pk>/", pledges.pledge_detail, name="pledge-detail"),
    path("pledges/<int:pk>/edit/", pledges.pledge_edit, name="pledge-edit"),
    # Services
    path("services/", services.service_list, name="service-list"),
    path("services/gaps.csv", services.service_gaps_csv, name="service-gaps-csv"),
    path(
        "services/<slug:slug>/edit/",
        services.agency_services_edit,
        name="agency-services-edit",
    ),
    # Working groups
    path("groups/", groups.group_list, name="group-list"),
    path("groups/<slug:slug>/", groups.group_detail, name="group-detail"),
    path("groups/<slug:slug>/join/", groups.group_join, name="group-join"),
    path("groups/<slug:slug>/leave/", groups.group_leave, name="group-leave"),
    path("groups/<slug:slug>/calendar/", groups.group_calendar, name="group-calendar"),
    # Resources
    path("resources/", resources.resource_list, name="resource-list"),
    # Account and privacy
    path("privacy/", account.privacy_notice, name="privacy"),
    path("account/data/", account.account_data, name="account-data"),
    path("account/delete/", account.account_delete, name="account-delete"),
]

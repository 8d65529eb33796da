from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    # Agencies and memberships
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("agencies/<slug:slug>/edit/", views.agency_edit, name="agency-edit"),
    path("membership/", views.membership, name="membership"),
    path(
        "membership/agencies/",
        views.membership_agency_search,
        name="membership-agency-search",
    ),
    path("membership/<int:pk>/leave/", views.membership_leave, name="membership-leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    # Working groups
    path("groups/", views.group_list, name="group-list"),
    path("groups/<slug:slug>/", views.group_detail, name="group-detail"),
    path("groups/<slug:slug>/join/", views.group_join, name="group-join"),
    path("groups/<slug:slug>/leave/", views.group_leave, name="group-leave"),
    path("groups/<slug:slug>/calendar/", views.group_calendar, name="group-calendar"),
    # Resources
    path("resources/", views.resource_list, name="resource-list"),
    # Account and privacy
    path("privacy/", views.privacy_notice, name="privacy"),
    path("account/data/", views.account_data, name="account-data"),
    path("account/delete/", views.account_delete, name="account-delete"),
    path("account/notifications/", views.notification_settings, name="notifications"),
    path(
        "account/notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
]

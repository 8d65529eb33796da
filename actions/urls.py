from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.action_list, name="action-list"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
    path("actions/<int:pk>/update/", views.action_update, name="action-update"),
    path("actions/groups/<slug:slug>/new/", views.group_action_create, name="group-action-create"),
    path("decisions/", views.decision_register, name="decision-list"),
]

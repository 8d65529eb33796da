from django.urls import path

from pledges import views

app_name = "pledges"

urlpatterns = [
    path("", views.pledge_wall, name="pledge-list"),
    path("new/", views.pledge_create, name="pledge-create"),
    path("<int:pk>/", views.pledge_detail, name="pledge-detail"),
    path("<int:pk>/edit/", views.pledge_edit, name="pledge-edit"),
]

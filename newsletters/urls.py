from django.urls import path

from . import views
from .feeds import issue_feed

app_name = "newsletters"

urlpatterns = [
    path("", views.issue_list, name="issue-list"),
    path("feed/", issue_feed, name="feed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.issue_detail, name="issue-detail"),
]

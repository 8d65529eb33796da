from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .feeds import IssueFeed

app_name = "newsletters"

urlpatterns = [
    path("", views.issue_list, name="issue-list"),
    path("feed/", require_safe(IssueFeed()), name="feed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/", views.issue_detail, name="issue-detail"),
]

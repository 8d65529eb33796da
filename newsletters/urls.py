from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .feeds import IssueFeed

app_name = "newsletters"

urlpatterns = [
    path("", views.issue_list, name="issue-list"),
    path("feed/", require_safe(IssueFeed()), name="feed"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe-sent"),
    path("subscribe/confirm/<str:token>/", views.subscribe_confirm, name="subscribe-confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("photos/<int:pk>/<str:size>/<str:filename>", views.photo, name="photo"),
    path("documents/<int:pk>/<str:filename>", views.document, name="document"),
    path("<slug:slug>/", views.issue_detail, name="issue-detail"),
]

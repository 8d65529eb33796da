from django.urls import path

from network.views import unsubscribe

from . import views
from .feeds import issue_feed

app_name = "newsletters"

urlpatterns = [
    path("", views.issue_list, name="issue-list"),
    path("feed/", issue_feed, name="feed"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe-sent"),
    path("subscribe/confirm/<str:token>/", views.subscribe_confirm, name="subscribe-confirm"),
    # Links in newsletters emailed before every kind had one link (network:unsubscribe):
    # the same view serves them, here, so a mail client's one-click POST still works.
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("photos/<int:pk>/<str:size>/<str:filename>", views.photo, name="photo"),
    path("documents/<int:pk>/<str:filename>", views.document, name="document"),
    path("<slug:slug>/", views.issue_detail, name="issue-detail"),
]

from django.urls import path

from events import views

app_name = "events"

# Calendar apps poll these around the clock: events.middleware.FeedMiddleware calls them early.
feed_patterns = [
    path("calendar.ics", views.public_feed, name="public-feed"),
    # The token is URL-safe base64 (no dots or slashes); find() rejects anything else.
    path("calendar/<str:token>.ics", views.personal_feed, name="personal-feed"),
]

# A public contract: members bookmark these and calendar apps poll them.
urlpatterns = [
    *feed_patterns,
    path("events/", views.event_list, name="event-list"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    # A signed link in a meeting email; <token> says who, for which meeting, which answer.
    path("events/<slug:slug>/answer/<str:token>/", views.answer_from_email, name="answer"),
    path(
        "events/<slug:slug>/papers/<int:pk>/<str:filename>",
        views.event_document,
        name="document",
    ),
    path("events/<slug:slug>.ics", views.event_ics, name="event-ics"),
    path("calendar/", views.calendar_page, name="calendar"),
]

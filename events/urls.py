from django.urls import path

from events import views
from events.registration import door, exports, guest_data, officers
from events.registration import views as registration

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
    # Guests' data by an emailed link (before <slug>/: "my-registrations" is not an event).
    path("events/my-registrations/", guest_data.request_link, name="guest-data-request"),
    path("events/my-registrations/<str:token>/", guest_data.guest_data, name="guest-data"),
    path("events/<slug:slug>/", views.event_detail, name="event-detail"),
    # A signed link in a meeting email; <token> says who, for which meeting, which answer.
    path("events/<slug:slug>/answer/<str:token>/", views.answer_from_email, name="answer"),
    path(
        "events/<slug:slug>/papers/<int:pk>/<str:filename>",
        views.event_document,
        name="document",
    ),
    path("events/<slug:slug>.ics", views.event_ics, name="event-ics"),
    # Registration (events/registration/).
    path("events/<slug:slug>/register/", registration.register, name="register"),
    path("events/<slug:slug>/register/sent/", registration.register_sent, name="register-sent"),
    path(
        "events/<slug:slug>/register/confirm/<str:token>/",
        registration.register_confirm,
        name="register-confirm",
    ),
    path("events/<slug:slug>/check-in/", door.check_in, name="check-in"),
    path("events/<slug:slug>/check-in/walk-in/", door.walk_in, name="walk-in"),
    # The secret stands in for a login (never logged: events/log_redaction.py).
    path("events/<slug:slug>/ticket/<str:secret>/", registration.ticket, name="ticket"),
    path(
        "events/<slug:slug>/ticket/<str:secret>/certificate.pdf",
        registration.certificate,
        name="certificate",
    ),
    path(
        "events/<slug:slug>/ticket/<str:secret>/feedback/",
        registration.feedback,
        name="feedback",
    ),
    # Officers: counts, badges, exports and the feedback summary.
    path("events/<slug:slug>/registrations/", officers.registrations, name="registrations"),
    path("events/<slug:slug>/registrations/badges.pdf", officers.badges, name="badges"),
    path(
        "events/<slug:slug>/registrations/registrations.csv",
        exports.registrations_csv,
        name="registrations-csv",
    ),
    path(
        "events/<slug:slug>/registrations/attendance.csv",
        exports.attendance_csv,
        name="attendance-csv",
    ),
    path(
        "events/<slug:slug>/registrations/feedback.csv",
        exports.feedback_csv,
        name="feedback-csv",
    ),
    path("calendar/", views.calendar_page, name="calendar"),
]

"""Serve the public calendar feed the way WhiteNoise serves static files: early.

Calendar apps poll /calendar.ics around the clock. It is the same for everyone and needs no
session, user, CSRF token or messages, so it is answered before those middleware run (which
also keeps `Vary: Cookie` off it, so proxies may cache it). The security headers still apply:
this middleware sits inside SecurityMiddleware, XFrameOptionsMiddleware,
PermissionsPolicyMiddleware and CSPMiddleware.
"""

from django.urls import reverse


class PublicFeedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._feed_path = None

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info == self.feed_path:
            from events.views import public_feed_response

            return public_feed_response(request)
        return self.get_response(request)

    @property
    def feed_path(self):
        if self._feed_path is None:
            self._feed_path = reverse("events:public-feed")
        return self._feed_path

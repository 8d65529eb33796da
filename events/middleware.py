"""Serve the calendar feeds the way WhiteNoise serves static files: early.

Calendar apps poll /calendar.ics and /calendar/<token>.ics around the clock. Neither needs a
session, user, CSRF token or messages (a personal feed's secret is in its path), so both are
answered before those middleware run (which also keeps `Vary: Cookie` off them, so proxies
may cache the public one). The security headers still apply: this middleware sits inside
SecurityMiddleware, XFrameOptionsMiddleware, PermissionsPolicyMiddleware and CSPMiddleware.
"""

import re

from django.http import Http404
from django.urls import reverse

# Stands for the token when the personal feed's path is reversed into a pattern.
_PLACEHOLDER = "TOKEN0PLACEHOLDER"


class FeedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._paths = None

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            public_path, personal_pattern = self.paths
            path = request.path_info
            if path == public_path or personal_pattern.match(path):
                # CommonMiddleware, which would check Host against ALLOWED_HOSTS, comes later.
                request.get_host()
            if path == public_path:
                from events.feeds import serve_public_feed

                return serve_public_feed(request)
            match = personal_pattern.match(path)
            if match:
                from events.feeds import serve_personal_feed

                response = serve_personal_feed(request, match.group(1))
                if response is None:
                    # Rendered by Django's handler with the site's 404 page.
                    raise Http404("No such calendar.")
                return response
        return self.get_response(request)

    @property
    def paths(self):
        if self._paths is None:
            personal = reverse("events:personal-feed", args=[_PLACEHOLDER])
            before, after = personal.split(_PLACEHOLDER)
            pattern = re.compile("^" + re.escape(before) + "([^/]+)" + re.escape(after) + "$")
            self._paths = (reverse("events:public-feed"), pattern)
        return self._paths

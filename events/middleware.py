"""Call the calendar feeds' views early, as HealthCheckMiddleware calls the health check's.

The views in events/urls.py are the code that answers a feed request: GET and HEAD, a 405 for
any other method, a 404 for a dead link. This middleware only calls them before the session,
CSRF, auth, message and MFA middleware and the resolution of every URL pattern above them,
which the feeds never use (a personal feed's secret is in its path). Calendar apps poll the
feeds around the clock, and that stack is about 40% of a 304's time in-process (0.70 ms
against 1.18 ms for the public feed on the bench's machine) and the difference between
meeting and missing the 304 targets in docs/performance.md. Without this class in
MIDDLEWARE every answer is the same, only slower. The middleware above it (security headers,
WhiteNoise, X-Frame-Options, Permissions-Policy, CSP) still applies.
"""

from django.urls import URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern


class FeedMiddleware:
    def __init__(self, get_response):
        from events.urls import feed_patterns

        self.get_response = get_response
        # The events URLconf is included at the site's root (wmasn/urls.py).
        self.resolver = URLResolver(RegexPattern(r"^/"), feed_patterns)

    def __call__(self, request):
        try:
            match = self.resolver.resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        # CommonMiddleware, which checks Host against ALLOWED_HOSTS, is skipped: check it here.
        request.get_host()
        return match.func(request, *match.args, **match.kwargs)

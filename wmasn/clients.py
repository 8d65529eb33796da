"""The client's address: one rule for rate limits and anything else that needs it.

Behind TRUSTED_PROXY_COUNT proxies (docs/deployment.md), each of which appends the address
it received the request from to X-Forwarded-For, the client is the entry that many places
from the end: everything before it was written by the client and proves nothing. With no
trusted proxy (the default) the header is ignored and the address is the socket's. A header
shorter than the proxy count did not come through the proxies, so it is ignored too.
"""

import ipaddress

from django.conf import settings


def _clean(value):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.9:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request):
    """The address of whoever sent the request, as far as the trusted proxies can tell."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")
        if len(forwarded) >= count:
            address = _clean(forwarded[-count])
            if address:
                return address
    return _clean(request.META.get("REMOTE_ADDR", ""))

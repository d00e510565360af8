"""The address of the person making a request, read correctly behind our own reverse proxies.

Each proxy appends the address it received the request from to ``X-Forwarded-For``. Behind
``TRUSTED_PROXY_COUNT`` proxies the client is therefore the N-th address from the right: anything
further left was written by the client and can be anything. With no trusted proxy the header is
ignored altogether, so a client talking to the app directly cannot pick its own address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address; the address of the last proxy when the header does not say."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded.strip():
        return remote
    addresses = forwarded.split(",")
    # Fewer addresses than proxies: the request skipped the outer ones; the leftmost one was still
    # written by one of ours.
    return _address(addresses[-min(count, len(addresses))]) or remote

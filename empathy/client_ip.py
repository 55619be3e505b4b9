"""The address of the client a request came from, for rate limits and audit.

Behind proxies we run (the TLS-terminating load balancer of docs/deploy.md), REMOTE_ADDR is the
last proxy, the same for every client. Each proxy appends the address it received the request
from to X-Forwarded-For, so with `TRUSTED_PROXY_COUNT` = N proxies the client is the N-th entry
from the right. Entries left of it were written by the client and are never trusted.
"""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < count:
        # Did not come through all our proxies (or a proxy is misconfigured): the header may be
        # the client's own invention, so fall back to the peer address.
        return remote
    return _valid(forwarded[-count]) or remote

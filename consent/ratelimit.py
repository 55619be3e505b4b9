"""A small fixed-window rate limit on Django's cache (Redis in production, shared by workers).

Participant links are opened without an account. Two budgets, each per window:
- per link (keyed on the token's hash, whatever the address): one link cannot be hammered;
- per client address over all links (10× the link's budget): one client cannot guess tokens.
The address is `empathy.client_ip.client_ip` (X-Forwarded-For behind our own proxies), so
participants behind the load balancer do not share one budget. Past a budget the page answers
429 until the window ends.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from empathy.client_ip import client_ip


def _parse(rate: str) -> tuple[int, int]:
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one request; True while within the limit."""
    if cache.add(key, 1, timeout=window):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def allow_link_request(request, token: str) -> bool:
    """Within this link's budget, and within this client's budget over all links."""
    limit, window = _parse(settings.CONSENT_LINK_RATE)
    per_link = _hit(f"consent-link:{_digest(token)}", limit, window)
    per_client = _hit(f"consent-link-ip:{_digest(client_ip(request))}", limit * 10, window)
    return per_link and per_client

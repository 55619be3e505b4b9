"""A small fixed-window rate limit on Django's cache (Redis in production, shared by workers).

Participant links are opened without an account, so each (IP, link) pair and each IP get a
budget of requests per window; past it the page answers 429 until the window ends.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


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


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow_link_request(request, token: str) -> bool:
    """Within budget for this IP and this link, and for this IP over all links (10× the budget)."""
    limit, window = _parse(settings.CONSENT_LINK_RATE)
    ip = client_ip(request)
    pair = hashlib.sha256(f"{ip}|{token}".encode()).hexdigest()[:40]
    per_ip = hashlib.sha256(ip.encode()).hexdigest()[:40]
    return _hit(f"consent-link:{pair}", limit, window) and _hit(f"consent-link-ip:{per_ip}", limit * 10, window)

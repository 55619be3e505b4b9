"""empathy.client_ip: the client's address, behind as many proxies as we say we run."""

import pytest
from django.test import RequestFactory

from empathy.client_ip import client_ip


def request(remote="10.0.0.5", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(forwarded="203.0.113.9")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # The client may send its own header: only the entry our proxy appended counts.
        (1, "192.0.2.77, 203.0.113.9", "203.0.113.9"),
        # CDN then load balancer: the CDN appended the client, the balancer the CDN.
        (2, "192.0.2.77, 203.0.113.9, 198.51.100.1", "203.0.113.9"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        # Fewer entries than proxies, or garbage: the peer address, never the client's claim.
        (2, "203.0.113.9", "10.0.0.5"),
        (1, "", "10.0.0.5"),
        (1, "not-an-ip", "10.0.0.5"),
    ],
)
def test_the_entry_our_outermost_proxy_appended(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded=forwarded)) == expected


def test_the_setting_defaults_to_no_proxy():
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0

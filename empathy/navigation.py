"""The per-campaign navigation, filtered by the member's role.

Entries whose URL does not exist yet are skipped, so an app adds itself to the menu by
defining the named URL.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from .access import ALL_ROLES, FIELD_TEAM, LEAD_ONLY, TEAM

CAMPAIGN_NAV = [
    (_("Overview"), "campaigns:overview", ALL_ROLES),
    (_("Team"), "campaigns:team", TEAM),
    (_("Issue statement"), "campaigns:issue", ALL_ROLES),
    (_("Participants"), "participants:list", TEAM),
    (_("Coverage"), "participants:coverage", TEAM),
    (_("Consent"), "consent:overview", FIELD_TEAM),
    (_("Guides"), "interviews:guides", TEAM),
    (_("Predictions"), "interviews:predictions", TEAM),
    (_("Interviews"), "interviews:list", TEAM),
    (_("Emails"), "reminders:settings", LEAD_ONLY),
    (_("Synthesis"), "synthesis:board", TEAM),
    (_("Root causes"), "synthesis:root_causes", TEAM),
    (_("Findings"), "synthesis:findings", ALL_ROLES),
    (_("Search"), "synthesis:search", TEAM),
    (_("Exports"), "exports:list", TEAM),
    (_("Audit trail"), "audit:campaign", LEAD_ONLY),
]


def campaign_nav(campaign, current_path: str):
    return [
        {"label": label, "url": url, "active": _is_active(url, current_path, url_name)}
        for label, url_name, url in _entries(
            campaign.slug, campaign.membership.role, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
        )
    ]


@lru_cache(maxsize=2048)
def _entries(slug: str, role: str, script_prefix: str, urlconf: str) -> tuple:
    """(label, URL name, URL) of the entries a role sees. Every campaign page draws the menu, and
    the URLs depend only on these arguments, so each process reverses them once per campaign and
    role instead of sixteen times per page view."""
    entries = []
    for label, url_name, roles in CAMPAIGN_NAV:
        if role not in roles:
            continue
        try:
            entries.append((label, url_name, reverse(url_name, args=[slug], urlconf=urlconf)))
        except NoReverseMatch:
            continue
    return tuple(entries)


def _is_active(url, current_path, url_name):
    if url_name == "campaigns:overview":
        return current_path == url
    return current_path.startswith(url)

"""The per-campaign navigation, filtered by the member's role.

Entries whose URL does not exist yet are skipped, so an app adds itself to the menu by
defining the named URL.
"""

from django.urls import NoReverseMatch, reverse
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
    role = campaign.membership.role
    items = []
    for label, url_name, roles in CAMPAIGN_NAV:
        if role not in roles:
            continue
        try:
            url = reverse(url_name, args=[campaign.slug])
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": _is_active(url, current_path, url_name)})
    return items


def _is_active(url, current_path, url_name):
    if url_name == "campaigns:overview":
        return current_path == url
    return current_path.startswith(url)

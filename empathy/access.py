"""
The access rule everything follows: campaign membership is the boundary.

Every view under /c/<slug>/ is wrapped in @campaign_view(...). A signed-out user never gets
here (LoginRequiredMiddleware sends them to sign in); a signed-in non-member gets 404, so a
campaign's existence is not revealed; a member whose role is not allowed gets 403.
tests/test_url_access.py walks every URL pattern and checks these rules, reading the
allowed roles from the `campaign_roles` attribute this decorator sets.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from campaigns.models import Campaign, Membership, Role

ALL_ROLES = frozenset(Role.values)
TEAM = frozenset({Role.LEAD, Role.INTERVIEWER, Role.ANALYST})
FIELD_TEAM = frozenset({Role.LEAD, Role.INTERVIEWER})
LEAD_ONLY = frozenset({Role.LEAD})


def get_campaign_for(request, slug: str, roles=ALL_ROLES) -> Campaign:
    """The campaign with this slug if the user is a member with one of `roles`.

    One query. The membership is attached as `campaign.membership` and `request.membership`.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("campaign", "campaign__district")
        .filter(campaign__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404
    if membership.role not in roles:
        raise PermissionDenied
    campaign = membership.campaign
    campaign.membership = membership
    request.membership = membership
    request.campaign = campaign
    return campaign


def campaign_view(roles=ALL_ROLES):
    """Decorate a view taking (request, campaign, ...); the URL passes `slug`."""
    roles = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            campaign = get_campaign_for(request, slug, roles)
            return view(request, campaign, *args, **kwargs)

        wrapper.campaign_roles = roles
        return wrapper

    return decorator

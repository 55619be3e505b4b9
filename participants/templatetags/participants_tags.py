from django import template
from django.db.models import Count, OuterRef, Q, Subquery

from campaigns.models import Campaign
from consent.selectors import withdrawn_participant_ids
from empathy.access import TEAM

from ..models import Participant, TargetOverride

register = template.Library()


@register.inclusion_tag("participants/_overview_panel.html", takes_context=True)
def participants_overview(context, campaign):
    """Participant counts and the latest priority-target override, for the campaign overview.

    One query (counts plus the override as subqueries). Aggregates only: no participant is
    named, so every role may see it.
    """
    latest = TargetOverride.objects.filter(campaign_id=OuterRef("pk")).order_by("-created_at", "-id")
    row = (
        Campaign.objects.filter(pk=campaign.pk)
        .annotate(
            total=Count("participants"),
            invited=Count("participants", filter=~Q(participants__status=Participant.Status.NOMINATED)),
            interviewed=Count(
                "participants",
                filter=Q(participants__status=Participant.Status.INTERVIEWED)
                & ~Q(participants__pk__in=withdrawn_participant_ids(campaign)),
            ),
            override_reason=Subquery(latest.values("reason")[:1]),
            override_at=Subquery(latest.values("created_at")[:1]),
            override_by=Subquery(latest.values("by__full_name")[:1]),
            override_by_email=Subquery(latest.values("by__email")[:1]),
        )
        .values("total", "invited", "interviewed", "override_reason", "override_at", "override_by", "override_by_email")
        .first()
    )
    membership = context.get("membership")
    return {
        "campaign": campaign,
        "panel": row,
        "team": membership is not None and membership.role in TEAM,
    }

from django import template
from django.db.models import Count, Q

from empathy.access import TEAM

from ..models import Participant
from ..selectors import priority_progress

register = template.Library()


@register.inclusion_tag("participants/_overview_panel.html", takes_context=True)
def participants_overview(context, campaign):
    """Counts, priority-target progress and any target override, for the campaign overview.

    Aggregates only: no participant is named, so every role may see it.
    """
    totals = Participant.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        invited=Count("pk", filter=~Q(status=Participant.Status.NOMINATED)),
        interviewed=Count("pk", filter=Q(status=Participant.Status.INTERVIEWED)),
    )
    membership = context.get("membership")
    return {
        "campaign": campaign,
        "panel": {
            **totals,
            "progress": priority_progress(campaign),
            "override": campaign.target_overrides.select_related("by").first(),
            "team": membership is not None and membership.role in TEAM,
        },
    }

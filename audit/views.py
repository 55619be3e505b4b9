from django.core.paginator import Paginator
from django.shortcuts import render

from empathy.access import LEAD_ONLY, campaign_view

from .models import AuditEvent


@campaign_view(LEAD_ONLY)
def campaign_trail(request, campaign):
    events = AuditEvent.objects.for_campaign(campaign).select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/campaign_trail.html",
        {"campaign": campaign, "page": page, "actions": AuditEvent.Action.choices, "action": action},
    )

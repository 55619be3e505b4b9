from django.conf import settings

from .navigation import campaign_nav


def site(request):
    context = {"SITE_NAME": settings.SITE_NAME}
    campaign = getattr(request, "campaign", None)
    if campaign is not None:
        context["campaign_nav"] = campaign_nav(campaign, request.path)
        context["membership"] = campaign.membership
    return context

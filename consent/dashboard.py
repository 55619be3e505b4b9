"""Home-page needs: people we are about to interview whose consent is still missing."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns.models import Role
from empathy.dashboard import Need
from participants.models import Participant

from .selectors import filter_by_consent_state, with_consent_flags

AWAITING_INTERVIEW = (Participant.Status.INVITED, Participant.Status.CONSENTED, Participant.Status.SCHEDULED)


def needs(user, memberships) -> list[Need]:
    field_memberships = [m for m in memberships if m.role in (Role.LEAD, Role.INTERVIEWER)]
    if not field_memberships:
        return []
    led = [m.campaign_id for m in field_memberships if m.role == Role.LEAD]
    interviewing = [m.campaign_id for m in field_memberships if m.role == Role.INTERVIEWER]
    people = Participant.objects.filter(status__in=AWAITING_INTERVIEW)
    # Leads see everyone in their campaigns; interviewers the people assigned to them.
    scope = people.filter(campaign_id__in=led) | people.filter(campaign_id__in=interviewing, assigned_interviewers=user)
    flagged = with_consent_flags(scope)
    complete = filter_by_consent_state(flagged, "complete").values("pk")
    # One query: count, per campaign, the people not withdrawn and not fully consented.
    rows = (
        flagged.filter(is_withdrawn=False)
        .exclude(pk__in=complete)
        .order_by()
        .values("campaign_id")
        .annotate(missing=Count("pk", distinct=True))
    )
    by_campaign = {m.campaign_id: m.campaign for m in field_memberships}
    return [
        Need(
            campaign_title=by_campaign[row["campaign_id"]].title,
            label=_("consents missing for people we plan to interview"),
            count=row["missing"],
            url=reverse("consent:overview", args=[by_campaign[row["campaign_id"]].slug]),
            kind="warning",
        )
        for row in rows
    ]

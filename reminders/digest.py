"""The leads' daily digest: yesterday's interviews, consents still missing, under-heard groups."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import Kind


def digest_text(campaign, day: datetime.date) -> str:
    from consent.selectors import consent_statuses
    from interviews.models import Interview
    from participants.models import Participant
    from participants.selectors import coverage

    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    interviews = list(
        Interview.objects.filter(
            campaign=campaign, scheduled_at__gte=start, scheduled_at__lt=start + datetime.timedelta(days=1)
        )
        .select_related("participant")
        .order_by("scheduled_at")
    )
    lines = [_("Interviews (%(n)s):") % {"n": len(interviews)}]
    lines += [f"- {iv.participant.code}: {iv.get_status_display()}" for iv in interviews] or [_("- none")]
    waiting = Participant.objects.filter(
        campaign=campaign, status__in=[Participant.Status.INVITED, Participant.Status.SCHEDULED]
    ).only("pk", "code", "is_minor", "status", "campaign_id")
    missing = sorted(s.participant.code for s in consent_statuses(waiting).values() if not s.is_current)
    lines += ["", _("Consent still missing (%(n)s):") % {"n": len(missing)}]
    lines += [", ".join(missing[:30]) + (" …" if len(missing) > 30 else "")] if missing else [_("- none")]
    under = coverage(campaign).under_heard
    lines += ["", _("Under-heard groups (%(n)s):") % {"n": len(under)}]
    lines += [
        _("- %(dimension)s: %(group)s — %(heard)s%% heard vs. %(share)s%% of the population")
        % {
            "dimension": d.dimension.name,
            "group": row.label,
            "heard": row.interviewed_share or 0,
            "share": row.population_share,
        }
        for d, row in under
    ] or [_("- none")]
    return "\n".join(lines)


def digests_enqueue(*, day: datetime.date | None = None) -> int:
    from campaigns.models import Campaign

    from .services import email_enqueue

    day = day or timezone.localdate() - datetime.timedelta(days=1)
    count = 0
    for campaign in Campaign.objects.active().filter(status=Campaign.Status.INTERVIEWING):
        by_language = {}  # each lead reads the digest in their own language; built once per language
        for membership in campaign.memberships.leads().select_related("user"):
            language = membership.user.language
            if language not in by_language:
                with translation.override(language):
                    by_language[language] = (digest_text(campaign, day), formats.date_format(day, "DATE_FORMAT"))
            text, label = by_language[language]
            email_enqueue(
                kind=Kind.DAILY_DIGEST,
                to=membership.user.email,
                campaign=campaign,
                user=membership.user,
                language=language,
                context={
                    "date": label,
                    "digest": text,
                    "link": settings.SITE_URL + reverse("campaigns:overview", args=[campaign.slug]),
                },
                dedupe_key=f"digest:{campaign.pk}:{day.isoformat()}:{membership.user_id}",
            )
            count += 1
    return count

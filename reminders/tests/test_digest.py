import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Campaign
from reminders.digest import digests_enqueue
from reminders.factories import InterviewFactory
from reminders.models import Email, Kind

pytestmark = pytest.mark.django_db


def test_leads_get_yesterdays_digest_once(campaign, lead, interviewer, participant, django_capture_on_commit_callbacks):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.INTERVIEWING)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    InterviewFactory(
        campaign=campaign,
        participant=participant,
        interviewer=interviewer,
        scheduled_at=timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(10))),
        status="completed",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_enqueue(day=yesterday) == 1
        digests_enqueue(day=yesterday)  # the beat ran twice
    assert Email.objects.filter(kind=Kind.DAILY_DIGEST).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [lead.email]
    body = mail.outbox[0].body
    assert "Interviews (1)" in body and participant.code in body
    assert "Consent still missing" in body and "Under-heard groups" in body

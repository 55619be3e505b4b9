"""Staff emails are written in the language each staff member chose for themselves."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Campaign
from reminders import services
from reminders.digest import digests_enqueue
from reminders.factories import InterviewFactory
from reminders.models import Email, Kind

pytestmark = pytest.mark.django_db


def test_the_team_reminder_follows_the_interviewers_language(campaign, interviewer, participant):
    interviewer.preferred_language = "es"
    interviewer.save(update_fields=["preferred_language"])
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer, note_taker=None)
    services.interview_reminders_plan(interview=interview)
    team_rows = Email.objects.filter(interview=interview, kind=Kind.REMINDER_TEAM)
    assert {row.language for row in team_rows} == {"es"}
    team_rows.update(next_try_at=timezone.now())
    Email.objects.filter(interview=interview).exclude(kind=Kind.REMINDER_TEAM).update(status=Email.Status.CANCELLED)
    Email.objects.filter(interview=interview, offset_minutes=2880).update(status=Email.Status.CANCELLED)
    services.dispatch(budget_seconds=30)
    message = next(m for m in mail.outbox if m.to == [interviewer.email])
    assert message.subject.startswith(f"Entrevista {participant.code} el ")
    assert " de 20" in message.subject  # the date in Spanish: "28 de noviembre de 2026"


def test_each_lead_reads_the_digest_in_their_language(campaign, lead, participant, django_capture_on_commit_callbacks):
    lead.preferred_language = "es"
    lead.save(update_fields=["preferred_language"])
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.INTERVIEWING)
    day = datetime.date(2026, 3, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_enqueue(day=day) == 1
    assert Email.objects.get(kind=Kind.DAILY_DIGEST).language == "es"
    body = mail.outbox[0].body
    assert "5 de marzo de 2026" in body
    assert "Entrevistas (0)" in body

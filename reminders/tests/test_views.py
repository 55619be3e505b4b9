import pytest
from django.urls import reverse

from reminders.factories import EmailFactory, InterviewFactory
from reminders.models import Email, EmailTemplate, Kind, ReminderSettings
from reminders.services import interview_reminders_plan

pytestmark = pytest.mark.django_db


def _settings_url(campaign):
    return reverse("reminders:settings", args=[campaign.slug])


def _template_url(campaign, kind=Kind.REMINDER_PARTICIPANT, language="es"):
    return reverse("reminders:template", args=[campaign.slug, kind, language])


def test_only_leads_manage_emails(campaign, cast, client_for):
    assert client_for(cast["lead"]).get(_settings_url(campaign)).status_code == 200
    assert client_for(cast["interviewer"]).get(_settings_url(campaign)).status_code == 403
    assert client_for(cast["outsider"]).get(_settings_url(campaign)).status_code == 404


def test_a_lead_changes_the_reminder_times(campaign, lead, client_for):
    client = client_for(lead)
    response = client.post(_settings_url(campaign), {"offsets": "3d, 1h, 30m", "remind_team": ""})
    assert response.status_code == 302
    saved = ReminderSettings.objects.get(campaign=campaign)
    assert saved.offsets_minutes == [4320, 60, 30] and saved.remind_team is False
    response = client.post(_settings_url(campaign), {"offsets": "soon", "remind_team": "on"})
    assert "is not a time" in response.content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_settings_page_query_budget(campaign, lead, client_for, django_assert_num_queries, size):
    for _n in range(size):
        EmailFactory(campaign=campaign)
    client = client_for(lead)
    # session, user, membership+campaign, reminder settings, statement languages, saved
    # template kinds, outbox count, outbox page; savepoint, session save, release.
    with django_assert_num_queries(11):
        response = client.get(_settings_url(campaign))
    assert response.status_code == 200


def test_a_lead_edits_the_spanish_reminder_and_sees_it_rendered(campaign, lead, client_for):
    client = client_for(lead)
    page = client.get(_template_url(campaign)).content.decode()
    assert "Recordatorio" in page and "{transparency}" in page  # built-in Spanish + the placeholder list
    data = {"subject": "Su cita: {when}", "body": "Hola {name} <b>bienvenida</b>\n\nLugar: {place}", "action": "save"}
    assert client.post(_template_url(campaign), data).status_code == 302
    template = EmailTemplate.objects.get(campaign=campaign, kind=Kind.REMINDER_PARTICIPANT, language="es")
    assert template.body.startswith("Hola {name}")
    page = client.get(_template_url(campaign)).content.decode()
    assert "Hola Alex" in page and "&lt;b&gt;bienvenida&lt;/b&gt;" in page  # preview, escaped
    assert "invite.ics" in page


def test_unknown_placeholders_and_template_code_are_refused(campaign, lead, client_for):
    client = client_for(lead)
    data = {"subject": "x", "body": "{{ request.user.password }} {secret}", "action": "save"}
    response = client.post(_template_url(campaign), data)
    assert response.status_code == 200 and "Unknown placeholder" in response.content.decode()
    assert not EmailTemplate.objects.exists()


def test_preview_with_a_real_upcoming_interview(campaign, lead, client_for, interview):
    url = _template_url(campaign, Kind.REMINDER_TEAM, "en") + f"?interview={interview.pk}"
    page = client_for(lead).get(url).content.decode()
    assert interview.participant.code in page and "guide.txt" in page


def test_reset_goes_back_to_the_built_in_wording(campaign, lead, client_for):
    EmailTemplate.objects.create(campaign=campaign, kind=Kind.EXPORT_READY, language="en", subject="s", body="b")
    client_for(lead).post(
        _template_url(campaign, Kind.EXPORT_READY, "en"), {"subject": "s", "body": "b", "action": "reset"}
    )
    assert not EmailTemplate.objects.exists()


def test_a_failed_email_can_be_sent_again(campaign, lead, client_for, django_capture_on_commit_callbacks):
    row = EmailFactory(campaign=campaign, status=Email.Status.FAILED, reason="Gave up")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(reverse("reminders:retry", args=[campaign.slug, row.pk]))
    row.refresh_from_db()
    assert row.status == Email.Status.SENT


def test_the_interview_partial_shows_each_state_and_no_address(campaign, participant, interviewer):
    from django.template import Context, Template

    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer)
    rows = interview_reminders_plan(interview=interview)
    Email.objects.filter(pk=rows[0].pk).update(status=Email.Status.SKIPPED, reason="No consent to be contacted")
    html = Template("{% load reminders %}{% interview_reminders interview %}").render(Context({"interview": interview}))
    assert "Skipped" in html and "No consent to be contacted" in html and "Pending" in html
    assert participant.email not in html


def test_the_preview_follows_the_typing(campaign, lead, client_for):
    data = {"subject": "Hola {name}", "body": "Nos vemos en {place}", "action": "preview"}
    response = client_for(lead).post(_template_url(campaign), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="preview"' in html and "Nos vemos en Room 12" in html and "<nav" not in html
    assert not EmailTemplate.objects.exists()  # previewing saves nothing

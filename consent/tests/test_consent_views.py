"""Staff pages: the consent overview, statements and forms, one participant's consent."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent import services
from consent.factories import ConsentRecordFactory
from consent.models import ConsentForm, ConsentRecord, TransparencyStatement
from participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
Kind = ConsentRecord.Kind


def overview_url(campaign, **query):
    url = reverse("consent:overview", args=[campaign.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def make_people(campaign, n):
    """n participants: a third consented adults, a third minors with guardian consent only, a third withdrawn."""
    people = []
    for i in range(n):
        kind = i % 3
        person = ParticipantFactory(campaign=campaign, is_minor=kind == 1)
        if kind == 0:
            ConsentRecordFactory(participant=person, kind=Kind.CONSENT)
        elif kind == 1:
            ConsentRecordFactory(participant=person, kind=Kind.GUARDIAN, guardian_name="G")
        else:
            ConsentRecordFactory(participant=person, kind=Kind.CONSENT)
            ConsentRecordFactory(participant=person, kind=Kind.WITHDRAWAL, form=None)
        people.append(person)
    return people


def test_the_overview_shows_documents_status_and_missing_pieces(client_for, interviewer, campaign, form_en, form_es):
    make_people(campaign, 6)
    response = client_for(interviewer).get(overview_url(campaign))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Participar en una entrevista" in html and "Taking part in an interview" in html
    assert "Assent (student)" in html  # missing for the minors
    assert html.count("consent-withdrawn") == 2
    # Interviewers read; only leads edit.
    assert reverse("consent:statement_edit", args=[campaign.slug, "en"]) not in html


@pytest.mark.parametrize(
    ("state", "codes"),
    [
        ("complete", ["P-001", "P-004"]),
        ("missing_guardian", []),
        ("missing_assent", ["P-002", "P-005"]),
        ("partial", ["P-002", "P-005"]),
        ("withdrawn", ["P-003", "P-006"]),
    ],
)
def test_overview_filters(client_for, lead, campaign, form_en, state, codes):
    make_people(campaign, 6)
    response = client_for(lead).get(overview_url(campaign, state=state))
    rows = [p.code for p, _status in response.context["rows"]]
    assert rows == codes


def test_overview_filter_by_code_and_htmx_partial(client_for, lead, campaign, form_en):
    make_people(campaign, 3)
    response = client_for(lead).get(
        overview_url(campaign, q="002"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="consent-participants"
    )
    html = response.content.decode()
    assert "P-002" in html and "P-001" not in html and "<html" not in html


@pytest.mark.parametrize("size", [5, 60])
def test_overview_query_budget(client_for, lead, campaign, form_en, form_es, size, django_assert_num_queries):
    make_people(campaign, size)
    client = client_for(lead)
    # session, user, membership+campaign, current statements, current forms with agreement counts,
    # summary counts, page count, page of participants, their consent records, retention date,
    # then the session save every request does (savepoint, update, release): 13 at any size.
    with django_assert_num_queries(13):
        response = client.get(overview_url(campaign))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(size, 50)


def test_empty_states(client_for, lead, campaign):
    html = client_for(lead).get(overview_url(campaign)).content.decode()
    assert "No transparency statement yet" in html and "No participants yet" in html


def test_guided_statement_then_form_then_new_version(client_for, lead, campaign, adult):
    client = client_for(lead)
    page = client.get(reverse("consent:statement_edit", args=[campaign.slug, "es"]))
    assert page.status_code == 200 and "Who sees the raw notes" in page.content.decode()
    data = {
        "why": "Por qué",
        "data_use": "Uso",
        "raw_notes_access": "La líder",
        "captures_identifying_data": "on",
        "identifying_data": "Nombre",
        "anonymization": "Códigos",
        "retain_until": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "retention": "",
    }
    response = client.post(reverse("consent:statement_edit", args=[campaign.slug, "es"]), data)
    assert response.status_code == 302 and response.url.endswith("/consent/form/es/")
    form_page = client.get(response.url)
    assert form_page.status_code == 200
    response = client.post(
        reverse("consent:form_edit", args=[campaign.slug, "es"]),
        {"title": "Entrevista", "body": "Es su decisión.", "guardian_text": "", "assent_text": ""},
    )
    assert response.status_code == 302
    form = ConsentForm.objects.get(campaign=campaign, language="es")
    services.consent_record(participant=adult, kind="consent", form=form, method="verbal")
    signed_page = client.get(reverse("consent:statement_edit", args=[campaign.slug, "es"]))
    assert "Saving changes creates version 2" in signed_page.content.decode()
    form_page = client.get(reverse("consent:form_edit", args=[campaign.slug, "es"]))
    assert "Saving changes creates version 2" in form_page.content.decode()
    client.post(reverse("consent:statement_edit", args=[campaign.slug, "es"]), {**data, "why": "Otra razón"})
    assert list(
        TransparencyStatement.objects.filter(campaign=campaign, language="es").values_list("version", flat=True)
    ) == [2, 1]
    assert AuditEvent.objects.filter(action="consent_change", detail__what="transparency statement").count() == 2
    doc = client.get(reverse("consent:document", args=[campaign.slug, form.pk]))
    assert "Por qué" in doc.content.decode()  # the version they agreed to, unchanged


def test_statement_date_must_be_in_the_future(client_for, lead, campaign):
    response = client_for(lead).post(
        reverse("consent:statement_edit", args=[campaign.slug, "en"]),
        {
            "why": "a",
            "data_use": "b",
            "raw_notes_access": "c",
            "identifying_data": "d",
            "anonymization": "e",
            "retain_until": "2000-01-01",
        },
    )
    assert response.status_code == 400
    assert not TransparencyStatement.objects.exists()


def test_an_unknown_language_is_404(client_for, lead, campaign):
    assert client_for(lead).get(reverse("consent:statement_edit", args=[campaign.slug, "xx"])).status_code == 404


def test_interviewer_records_verbal_consent(client_for, interviewer, adult, form_en):
    client = client_for(interviewer)
    page = client.get(reverse("consent:participant", args=[adult.campaign.slug, adult.code]))
    assert page.status_code == 200
    # Not assigned to this participant: the interviewer sees the code, not the name.
    assert "Alma Reyes" not in page.content.decode()
    response = client.post(
        reverse("consent:record", args=[adult.campaign.slug, adult.code]),
        {
            "kind": "consent",
            "form": form_en.pk,
            "method": "verbal",
            "given_on": timezone.localdate().isoformat(),
            "may_quote": "on",
            "attribution": "role",
            "note": "",
        },
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(participant=adult)
    assert (record.method, record.recorded_by, record.may_quote) == ("verbal", interviewer, True)


def test_the_lead_sees_the_name_and_it_is_audited(client_for, lead, adult, form_en):
    page = client_for(lead).get(reverse("consent:participant", args=[adult.campaign.slug, adult.code]))
    assert "Alma Reyes" in page.content.decode()
    assert AuditEvent.objects.filter(action="view_identified", target_id=str(adult.pk), actor=lead).exists()


def test_recording_a_future_date_is_refused(client_for, interviewer, adult, form_en):
    response = client_for(interviewer).post(
        reverse("consent:record", args=[adult.campaign.slug, adult.code]),
        {
            "kind": "consent",
            "form": form_en.pk,
            "method": "written",
            "given_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "attribution": "none",
        },
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_withdraw_then_purge(client_for, interviewer, lead, adult, form_en):
    services.consent_record(participant=adult, kind="consent", form=form_en, method="written")
    slug = adult.campaign.slug
    # The interviewer may record the withdrawal but not purge.
    assert client_for(interviewer).get(reverse("consent:withdraw", args=[slug, adult.code])).status_code == 200
    response = client_for(interviewer).post(
        reverse("consent:withdraw", args=[slug, adult.code]), {"given_by": "participant", "method": "verbal"}
    )
    assert response.status_code == 302
    assert client_for(interviewer).get(reverse("consent:purge", args=[slug, adult.code])).status_code == 403

    client = client_for(lead)
    wrong = client.post(reverse("consent:purge", args=[slug, adult.code]), {"reason": "asked", "confirm_code": "P-9"})
    assert wrong.status_code == 400
    response = client.post(
        reverse("consent:purge", args=[slug, adult.code]), {"reason": "asked", "confirm_code": adult.code}
    )
    assert response.status_code == 302
    adult.refresh_from_db()
    assert adult.full_name == "" and adult.email == ""
    assert AuditEvent.objects.filter(action="purge", actor=lead).exists()


def test_a_participant_of_another_campaign_is_404(client_for, lead, other_campaign):
    elsewhere = ParticipantFactory(campaign=other_campaign, full_name="Elsewhere")
    response = client_for(lead).get(reverse("consent:participant", args=["attendance", elsewhere.code]))
    assert response.status_code == 404 or "Elsewhere" not in response.content.decode()

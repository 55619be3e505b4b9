"""Staff pages: the consent overview, statements and forms, one participant's consent."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent import services
from consent.factories import ConsentRecordFactory
from consent.models import ConsentForm, ConsentRecord, ParticipantLink, TransparencyStatement
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


@pytest.fixture
def assigned(adult, interviewer):
    """The adult, assigned to the interviewer (who may then see and act on their identity)."""
    adult.assigned_interviewers.add(interviewer)
    return adult


def verbal_consent(form):
    return {
        "kind": "consent",
        "form": form.pk,
        "method": "verbal",
        "given_on": timezone.localdate().isoformat(),
        "may_quote": "on",
        "attribution": "role",
        "note": "",
    }


def test_interviewer_records_verbal_consent(client_for, interviewer, assigned, form_en):
    client = client_for(interviewer)
    page = client.get(reverse("consent:participant", args=[assigned.campaign.slug, assigned.code]))
    assert page.status_code == 200
    assert "Alma Reyes" in page.content.decode()
    response = client.post(
        reverse("consent:record", args=[assigned.campaign.slug, assigned.code]), verbal_consent(form_en)
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(participant=assigned)
    assert (record.method, record.recorded_by, record.may_quote) == ("verbal", interviewer, True)


def test_an_unassigned_interviewer_sees_the_code_and_no_forms(client_for, interviewer, adult, form_en):
    page = client_for(interviewer).get(reverse("consent:participant", args=[adult.campaign.slug, adult.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert adult.code in html and "Alma Reyes" not in html
    for name in ("record", "link_create", "withdraw"):
        assert reverse(f"consent:{name}", args=[adult.campaign.slug, adult.code]) not in html
    assert "Only the lead or an interviewer assigned to this participant" in html
    assert "Record consent given on paper" not in html


def test_an_unassigned_interviewer_cannot_record_consent(client_for, interviewer, adult, form_en):
    response = client_for(interviewer).post(
        reverse("consent:record", args=[adult.campaign.slug, adult.code]), verbal_consent(form_en)
    )
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("delivery", ["print", "email"])
def test_an_unassigned_interviewer_cannot_make_a_link(
    client_for, interviewer, lead, adult, form_en, delivery, django_capture_on_commit_callbacks
):
    existing, _token = services.link_create(participant=adult, delivery="print", by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(interviewer).post(
            reverse("consent:link_create", args=[adult.campaign.slug, adult.code]), {"delivery": delivery}
        )
    assert response.status_code == 403
    html = response.content.decode()
    assert "print-card" not in html and 'class="qr"' not in html
    assert list(ParticipantLink.objects.filter(participant=adult)) == [existing]
    existing.refresh_from_db()
    assert existing.state == "active"  # the participant's own link still works
    assert not mail.outbox


def test_an_unassigned_interviewer_cannot_revoke_a_link(client_for, interviewer, lead, adult, form_en):
    link, _token = services.link_create(participant=adult, delivery="print", by=lead)
    response = client_for(interviewer).post(
        reverse("consent:link_revoke", args=[adult.campaign.slug, adult.code, link.pk])
    )
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.state == "active"


def test_an_unassigned_interviewer_cannot_withdraw_someone(client_for, interviewer, adult, form_en):
    client = client_for(interviewer)
    url = reverse("consent:withdraw", args=[adult.campaign.slug, adult.code])
    assert client.get(url).status_code == 403
    assert client.post(url, {"given_by": "participant", "method": "verbal"}).status_code == 403
    assert not ConsentRecord.objects.exists()
    adult.refresh_from_db()
    assert adult.status != "withdrawn"


def test_an_assigned_interviewer_prints_a_link_and_it_is_audited(client_for, interviewer, assigned, form_en):
    response = client_for(interviewer).post(
        reverse("consent:link_create", args=[assigned.campaign.slug, assigned.code]), {"delivery": "print"}
    )
    assert response.status_code == 200 and "<svg" in response.content.decode()
    # The printed token opens the participant's name and contacts: that is recorded.
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_IDENTIFIED, actor=interviewer)
    assert event.target_id == str(assigned.pk) and event.detail["page"] == "consent link print"


def test_notes_are_shown_only_to_those_who_see_identity(client_for, lead, interviewer, analyst, adult, form_en):
    note = "Reached her at the Elm Street shelter"
    services.consent_record(participant=adult, kind="consent", form=form_en, method="written", note=note)
    url = reverse("consent:participant", args=[adult.campaign.slug, adult.code])
    assert note not in client_for(interviewer).get(url).content.decode()  # not assigned
    assert note in client_for(lead).get(url).content.decode()
    adult.assigned_interviewers.add(interviewer)
    assert note in client_for(interviewer).get(url).content.decode()


def test_a_minor_gets_separate_links_for_guardian_and_student(client_for, lead, minor, form_en):
    client = client_for(lead)
    url = reverse("consent:link_create", args=[minor.campaign.slug, minor.code])
    page = client.get(reverse("consent:participant", args=[minor.campaign.slug, minor.code])).content.decode()
    assert 'name="recipient"' in page
    assert client.post(url, {"delivery": "print", "recipient": "guardian"}).status_code == 200
    assert client.post(url, {"delivery": "print", "recipient": "participant"}).status_code == 200
    # One link for each: making the student's did not revoke the guardian's.
    active = ParticipantLink.objects.active().filter(participant=minor)
    assert sorted(active.values_list("recipient", flat=True)) == ["guardian", "participant"]
    # A new guardian link replaces the earlier guardian link only.
    assert client.post(url, {"delivery": "print", "recipient": "guardian"}).status_code == 200
    assert sorted(active.values_list("recipient", flat=True)) == ["guardian", "participant"]
    assert ParticipantLink.objects.filter(participant=minor, revoked_at__isnull=False).get().recipient == "guardian"


def test_an_adult_has_no_guardian_link(client_for, lead, adult, form_en):
    client = client_for(lead)
    page = client.get(reverse("consent:participant", args=[adult.campaign.slug, adult.code])).content.decode()
    assert 'name="recipient"' not in page
    url = reverse("consent:link_create", args=[adult.campaign.slug, adult.code])
    assert client.post(url, {"delivery": "print", "recipient": "guardian"}).status_code == 200
    assert ParticipantLink.objects.get(participant=adult).recipient == "participant"
    with pytest.raises(ValidationError):
        services.link_create(participant=adult, delivery="print", recipient="guardian", by=lead)


def test_the_lead_sees_the_name_and_it_is_audited(client_for, lead, adult, form_en):
    page = client_for(lead).get(reverse("consent:participant", args=[adult.campaign.slug, adult.code]))
    assert "Alma Reyes" in page.content.decode()
    assert AuditEvent.objects.filter(action="view_identified", target_id=str(adult.pk), actor=lead).exists()


def test_recording_a_future_date_is_refused(client_for, interviewer, assigned, form_en):
    adult = assigned
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


def test_withdraw_then_purge(client_for, interviewer, lead, assigned, form_en):
    adult = assigned
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

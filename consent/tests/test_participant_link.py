"""The participant's own signed link: consent, what we hold, withdrawal — and nothing else."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import ConsentRecord, ParticipantLink
from consent.selectors import has_current_consent
from participants.factories import ParticipantFactory
from participants.models import Participant

pytestmark = pytest.mark.django_db


def link_for(participant, by=None, delivery=ParticipantLink.Delivery.PRINT, recipient="participant"):
    link, token = services.link_create(participant=participant, delivery=delivery, recipient=recipient, by=by)
    return link, token


def url(name, token, **query):
    path = reverse(f"consent_public:{name}", args=[token])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def bystander(campaign):
    return ParticipantFactory(campaign=campaign, full_name="Zed Bystander", email="zed@example.net")


def test_a_printed_link_shows_a_qr_code_once_and_stores_only_a_hash(client_for, interviewer, adult, form_en):
    adult.assigned_interviewers.add(interviewer)
    response = client_for(interviewer).post(
        reverse("consent:link_create", args=[adult.campaign.slug, adult.code]), {"delivery": "print"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="qr"' in html and "<path" in html
    assert response["Cache-Control"] == "no-store"
    link = ParticipantLink.objects.get(participant=adult)
    token = html.split("/p/")[1].split("/")[0]
    assert link.token_hash not in html and token not in link.token_hash
    assert len(link.token_hash) == 64
    assert ParticipantLink.objects.filter(token_hash__contains=token).count() == 0


def test_an_emailed_link_goes_to_the_participant(
    client_for, interviewer, adult, form_en, django_capture_on_commit_callbacks
):
    adult.assigned_interviewers.add(interviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(interviewer).post(
            reverse("consent:link_create", args=[adult.campaign.slug, adult.code]), {"delivery": "email"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alma@example.net"]
    assert "/p/" in mail.outbox[0].body


def test_the_broker_carries_only_the_links_id(adult, lead, form_en, django_capture_on_commit_callbacks, monkeypatch):
    """The token is made in the worker: the message put on the broker holds no secret."""
    from consent import tasks

    sent = []
    monkeypatch.setattr(tasks.send_participant_link, "delay", lambda *args, **kwargs: sent.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        link, token = link_for(adult, by=lead, delivery=ParticipantLink.Delivery.EMAIL)
    assert token is None
    assert sent == [((link.pk,), {})]
    link.refresh_from_db()
    assert not link.is_issued and link.state == "active"

    # The worker makes the secret and emails it; the emailed token opens the link.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_participant_link.apply(args=(link.pk,)).get() is True
    emailed = mail.outbox[0].body.split("/p/")[1].split("/")[0]
    assert services.link_for_token(emailed) == link
    # Redelivered: no second secret, no second email; the first token still works.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_participant_link.apply(args=(link.pk,)).get() is False
    assert len(mail.outbox) == 1 and services.link_for_token(emailed) == link


def test_a_link_waiting_for_its_worker_opens_nothing(client, adult, lead, form_en):
    link, _token = link_for(adult, by=lead, delivery=ParticipantLink.Delivery.EMAIL)
    placeholder = ParticipantLink.objects.get(pk=link.pk).token_hash
    assert placeholder.startswith(ParticipantLink.PENDING_PREFIX)
    guess = services._signer.sign(placeholder)
    assert client.get(url("participant_link", guess)).status_code == 404


def test_an_adult_consents_electronically(client, adult, form_en, bystander):
    link, token = link_for(adult)
    page = client.get(url("participant_link", token))
    assert page.status_code == 200
    text = page.content.decode()
    assert form_en.statement.why in text and form_en.title in text
    assert "Zed Bystander" not in text and "Alma Reyes" not in text
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert 'rel="icon"' in text  # no /favicon.ico 404 on a participant's phone

    response = client.post(
        url("participant_consent", token),
        {"kind": "consent", "consent-agree": "on", "consent-may_quote": "on", "consent-attribution": "role"},
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(participant=adult)
    assert (record.method, record.link, record.form, record.may_quote, record.attribution) == (
        "electronic",
        link,
        form_en,
        True,
        "role",
    )
    assert record.recorded_by is None
    assert has_current_consent(adult)
    adult.refresh_from_db()
    assert adult.status == Participant.Status.CONSENTED
    after = client.get(response.url)
    assert "your consent is recorded" in after.content.decode()


def test_not_ticking_agree_records_nothing(client, adult, form_en):
    _link, token = link_for(adult)
    response = client.post(url("participant_consent", token), {"kind": "consent"})
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_a_minor_needs_guardian_and_assent_in_spanish(client, minor, form_en, form_es):
    _guardian_link, guardian_token = link_for(minor, recipient="guardian")
    _student_link, student_token = link_for(minor, recipient="participant")
    page = client.get(url("participant_link", guardian_token))
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert page["Content-Language"] == "es"
    assert form_es.statement.why in html and form_en.statement.why not in html
    # The guardian's link offers the guardian's consent, not the student's assent.
    assert 'value="guardian"' in html and 'value="assent"' not in html
    # The page around the statement speaks Spanish too.
    assert "Para la madre, el padre o el tutor" in html and "Sí, estoy de acuerdo" in html

    client.post(
        url("participant_consent", guardian_token),
        {
            "kind": "guardian",
            "lang": "es",
            "guardian-agree": "on",
            "guardian-guardian_name": "Rosa Cruz",
            "guardian-attribution": "none",
        },
    )
    assert not has_current_consent(minor)
    html = client.get(url("participant_link", guardian_token)).content.decode()
    assert 'value="guardian"' not in html and 'value="assent"' not in html

    html = client.get(url("participant_link", student_token)).content.decode()
    assert 'value="guardian"' not in html and 'value="assent"' in html
    client.post(
        url("participant_consent", student_token),
        {"kind": "assent", "lang": "es", "assent-agree": "on", "assent-attribution": "none"},
    )
    assert has_current_consent(minor)
    records = ConsentRecord.objects.filter(participant=minor)
    assert {(r.kind, r.given_by, r.form_id) for r in records} == {
        ("guardian", "guardian", form_es.pk),
        ("assent", "participant", form_es.pk),
    }
    # The English version is one tap away.
    assert form_en.statement.why in client.get(url("participant_link", student_token, lang="en")).content.decode()


def test_a_students_own_link_cannot_give_the_guardians_consent(client, minor, form_en):
    _link, token = link_for(minor, recipient="participant")
    html = client.get(url("participant_link", token)).content.decode()
    assert 'value="guardian"' not in html and 'value="assent"' in html
    assert "Your parent or guardian gives their consent with their own link." in html
    response = client.post(
        url("participant_consent", token),
        {
            "kind": "guardian",
            "guardian-agree": "on",
            "guardian-guardian_name": "Anyone At All",
            "guardian-attribution": "none",
        },
    )
    assert response.status_code == 302
    assert not ConsentRecord.objects.filter(kind="guardian").exists()


def test_a_guardians_link_cannot_give_the_students_assent(client, minor, form_en):
    _link, token = link_for(minor, recipient="guardian")
    client.post(
        url("participant_consent", token), {"kind": "assent", "assent-agree": "on", "assent-attribution": "none"}
    )
    assert not ConsentRecord.objects.filter(kind="assent").exists()


def test_a_guardian_must_give_their_name(client, minor, form_en):
    _link, token = link_for(minor, recipient="guardian")
    response = client.post(
        url("participant_consent", token), {"kind": "guardian", "guardian-agree": "on", "guardian-attribution": "none"}
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_who_withdraws_is_whom_the_link_is_for(client, minor, form_en):
    _link, token = link_for(minor, recipient="guardian")
    client.post(url("participant_withdraw", token), {"given_by": "participant", "confirm": "on"})
    assert ConsentRecord.objects.get(participant=minor, kind="withdrawal").given_by == "guardian"


def test_what_we_hold_shows_their_own_data_only(client, adult, form_en, bystander):
    _link, token = link_for(adult)
    html = client.get(url("participant_data", token)).content.decode()
    assert "Alma Reyes" in html and "alma@example.net" in html and adult.code in html
    assert "Zed Bystander" not in html and "zed@example.net" not in html and bystander.code not in html


def test_withdrawing_through_the_link(client, adult, form_en):
    link, token = link_for(adult)
    services.consent_record(participant=adult, kind="consent", form=form_en, method="written")
    confirm = client.get(url("participant_withdraw", token))
    assert confirm.status_code == 200
    response = client.post(url("participant_withdraw", token), {"given_by": "participant", "confirm": "on"})
    assert response.status_code == 302
    withdrawal = ConsentRecord.objects.get(participant=adult, kind="withdrawal")
    assert withdrawal.link == link and withdrawal.method == "electronic"
    adult.refresh_from_db()
    assert adult.status == Participant.Status.WITHDRAWN
    assert "You withdrew" in client.get(url("participant_link", token)).content.decode()
    # A withdrawn participant cannot consent again through the link.
    client.post(url("participant_consent", token), {"kind": "consent", "consent-agree": "on"})
    assert ConsentRecord.objects.filter(participant=adult, kind="consent").count() == 1


def _assert_plain(response, status, *secrets):
    assert response.status_code == status
    html = response.content.decode()
    assert "This link cannot be used" in html
    for secret in secrets:
        assert secret not in html


def test_a_tampered_token_is_a_plain_404(client, adult, form_en, django_assert_num_queries):
    _link, token = link_for(adult)
    secret, signature = token.rsplit(":", 1)
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B") + ":" + signature
    # Refused on the signature, before any database query.
    with django_assert_num_queries(0):
        response = client.get(url("participant_link", tampered))
    _assert_plain(response, 404, "Alma", adult.code, form_en.statement.why)
    _assert_plain(client.get(url("participant_data", token + "x")), 404, "Alma", adult.code)
    _assert_plain(client.get(url("participant_link", "garbage")), 404, "Alma")


def test_a_validly_signed_unknown_secret_is_a_404(client, adult):
    token = services._signer.sign("not-a-stored-secret")
    _assert_plain(client.get(url("participant_link", token)), 404, "Alma")


def test_an_expired_link_is_gone(client, adult, form_en):
    link, token = link_for(adult)
    ParticipantLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _assert_plain(client.get(url("participant_link", token)), 410, "Alma", adult.code)
    _assert_plain(client.post(url("participant_withdraw", token), {"confirm": "on"}), 410, "Alma")
    assert not ConsentRecord.objects.exists()


def test_a_revoked_or_replaced_link_is_gone(client, client_for, lead, adult, form_en):
    first, first_token = link_for(adult)
    second, second_token = link_for(adult)
    _assert_plain(client.get(url("participant_link", first_token)), 410, "Alma")
    assert client.get(url("participant_link", second_token)).status_code == 200
    response = client_for(lead).post(reverse("consent:link_revoke", args=[adult.campaign.slug, adult.code, second.pk]))
    assert response.status_code == 302
    _assert_plain(client.get(url("participant_link", second_token)), 410, "Alma")


def test_links_are_rate_limited_per_ip_and_link(client, adult, form_en, settings):
    settings.CONSENT_LINK_RATE = "3/60"
    _link, token = link_for(adult)
    statuses = [client.get(url("participant_link", token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Guessing other tokens from the same address is limited too (per-IP budget 10× the link's).
    guesses = [client.get(url("participant_link", f"guess{i}")).status_code for i in range(30)]
    assert guesses.count(429) > 0


def test_the_link_budget_is_the_links_whatever_the_address(client, adult, form_en, settings):
    settings.CONSENT_LINK_RATE = "3/60"
    _link, token = link_for(adult)
    statuses = [client.get(url("participant_link", token), REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_behind_the_load_balancer_each_participant_has_their_own_budget(client, adult, minor, form_en, settings):
    """Every request reaches the app from the load balancer's address; the client is in X-Forwarded-For."""
    settings.CONSENT_LINK_RATE = "2/60"  # 20 per client over all links
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = {"REMOTE_ADDR": "10.0.0.5"}
    # One client guesses tokens until its budget is spent…
    guesses = [
        client.get(url("participant_link", f"guess{i}"), HTTP_X_FORWARDED_FOR="203.0.113.9", **balancer).status_code
        for i in range(25)
    ]
    assert guesses[-1] == 429
    # …a forged left-most entry does not get it a fresh budget…
    forged = client.get(
        url("participant_link", "guess-forged"), HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.9", **balancer
    )
    assert forged.status_code == 429
    # …and another participant behind the same balancer still opens their link.
    _link, token = link_for(adult)
    ok = client.get(url("participant_link", token), HTTP_X_FORWARDED_FOR="198.51.100.20", **balancer)
    assert ok.status_code == 200


def test_a_purged_participant_gets_no_link(lead, adult, form_en):
    from django.core.exceptions import ValidationError

    _link, token = link_for(adult)
    services.participant_withdraw(participant=adult)
    services.participant_purge(participant=adult, by=lead)
    with pytest.raises(ValidationError):
        link_for(adult)


def test_the_emailed_link_speaks_the_participants_language(minor, form_en, form_es, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        link_for(minor, delivery=ParticipantLink.Delivery.EMAIL)
    assert mail.outbox[0].subject.startswith("Su entrevista con el distrito escolar")
    assert "El enlace es personal" in mail.outbox[0].body


def test_other_apps_add_to_what_we_hold(client, adult, form_en):
    from consent import hooks

    def interviews_held(participant):
        return [("Interviews", f"1 interview for {participant.code}")]

    hooks.register_held_data(interviews_held)
    try:
        _link, token = link_for(adult)
        html = client.get(url("participant_data", token)).content.decode()
    finally:
        hooks._held_data_sections.remove(interviews_held)
    assert "1 interview for P-001" in html


@pytest.mark.parametrize(
    "template",
    [
        "consent/emails/participant_link_subject.txt",
        "consent/emails/participant_link.txt",
        "consent/emails/retention_warning_subject.txt",
        "consent/emails/retention_warning.txt",
    ],
)
def test_plain_text_emails_are_not_html_escaped(template):
    from django.template.loader import render_to_string

    context = {
        "campaign": {"title": "Attendance & <Absence>"},
        "url": "https://example.org/p/a?b=1&c=2",
        "retain_until": timezone.localdate(),
        "expires_at": timezone.now(),
    }
    text = render_to_string(template, context)
    assert "&amp;" not in text and "&lt;" not in text
    assert "Attendance & <Absence>" in text

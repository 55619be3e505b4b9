"""Journey: a guardian and a student open their printed link on a phone, in Spanish, read the
statement, consent and assent, check what is held, then withdraw — with axe on every page. The
lead's consent page follows the change."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent import services
from consent.factories import ConsentFormFactory, TransparencyStatementFactory
from consent.selectors import has_current_consent
from participants.factories import ParticipantFactory
from participants.models import Participant

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_family_consents_on_a_phone_in_spanish_then_withdraws(chromium, live_server, page):
    campaign = CampaignFactory(title="Asistencia", slug="absence")
    lead = UserFactory(email="lena@example.org")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    statement = TransparencyStatementFactory(campaign=campaign, language="es", why="Para escuchar a las familias.")
    ConsentFormFactory(campaign=campaign, language="es", statement=statement, title="Participar en una entrevista")
    ConsentFormFactory(campaign=campaign, language="en")
    student = ParticipantFactory(
        campaign=campaign,
        full_name="Mateo Cruz",
        is_minor=True,
        role="student",
        preferred_language="es",
        status=Participant.Status.INVITED,
    )
    ParticipantFactory(campaign=campaign, full_name="Otra Persona")
    # The guardian and the student each get their own link: the student's cannot give the guardian's consent.
    _link, guardian_token = services.link_create(participant=student, delivery="print", recipient="guardian", by=lead)
    _link, token = services.link_create(participant=student, delivery="print", recipient="participant", by=lead)

    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        p = phone.new_page()
        p.goto(f"/p/{guardian_token}/")
        expect(p.get_by_role("heading", name="Participar en una entrevista")).to_be_visible()
        expect(p.get_by_text("Para escuchar a las familias.")).to_be_visible()
        assert p.locator("html").get_attribute("lang") == "es"
        # Nothing is wider than the phone.
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(p)

        guardian = p.locator("section", has=p.get_by_role("heading", name="Para la madre, el padre o el tutor"))
        guardian.get_by_label("Su nombre (madre, padre o tutor)").fill("Rosa Cruz")
        guardian.get_by_label("Soy la madre, el padre o el tutor").check()
        guardian.get_by_role("button", name="Sí, estoy de acuerdo").click()
        expect(p.get_by_text("Gracias. Su respuesta quedó registrada.")).to_be_visible()
        assert not has_current_consent(student)
        expect(p.get_by_role("heading", name="Para el estudiante")).to_have_count(0)

        # The student opens their own link: assent only.
        p.goto(f"/p/{token}/")
        expect(p.get_by_role("heading", name="Para la madre, el padre o el tutor")).to_have_count(0)
        assent = p.locator("section", has=p.get_by_role("heading", name="Para el estudiante"))
        assent.get_by_label("Entiendo y quiero participar").check()
        assent.get_by_role("button", name="Sí, estoy de acuerdo").click()
        expect(p.get_by_text("su consentimiento quedó registrado")).to_be_visible()
        assert has_current_consent(student)

        p.get_by_role("link", name="Lo que guardamos").click()
        expect(p.get_by_text("Mateo Cruz")).to_be_visible()
        assert "Otra Persona" not in p.content()
        assert_accessible(p)

        p.get_by_role("link", name="Retirarme").click()
        p.get_by_label("Sí, retirarme.").check()
        assert_accessible(p)
        p.get_by_role("button", name="Retirarme").click()
        expect(p.get_by_text("Se ha retirado.")).to_be_visible()
    finally:
        phone.close()

    student.refresh_from_db()
    assert student.status == Participant.Status.WITHDRAWN

    sign_in(page, "lena@example.org")
    page.goto("/c/absence/consent/?state=withdrawn")
    expect(page.get_by_role("link", name=student.code)).to_be_visible()
    assert_accessible(page)

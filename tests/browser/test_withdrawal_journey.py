"""Journey 5: a guardian opens a signed link in Spanish and consents; the student is interviewed
and their words reach a theme; later the guardian withdraws with the same link, and the lead sees
the words gone — off the board and the theme page, out of search — with axe on every page."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent import services
from consent.factories import ConsentFormFactory, ConsentRecordFactory, TransparencyStatementFactory
from consent.models import ConsentRecord
from consent.selectors import has_current_consent
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory
from participants.models import Participant
from synthesis.factories import HighlightFactory, ThemeFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = "The bus never came, so I walked two miles."


def test_a_guardian_consents_in_spanish_then_withdraws_and_the_words_are_gone(chromium, live_server, page):
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
    _link, token = services.link_create(participant=student, delivery="print", recipient="guardian", by=lead)

    guardian_context = chromium.new_context(base_url=live_server.url, locale="es-ES")
    try:
        g = guardian_context.new_page()
        g.goto(f"/p/{token}/")
        expect(g.get_by_role("heading", name="Participar en una entrevista")).to_be_visible()
        assert g.locator("html").get_attribute("lang") == "es"
        assert_accessible(g)
        section = g.locator("section", has=g.get_by_role("heading", name="Para la madre, el padre o el tutor"))
        section.get_by_label("Su nombre (madre, padre o tutor)").fill("Rosa Cruz")
        section.get_by_label("Soy la madre, el padre o el tutor").check()
        section.get_by_role("button", name="Sí, estoy de acuerdo").click()
        expect(g.get_by_text("Gracias. Su respuesta quedó registrada.")).to_be_visible()
        assert_accessible(g)
        assert ConsentRecord.objects.filter(participant=student, kind=ConsentRecord.Kind.GUARDIAN).exists()

        # The student assents at the interview; their words are noted, highlighted and themed.
        ConsentRecordFactory(participant=student, kind=ConsentRecord.Kind.ASSENT)
        assert has_current_consent(student)
        Participant.objects.filter(pk=student.pk).update(status=Participant.Status.INTERVIEWED)
        interview = InterviewFactory(campaign=campaign, participant=student, interviewer=lead)
        theme = ThemeFactory(campaign=campaign, title="Getting there")
        highlight = HighlightFactory(note=NoteFactory(interview=interview, body=WORDS), theme=theme, end=18)
        other = ParticipantFactory(campaign=campaign, role="family", status="interviewed")
        ConsentRecordFactory(participant=other)
        other_interview = InterviewFactory(campaign=campaign, participant=other, interviewer=lead)
        HighlightFactory(note=NoteFactory(interview=other_interview, body="Our bus stop moved again."), theme=theme)

        sign_in(page, "lena@example.org")
        page.goto(f"/c/absence/themes/{theme.pk}/")
        expect(page.get_by_text(highlight.quote).first).to_be_visible()
        assert_accessible(page)
        page.goto("/c/absence/search/?q=bus")
        expect(page.get_by_text("2 notes found")).to_be_visible()
        assert_accessible(page)

        # Later the guardian withdraws with the same link.
        g.goto(f"/p/{token}/")
        g.get_by_role("link", name="Retirarme").click()
        g.get_by_label("Sí, retirarme.").check()
        assert_accessible(g)
        g.get_by_role("button", name="Retirarme").click()
        expect(g.get_by_text("Se ha retirado.")).to_be_visible()
        assert_accessible(g)
    finally:
        guardian_context.close()

    student.refresh_from_db()
    assert student.status == Participant.Status.WITHDRAWN

    # The lead: the words are gone from the theme page, the board and search.
    page.goto(f"/c/absence/themes/{theme.pk}/")
    expect(page.get_by_text("Our bus stop moved again.").first).to_be_visible()
    assert WORDS[:18] not in page.content()
    assert_accessible(page)
    page.goto("/c/absence/synthesis/")
    expect(page.get_by_role("heading", name="Synthesis board")).to_be_visible()
    assert WORDS[:18] not in page.content()
    expect(page.locator(f"#card-{highlight.pk}")).to_have_count(0)
    assert_accessible(page)
    page.goto("/c/absence/search/?q=bus")
    expect(page.get_by_text("1 note found")).to_be_visible()
    assert "walked two miles" not in page.content()
    assert student.code not in page.locator("main").inner_text()
    assert_accessible(page)

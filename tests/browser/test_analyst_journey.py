"""Journey 3: an analyst highlights words in a note, tags them, builds a theme on the board with
the keyboard "Move to theme" alternative, writes a why-chain step citing the highlight and
searches — with axe on every page, and no participant's name or email on any page they see."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory
from participants.models import Participant
from synthesis.models import Highlight, Theme

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _no_identity(page, campaign):
    """No participant of the campaign is named, nor their email shown, anywhere on the page."""
    html = page.content()
    for name, email in Participant.objects.filter(campaign=campaign).values_list("full_name", "email"):
        assert name not in html, f"{name!r} shown on {page.url}"
        for part in name.split():
            assert part not in html, f"{part!r} (from {name!r}) shown on {page.url}"
        if email:
            assert email not in html, f"{email!r} shown on {page.url}"


def _visit(page, campaign):
    # Let CSS transitions end first (a just-focused button fades its colours in over 0.15 s).
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    assert_accessible(page)
    _no_identity(page, campaign)


def test_analyst_highlights_tags_themes_asks_why_and_searches_without_seeing_names(page):
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    analyst = UserFactory(email="ana@example.org", full_name="Ana Analyst")
    MembershipFactory(campaign=campaign, user=analyst, role=Role.ANALYST)
    interviewer = UserFactory(email="ivan@example.org")
    MembershipFactory(campaign=campaign, user=interviewer, role=Role.INTERVIEWER)
    people = [
        ParticipantFactory(
            campaign=campaign,
            full_name="Rosalind Quintero",
            email="rosalind.quintero@example.net",
            role="student",
            status="interviewed",
        ),
        ParticipantFactory(
            campaign=campaign,
            full_name="Bartholomew Nakamura",
            email="bart.nakamura@example.net",
            role="family",
            status="interviewed",
        ),
    ]
    notes = []
    for person, body in zip(
        people,
        ["Waited forty minutes. The bus never came to our stop.", "The letter said court. My mom cried all night."],
        strict=True,
    ):
        ConsentRecordFactory(participant=person)
        interview = InterviewFactory(campaign=campaign, participant=person, interviewer=interviewer)
        notes.append(NoteFactory(interview=interview, body=body))
    note = notes[0]
    # A participant who never reached an interview is still a name the analyst must not see.
    ParticipantFactory(campaign=campaign, full_name="Zebulon Okonkwo", email="zeb.okonkwo@example.net")

    sign_in(page, "ana@example.org")
    page.goto("/c/absence/")
    _visit(page, campaign)

    # Highlight and tag: select words with Shift+arrows in the note copy, tag them, save.
    page.goto("/c/absence/synthesis/notes/")
    expect(page.locator(f"#note-{note.pk}")).to_be_visible()
    _visit(page, campaign)
    article = page.locator(f"#note-{note.pk}")
    article.get_by_text("Highlight", exact=True).click()
    article.get_by_label("Note text (select words with Shift+arrow keys)").focus()
    page.keyboard.press("Control+Home")
    for _ in range(22):
        page.keyboard.press("ArrowRight")
    for _ in range(len("The bus never came")):
        page.keyboard.press("Shift+ArrowRight")
    expect(article.get_by_label("Words to highlight")).to_have_value("The bus never came")
    article.get_by_label("Tags (comma-separated; new ones are created)").fill("transportation")
    article.get_by_role("button", name="Save highlight").click()
    expect(page.locator(f"#note-{note.pk} mark")).to_have_text("The bus never came")
    highlight = Highlight.objects.get(note=note)
    assert highlight.quote == "The bus never came"
    assert list(highlight.tags.values_list("name", flat=True)) == ["transportation"]
    _visit(page, campaign)

    # The board: name a theme, then put the card on it with the keyboard "Move to theme…" list.
    page.goto("/c/absence/synthesis/")
    expect(page.get_by_role("heading", name="Synthesis board")).to_be_visible()
    _visit(page, campaign)
    new_theme = page.locator(".syn-new-theme")
    new_theme.get_by_label("Title").fill("Getting there")
    new_theme.get_by_label("Statement").fill("The bus does not get students to school.")
    new_theme.get_by_role("button", name="Add theme").click()
    theme = Theme.objects.get(campaign=campaign, title="Getting there")
    page.goto("/c/absence/synthesis/?theme=")
    page.get_by_role("link", name=f"Move to theme… {highlight.participant.code}").focus()
    page.keyboard.press("Enter")
    select = page.get_by_label(f"Move {highlight.participant.code}’s card to theme")
    expect(select).to_be_focused()
    select.select_option(label="Getting there")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#theme-head-{theme.pk}")).to_contain_text("1 card")
    highlight.refresh_from_db()
    assert highlight.theme_id == theme.pk
    _visit(page, campaign)

    page.goto(f"/c/absence/themes/{theme.pk}/")
    expect(page.get_by_text("The bus never came")).to_be_visible()
    _visit(page, campaign)

    # A why-chain step citing the highlight.
    page.goto(f"/c/absence/root-causes/?theme={theme.pk}")
    _visit(page, campaign)
    page.get_by_label("Why? Because…").fill("Routes were cut, so the bus skips the far stops.")
    page.get_by_label(f"{highlight.participant.code}: “The bus never came”").check()
    page.get_by_role("button", name="Add step").click()
    expect(page.get_by_text("Why-step added.")).to_be_visible()
    chain = page.locator("ol.why-chain")
    expect(chain).to_contain_text("Routes were cut, so the bus skips the far stops.")
    expect(chain).to_contain_text(f"“The bus never came” — {highlight.participant.code}")
    step = theme.why_steps.get()
    assert list(step.evidence.all()) == [highlight]
    _visit(page, campaign)

    # Search: the note and the highlight are found, by code only.
    page.goto("/c/absence/search/")
    _visit(page, campaign)
    page.get_by_label("Words").fill("bus")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 note found")).to_be_visible()
    expect(page.get_by_role("heading", name="Highlights and memos")).to_be_visible()
    expect(page.get_by_role("link", name=f"Open the highlight {highlight.participant.code}")).to_be_visible()
    _visit(page, campaign)

    # Another search finds the family's note, again by code only.
    page.get_by_label("Words").fill("court")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 note found")).to_be_visible()
    _visit(page, campaign)

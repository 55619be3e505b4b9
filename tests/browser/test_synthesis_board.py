"""Journey: an analyst highlights words with the keyboard, then sorts cards onto themes on the
board — by drag and drop and by the keyboard "Move" list — with axe on the pages."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory
from synthesis.factories import HighlightFactory, ThemeFactory
from synthesis.models import Highlight

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _note(campaign, interviewer, body, role):
    participant = ParticipantFactory(campaign=campaign, role=role, status="interviewed")
    ConsentRecordFactory(participant=participant)
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=interviewer)
    return NoteFactory(interview=interview, body=body)


def test_analyst_highlights_and_sorts_cards_by_mouse_and_keyboard(page):
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    analyst = UserFactory(email="ana@example.org", full_name="Ana Analyst")
    MembershipFactory(campaign=campaign, user=analyst, role=Role.ANALYST)
    letters = ThemeFactory(campaign=campaign, title="Letters frighten")
    buses = ThemeFactory(campaign=campaign, title="Getting there")
    note = _note(campaign, analyst, "Waited forty minutes. The bus never came to our stop.", "student")
    dragged = HighlightFactory(note=_note(campaign, analyst, "The letter said court. My mom cried.", "family"))

    sign_in(page, "ana@example.org")

    # Highlight with the keyboard: select words in the note copy with Shift+arrows, then save.
    page.goto("/c/absence/synthesis/notes/")
    assert_accessible(page)
    article = page.locator(f"#note-{note.pk}")
    article.get_by_text("Highlight", exact=True).click()
    source = article.get_by_label("Note text (select words with Shift+arrow keys)")
    source.focus()
    page.keyboard.press("Control+Home")
    for _ in range(22):
        page.keyboard.press("ArrowRight")
    for _ in range(len("The bus never came")):
        page.keyboard.press("Shift+ArrowRight")
    expect(article.get_by_label("Words to highlight")).to_have_value("The bus never came")
    article.get_by_label("Tags (comma-separated; new ones are created)").fill("transportation")
    article.get_by_role("button", name="Save highlight").click()
    expect(page.locator(f"#note-{note.pk} mark")).to_have_text("The bus never came")
    typed = Highlight.objects.get(note=note)
    assert (typed.start, typed.end) == (22, 40) and note.body[22:40] == typed.quote

    # The mouse way: a selection in the displayed note (after the new <mark>) gives body offsets.
    text = page.locator(f"#note-{note.pk} [data-note-text]")
    text.evaluate(
        """el => {
            const node = el.lastChild;  // the text after the mark: " to our stop."
            const range = document.createRange();
            range.setStart(node, 4); range.setEnd(node, 12);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
            el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    form = page.locator(f"#hl-form-{note.pk}")
    expect(form.get_by_label("Words to highlight")).to_have_value("our stop")
    assert form.locator("[name=start_utf16]").input_value() == str(note.body.index("our stop"))

    # The board: both cards in the pool.
    page.goto("/c/absence/synthesis/?theme=")
    expect(page.get_by_role("heading", name="Synthesis board")).to_be_visible()
    assert_accessible(page)

    # Drag and drop the letter card onto its theme: one request, headers updated in place.
    page.locator(f"#card-{dragged.pk}").drag_to(page.locator(f'.syn-theme[data-theme-id="{letters.pk}"]'))
    expect(page.locator(f"#theme-head-{letters.pk}")).to_contain_text("1 card")
    expect(page.locator(f"#card-{dragged.pk}")).to_contain_text("On: Letters frighten")
    dragged.refresh_from_db()
    assert dragged.theme_id == letters.pk

    # The keyboard way: "Move to theme…" brings the card's list, focused; choose, Tab, Enter.
    page.get_by_role("link", name=f"Move to theme… {typed.participant.code}").focus()
    page.keyboard.press("Enter")
    select = page.get_by_label(f"Move {typed.participant.code}’s card to theme")
    expect(select).to_be_focused()
    select.select_option(label="Getting there")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#theme-head-{buses.pk}")).to_contain_text("1 card")
    typed.refresh_from_db()
    assert typed.theme_id == buses.pk

    # Dragging a card back to the pool takes it off its theme.
    page.locator(f"#card-{dragged.pk}").drag_to(page.locator(".syn-pool"))
    expect(page.locator(f"#theme-head-{letters.pk}")).to_contain_text("0 cards")
    dragged.refresh_from_db()
    assert dragged.theme_id is None

    # The theme page shows whose voices.
    page.goto(f"/c/absence/themes/{buses.pk}/")
    expect(page.get_by_text("Rests on one person")).to_be_visible()
    assert_accessible(page)


def test_selections_after_emoji_and_at_a_mark_are_saved_as_the_words_selected(page):
    """The browser counts UTF-16 units (an emoji is two) and the server code points; a selection
    may also start or end on an element (an earlier highlight's <mark>), not a text node."""
    campaign = CampaignFactory(title="C", slug="c1")
    analyst = UserFactory(email="ana@example.org")
    MembershipFactory(campaign=campaign, user=analyst, role=Role.ANALYST)
    body = "🙂🙂🙂 I said no, no, no"
    note = _note(campaign, analyst, body, "student")
    sign_in(page, "ana@example.org")
    page.goto("/c/c1/synthesis/notes/")
    text = page.locator(f"#note-{note.pk} [data-note-text]")
    text.evaluate(
        """el => {
            const node = el.firstChild; const i = node.nodeValue.indexOf("no");
            const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 2);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
            el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    form = page.locator(f"#hl-form-{note.pk}")
    expect(form.get_by_label("Words to highlight")).to_have_value("no")
    form.get_by_role("button", name="Save highlight").click()
    expect(page.locator(f"#note-{note.pk} mark")).to_have_text("no")
    first = Highlight.objects.get()
    assert (first.start, first.end, first.quote) == (body.index("no"), body.index("no") + 2, "no")

    # From the start of the <mark> (the element itself is the boundary) into the text after it.
    text.evaluate(
        """el => {
            const mark = el.querySelector("mark");
            const range = document.createRange(); range.setStart(mark, 0); range.setEnd(mark.nextSibling, 4);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
            el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    expect(form.get_by_label("Words to highlight")).to_have_value("no, no")
    form.get_by_role("button", name="Save highlight").click()
    expect(page.get_by_text("Highlight saved.")).to_be_visible()
    second = Highlight.objects.exclude(pk=first.pk).get()
    start = body.index("no")
    assert (second.start, second.end, second.quote) == (start, start + 6, "no, no")

"""Reflow (WCAG 1.4.10) and visible focus (2.4.7) on the main pages: at 320 CSS px wide and at
200% zoom (a 1280×900 window zoomed to 200% is 640×450 CSS px, drawn at device scale factor 2)
nothing scrolls sideways, and a link focused from the keyboard shows its focus outline."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from interviews.factories import InterviewFactory, InterviewGuideFactory, NoteFactory, PromptFactory
from interviews.models import Prompt
from participants.factories import DimensionValueFactory, EquityDimensionFactory, ParticipantFactory
from synthesis.factories import HighlightFactory, TagFactory, ThemeFactory

from .conftest import ARTIFACTS, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["overview", "participants", "coverage", "guide", "note-taking", "board", "theme", "exports"]

# The elements wider than the viewport (deepest first), to name the culprit when a page overflows.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect();
        if (!(r.width > 0 && r.right > width + 1) || getComputedStyle(el).position === "fixed") return false;
        // An absolutely positioned element escapes the clip of ancestors below its containing block.
        const start = getComputedStyle(el).position === "absolute" ? el.offsetParent : el.parentElement;
        for (let a = start; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return false;  // clipped or scrolled inside
        }
        return true;
    });
    const leaves = wide.filter(el => !wide.some(other => other !== el && el.contains(other)));
    return leaves.slice(0, 5).map(el => {
        const id = el.id ? "#" + el.id : "";
        const names = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
        const cls = names.filter(Boolean).map(n => "." + n).join("");
        return `${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`;
    });
}"""

FOCUS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName, visible: el.matches(":focus-visible"),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
        text: (el.textContent || "").trim().slice(0, 40),
    };
}"""


def _campaign():
    campaign = CampaignFactory(title="Chronic absence and the letters home", slug="absence")
    lead = UserFactory(email="lena@example.org", full_name="Lena Lead")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    dimension = EquityDimensionFactory(campaign=campaign, name="Language spoken at home")
    DimensionValueFactory(dimension=dimension, label="Spanish")
    DimensionValueFactory(dimension=dimension, label="English")
    guide = InterviewGuideFactory(campaign=campaign, title="Students who miss school often")
    PromptFactory(guide=guide, kind=Prompt.Kind.OPENING, position=0, text="Tell me about a usual morning.")
    PromptFactory(guide=guide, kind=Prompt.Kind.CORE, position=0, text="Tell me about the last time you missed school.")
    theme = ThemeFactory(campaign=campaign, title="Getting there", statement="The bus does not come.")
    tag = TagFactory(campaign=campaign, name="transportation")
    interview = None
    for n in range(3):
        person = ParticipantFactory(
            campaign=campaign,
            role="student",
            status="interviewed",
            email=f"a-rather-long-address-for-person-{n}@district-example-schools.example.net",
            school="Roosevelt Elementary and Middle School",
        )
        ConsentRecordFactory(participant=person)
        interview = InterviewFactory(campaign=campaign, participant=person, interviewer=lead, guide=guide)
        note = NoteFactory(
            interview=interview, body="The bus never came, so I waited forty minutes and then walked home."
        )
        HighlightFactory(note=note, theme=theme, tags=[tag])
    return campaign, {
        "overview": reverse("campaigns:overview", args=[campaign.slug]),
        "participants": reverse("participants:list", args=[campaign.slug]),
        "coverage": reverse("participants:coverage", args=[campaign.slug]),
        "guide": reverse("interviews:guide", args=[campaign.slug, guide.pk]),
        "note-taking": reverse("interviews:detail", args=[campaign.slug, interview.pk]),
        "board": reverse("synthesis:board", args=[campaign.slug]),
        "theme": reverse("synthesis:theme", args=[campaign.slug, theme.pk]),
        "exports": reverse("exports:list", args=[campaign.slug]),
    }


def _assert_reflows(page, what, name):
    page.wait_for_load_state("networkidle")
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if sizes[0] > sizes[1] + 1:
        culprits = page.evaluate(OVERFLOWING)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"reflow-{name}-{what}.png", full_page=True)
        pytest.fail(f"{name} at {what}: scrollWidth {sizes[0]} > clientWidth {sizes[1]}; overflowing: {culprits}")


def _assert_focus_visible(page, name):
    page.keyboard.press("Tab")  # keyboard modality: focus from here on is :focus-visible
    link = page.locator("main a[href]:visible").first
    if not link.count():
        link = page.locator("a[href]:visible").first
    link.focus()
    state = page.evaluate(FOCUS)
    assert state["tag"] == "A" and state["visible"], f"{name}: a focused link is not :focus-visible: {state}"
    assert state["outline"] or state["shadow"], f"{name}: the focused link {state['text']!r} shows no outline"


@pytest.mark.parametrize("name", PAGES)
def test_page_reflows_at_320px_and_200_percent_zoom_with_visible_focus(chromium, live_server, page, name):
    _campaign_obj, urls = _campaign()
    sign_in(page, "lena@example.org")

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(urls[name])
    expect(page.locator("main")).to_be_visible()
    _assert_reflows(page, "320px", name)
    assert_accessible(page)
    _assert_focus_visible(page, name)

    zoomed = page.context.browser.new_context(
        base_url=live_server.url,
        viewport={"width": 640, "height": 450},
        device_scale_factor=2,
        storage_state=page.context.storage_state(),
    )
    try:
        z = zoomed.new_page()
        z.goto(urls[name])
        expect(z.locator("main")).to_be_visible()
        _assert_reflows(z, "200pct", name)
        _assert_focus_visible(z, name)
    finally:
        zoomed.close()

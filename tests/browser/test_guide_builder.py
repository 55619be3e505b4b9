"""Journey: a lead builds an interview guide — the coach answers as they type, prompts are
reordered by keyboard and by drag and drop, a library pattern is filled in — with axe on the
pages, then prints it."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from interviews import services
from interviews.models import Prompt

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def core_texts(guide):
    return list(guide.prompts.filter(kind=Prompt.Kind.CORE).order_by("position").values_list("text", flat=True))


def test_lead_builds_a_guide_with_the_coach(page):
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    lead = UserFactory(email="lena@example.org", full_name="Lena Ortiz")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    guide = services.guide_create(campaign=campaign, title="Students", by=lead)
    for text in ("Tell me about the last time you missed school.", "Who do you turn to when you are late?"):
        services.prompt_add(guide=guide, kind=Prompt.Kind.CORE, text=text)
    services.pattern_create(campaign=campaign, text="Tell me about the last time that you {topic}.", kind="core")

    sign_in(page, "lena@example.org")
    page.goto(f"/c/absence/guides/{guide.pk}/")
    expect(page.get_by_role("heading", name="Students")).to_be_visible()
    assert_accessible(page)

    # The coach answers as the lead types, without a page load.
    prompt_box = page.get_by_label("Prompt*")
    prompt_box.press_sequentially("Do you like school?", delay=20)
    coach = page.locator("#coach-add")
    expect(coach.get_by_text("Yes/no question")).to_be_visible()
    expect(coach.get_by_text("Tell me about the last time that you…").first).to_be_visible()
    prompt_box.fill("")
    prompt_box.press_sequentially("What is it like for you at school?", delay=10)
    expect(coach.get_by_text("Reads well")).to_be_visible()
    # Warnings never block saving.
    prompt_box.fill("Do you like school?")
    page.get_by_role("button", name="Add prompt").click()
    expect(page.locator("#prompt-groups .prompt-text", has_text="Do you like school?")).to_be_visible()
    expect(page.locator("#prompt-groups [data-code=yes_no]")).to_have_count(1)

    # Keyboard: move the new prompt up with its button; focus stays with it.
    up = page.get_by_role("button", name="Move up: Do you like school?")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reorder-status")).to_have_text("Moved to Core, position 2.")
    expect(page.get_by_role("button", name="Move up: Do you like school?")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#reorder-status")).to_have_text("Moved to Core, position 1.")
    assert core_texts(guide)[0] == "Do you like school?"

    # Drag and drop: the first core prompt goes below the last one.
    first = page.locator("#prompt-groups li[data-prompt-id]", has_text="Do you like school?")
    last = page.locator("#prompt-groups li[data-prompt-id]", has_text="Who do you turn to")
    first.drag_to(last, target_position={"x": 20, "y": 40})
    expect(page.locator("#reorder-status")).to_have_text("New order saved.")
    assert core_texts(guide)[-1] == "Do you like school?"

    # The library fills the add form with the topic.
    page.get_by_label("Pattern*").select_option(label="Tell me about the last time that you …")
    page.get_by_label("Topic*").fill("got a letter about absences")
    page.get_by_role("button", name="Fill in the prompt").click()
    expect(page.get_by_label("Prompt*")).to_have_value(
        "Tell me about the last time that you got a letter about absences."
    )
    expect(page.get_by_label("Prompt*")).to_be_focused()

    page.get_by_role("link", name="Print version").click()
    expect(page.get_by_role("heading", name="Students")).to_be_visible()
    expect(page.locator("nav")).to_have_count(0)
    assert_accessible(page)

"""Journey 1 (issue #10): a lead signs in, creates a campaign, sets an equity dimension and its
population shares, imports participants by uploading a CSV file through the page, writes a guide
and sees the prompt coach warn on a weak prompt, and sets the consent form — with axe on every
page visited, checking what the lead sees at each step and what was stored."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import UserFactory
from campaigns.models import Campaign
from consent.models import ConsentForm, TransparencyStatement
from interviews.models import InterviewGuide, Prompt
from participants.models import EquityDimension, Participant

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "full_name,email,role,preferred_language,is_minor,home_lang\n"
    "Marisol Vega,marisol@example.net,family,es,no,Spanish\n"
    "Tomas Reyes,,student,es,yes,Spanish\n"
    "Dana Whitfield,dana@example.net,family,en,no,English\n"
)


def _visit(page):
    assert_accessible(page)


def test_lead_sets_up_a_campaign_from_sign_in_to_consent_form(page):
    UserFactory(email="lena@example.org", full_name="Lena Ortiz")

    # Sign in: the dashboard greets the lead with their (empty) list of campaigns.
    page.goto("/accounts/login/")
    _visit(page)
    sign_in(page, "lena@example.org")
    expect(page.get_by_role("heading", name="My campaigns")).to_be_visible()
    _visit(page)

    # Create the campaign.
    page.get_by_role("link", name="Start a campaign").click()
    _visit(page)
    page.get_by_label("Title").fill("Chronic absence")
    page.get_by_label("Policy context").fill("Letters home after ten absences.")
    page.get_by_label("First issue statement").fill("Students who miss school are pushed away.")
    page.get_by_label("Goals").fill("Hear 40 students")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Chronic absence")).to_be_visible()
    _visit(page)
    campaign = Campaign.objects.get()
    assert campaign.memberships.get().user.email == "lena@example.org"
    slug = campaign.slug

    # Dimensions and shares: Participants → "Dimensions and shares" → "Add a dimension".
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Participants").click()
    expect(page.get_by_role("heading", name="Participants")).to_be_visible()
    _visit(page)
    page.get_by_role("link", name="Dimensions and shares").click()
    expect(page.get_by_role("heading", name="Equity dimensions and population shares")).to_be_visible()
    _visit(page)
    page.get_by_role("link", name="Add a dimension").click()
    expect(page.get_by_role("heading", name="New dimension")).to_be_visible()
    _visit(page)
    page.get_by_label("Name*", exact=True).fill("Home language")
    page.get_by_label("Column name*").fill("home_lang")
    page.locator("input[name=values-0-label]").fill("Spanish")
    page.locator("input[name=values-0-population_share]").fill("35")
    page.locator("input[name=values-0-often_marginalized]").check()
    page.locator("input[name=values-1-label]").fill("English")
    page.locator("input[name=values-1-population_share]").fill("60")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Home language saved.")).to_be_visible()
    dimension_card = page.locator("section.card", has=page.get_by_role("heading", name="Home language"))
    expect(dimension_card).to_contain_text("★ Spanish: 35%")
    expect(dimension_card).to_contain_text("English: 60%")
    expect(dimension_card).to_contain_text("CSV column: home_lang")
    _visit(page)
    dimension = EquityDimension.objects.get(campaign=campaign, key="home_lang")
    assert sorted(dimension.values.values_list("label", "population_share", "often_marginalized")) == [
        ("English", 60, False),
        ("Spanish", 35, True),
    ]

    # Import participants: upload a CSV file through the page's file input.
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="Import participants")).to_be_visible()
    expect(page.locator("aside")).to_contain_text("home_lang: Spanish, English")
    _visit(page)
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "families.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Imported 3 participants; 0 were already in the campaign.")).to_be_visible()
    expect(page.locator("#participant-table")).to_contain_text("3 participants")
    expect(page.get_by_role("link", name="P-001")).to_be_visible()
    expect(page.get_by_text("Marisol Vega")).to_be_visible()  # the lead may see names
    _visit(page)
    people = Participant.objects.filter(campaign=campaign).order_by("code")
    assert [(p.full_name, p.role, p.is_minor) for p in people] == [
        ("Marisol Vega", "family", False),
        ("Tomas Reyes", "student", True),
        ("Dana Whitfield", "family", False),
    ]
    assert [p.values.get(dimension=dimension).label for p in people] == ["Spanish", "Spanish", "English"]

    # The coverage page now compares against the shares just entered.
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Coverage").click()
    expect(page.locator("main")).to_contain_text("Home language")
    expect(page.locator("main")).to_contain_text("35%")
    _visit(page)

    # A guide: the coach warns on a weak prompt as the lead types.
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Guides").click()
    expect(page.get_by_role("heading", name="Interview guides")).to_be_visible()
    _visit(page)
    page.get_by_role("link", name="New guide").first.click()
    expect(page.get_by_role("heading", name="New guide")).to_be_visible()
    _visit(page)
    page.get_by_label("Title").fill("Families")
    page.get_by_role("button", name="Create guide").click()
    expect(page.get_by_role("heading", name="Families")).to_be_visible()
    _visit(page)
    prompt_box = page.get_by_label("Prompt*")
    prompt_box.press_sequentially("Don't you think the letters are unfair?", delay=15)
    coach = page.locator("#coach-add")
    expect(coach).to_contain_text("Leading")
    _visit(page)  # with the coach's warning shown
    prompt_box.fill("")
    prompt_box.press_sequentially("Tell me about the last time a letter came home.", delay=10)
    expect(coach.get_by_text("Reads well")).to_be_visible()
    page.get_by_role("button", name="Add prompt").click()
    expect(page.locator("#prompt-groups .prompt-text", has_text="Tell me about the last time a letter")).to_be_visible()
    _visit(page)
    guide = InterviewGuide.objects.get(campaign=campaign)
    assert list(guide.prompts.values_list("text", "kind")) == [
        ("Tell me about the last time a letter came home.", Prompt.Kind.CORE)
    ]

    # The consent form: first the transparency statement it is built on, then the form.
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Consent").click()
    expect(page.get_by_role("heading", name="Consent and transparency")).to_be_visible()
    expect(page.get_by_text("No transparency statement yet.", exact=False)).to_be_visible()
    _visit(page)
    page.get_by_role("link", name="Write the statement in English").click()
    _visit(page)
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Transparency statement saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Consent form in English")).to_be_visible()
    _visit(page)
    page.get_by_label("Title").fill("Taking part: chronic absence")
    page.get_by_role("button", name="Save form").click()
    expect(page.get_by_text("Consent form saved.")).to_be_visible()
    english = page.locator("article.consent-doc", has_text="English")
    expect(english).to_contain_text("Taking part: chronic absence")
    expect(english).to_contain_text("Form v1 · 0 agreements")
    expect(page.locator(".consent-summary")).to_contain_text("0 / 3 consented")
    _visit(page)
    assert TransparencyStatement.objects.filter(campaign=campaign, language="en").count() == 1
    form = ConsentForm.objects.get(campaign=campaign)
    assert (form.language, form.version, form.title) == ("en", 1, "Taking part: chronic absence")
    assert page.url.endswith(f"/c/{slug}/consent/")

"""Journey: a lead signs in, creates a campaign, answers the planning checklist, refines the
issue statement and invites a teammate — by keyboard where it matters, with axe on every page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from campaigns.factories import UserFactory
from campaigns.models import Campaign

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_creates_a_campaign_and_builds_the_team(page):
    UserFactory(email="lena@example.org", full_name="Lena Ortiz")
    sign_in(page, "lena@example.org")
    expect(page.get_by_role("heading", name="My campaigns")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Start a campaign").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Chronic absence")
    page.get_by_label("Policy context").fill("Letters home after ten absences.")
    page.get_by_label("First issue statement").fill("Students who miss school are pushed away.")
    page.get_by_label("Goals").fill("Hear 40 students\nRecommend changes")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("heading", name="Chronic absence")).to_be_visible()
    expect(page.get_by_text("Students who miss school are pushed away.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Edit campaign").click()
    page.get_by_label("Whose perspectives are most critical to hear?").fill("Students with many absences.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Students with many absences.")).to_be_visible()

    page.get_by_role("link", name="History and refinements").click()
    assert_accessible(page)
    page.get_by_label("New issue statement").fill("Absence letters push families away.")
    page.get_by_label("Why this change?").fill("Families told us the letters felt like threats.")
    page.get_by_role("button", name="Save new version").click()
    expect(page.get_by_text("Version 2")).to_be_visible()
    expect(page.get_by_text("Version 1")).to_be_visible()

    page.get_by_role("link", name="Team", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_label("Email")).to_have_value("not-an-email")  # kept after the error
    page.get_by_label("Email").fill("ivan@example.org")
    page.get_by_label("Role*", exact=True).select_option("interviewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ivan@example.org.")).to_be_visible()
    assert Campaign.objects.get().invitations.get().email == "ivan@example.org"
    assert re.search(r"/invitations/\S+/", mail.outbox[-1].body)


def test_the_campaign_menu_works_by_keyboard(page, campaign, lead):
    sign_in(page, lead.email)
    page.goto(campaign.get_absolute_url())
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

"""Journey in the browser: a lead filters the list (htmx), reads coverage, invites from the
ranked list with "select all", and opens a participant — with axe on every page. An analyst's
list shows no names."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from participants.models import DimensionValue, EquityDimension, Participant
from participants.services import participant_set_status, participants_create

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _campaign():
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    lead = UserFactory(email="lena@example.org", full_name="Lena Ortiz")
    analyst = UserFactory(email="ana@example.org", full_name="Ana Park")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    MembershipFactory(campaign=campaign, user=analyst, role=Role.ANALYST)
    el = EquityDimension.objects.create(campaign=campaign, name="English learner", key="el", often_marginalized=True)
    yes = DimensionValue.objects.create(dimension=el, label="Yes", population_share=18, often_marginalized=True)
    no = DimensionValue.objects.create(dimension=el, label="No", population_share=82)
    rows = [{"full_name": f"Family {i}", "email": f"f{i}@example.net", "role": "family"} for i in range(9)]
    values = [{el.pk: no}] * 6 + [{el.pk: yes}] * 3
    people = participants_create(campaign=campaign, by=lead, rows=rows, values=values)
    for p in people[:6]:
        participant_set_status(participant=p, status="interviewed", by=lead)
    return campaign, people


def test_lead_reads_coverage_and_invites_the_next_people(page):
    campaign, people = _campaign()
    sign_in(page, "lena@example.org")
    page.goto("/c/absence/participants/")
    expect(page.get_by_role("heading", name="Participants")).to_be_visible()
    assert_accessible(page)
    # Filtering swaps the table in place (htmx) and keeps the filter in the address.
    page.get_by_label("Status").select_option("interviewed")
    expect(page.locator("#participant-table")).to_contain_text("6 participants")
    assert "status=interviewed" in page.url

    page.goto("/c/absence/coverage/")
    expect(page.get_by_text("18% of the affected population, 0% of interviews (0 of 6).")).to_be_visible()
    assert_accessible(page)

    page.goto("/c/absence/participants/next/")
    assert_accessible(page)
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Invite the chosen people").click()
    expect(page.get_by_text("3 people are now invited.")).to_be_visible()
    assert Participant.objects.filter(campaign=campaign, status="invited").count() == 3

    page.goto(f"/c/absence/participants/{people[6].code}/")
    expect(page.get_by_role("heading", name=f"{people[6].code} · Family 6")).to_be_visible()
    assert_accessible(page)

    page.goto("/c/absence/participants/import/")
    assert_accessible(page)


def test_an_analyst_sees_codes_not_names(page):
    _campaign()
    sign_in(page, "ana@example.org")
    page.goto("/c/absence/participants/")
    expect(page.get_by_role("link", name="P-001")).to_be_visible()
    expect(page.get_by_text("Family 1")).to_have_count(0)
    assert_accessible(page)

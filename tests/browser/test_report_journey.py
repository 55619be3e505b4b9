"""Journey 4: a lead refines the issue statement from a theme (citing the theme's root cause),
then starts the campaign report export, waits for it and downloads the Word file, which carries
the refined statement — with axe on every page visited."""

import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory
from synthesis.factories import HighlightFactory, RootCauseFactory, ThemeFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REFINED = "Absence letters read as threats, so families stop answering the school."


def _docx_text(data):
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_lead_refines_the_statement_from_a_theme_and_downloads_the_report(page):
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    lead = UserFactory(email="lena@example.org", full_name="Lena Lead")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    theme = ThemeFactory(campaign=campaign, title="Letters frighten")
    for body in ("The letter said court. My mom cried.", "We thought they would take me away."):
        person = ParticipantFactory(campaign=campaign, role="family", status="interviewed")
        ConsentRecordFactory(participant=person)
        interview = InterviewFactory(campaign=campaign, participant=person, interviewer=lead)
        HighlightFactory(note=NoteFactory(interview=interview, body=body), theme=theme)
    cause = RootCauseFactory(theme=theme, statement="Letters are written by the court's template")

    sign_in(page, "lena@example.org")
    page.goto(f"/c/absence/themes/{theme.pk}/")
    expect(page.get_by_role("heading", name="Refine the issue statement from this theme")).to_be_visible()
    assert_accessible(page)
    refine = page.locator("section", has=page.get_by_role("heading", name="Refine the issue statement from this theme"))
    refine.get_by_label("New issue statement").fill(REFINED)
    refine.get_by_label("Why this version").fill("Families told us the letters felt like threats.")
    refine.get_by_label(f"{cause.get_category_display()}: {cause.statement}").check()
    refine.get_by_role("button", name="Save new version").click()

    expect(page.get_by_text("New issue statement version saved, linked to this theme.")).to_be_visible()
    expect(page.get_by_text(REFINED).first).to_be_visible()
    assert_accessible(page)
    latest = campaign.issue_statements.order_by("-version").first()
    assert latest.text == REFINED

    page.goto("/c/absence/exports/")
    expect(page.get_by_role("heading", name="Exports", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Campaign report — Word (DOCX)").check()
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_text("Export started: Campaign report · Word (DOCX).")).to_be_visible()
    link = page.get_by_role("link", name="Download Campaign report · Word (DOCX)")
    expect(link).to_be_visible(timeout=20_000)  # done: the download link replaces the progress bar
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    text = _docx_text(Path(download.path()).read_bytes())
    assert REFINED in text
    assert "Letters frighten" in text

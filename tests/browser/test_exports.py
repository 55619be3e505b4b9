"""Journey: a lead starts an anonymized notes export, downloads the file and reads it; a running
export's progress bar updates by itself (htmx polling) until its download link appears. axe on
the exports page and the report preview."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from exports.models import ExportJob
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_lead_exports_notes_and_downloads_the_file(page):
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    lead = UserFactory(email="lena@example.org", full_name="Lena Lead")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    person = ParticipantFactory(campaign=campaign, full_name="Rosa Díaz", role="family")
    ConsentRecordFactory(participant=person)
    interview = InterviewFactory(campaign=campaign, participant=person, interviewer=lead)
    NoteFactory(interview=interview, body="Rosa here: =the bus never came, 李 so I stayed home.")

    sign_in(page, "lena@example.org")
    page.goto("/c/absence/exports/")
    expect(page.get_by_role("heading", name="Exports", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Notes — CSV").check()
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_text("Export started: Notes · CSV.")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Notes · CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0]["participant"] == person.code
    assert rows[0]["text"] == "[name] here: =the bus never came, 李 so I stayed home."
    assert "Rosa" not in data.decode("utf-8-sig")

    page.get_by_role("link", name="Preview the campaign report").click()
    expect(page.get_by_role("heading", name="Who we heard")).to_be_visible()
    assert_accessible(page)


def test_progress_bar_updates_until_the_download_appears(page):
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    analyst = UserFactory(email="ana@example.org", full_name="Ana Analyst")
    MembershipFactory(campaign=campaign, user=analyst, role=Role.ANALYST)
    job = ExportJob.objects.create(
        campaign=campaign, kind="notes", format="xlsx", requested_by=analyst, status="running", progress=10
    )
    sign_in(page, "ana@example.org")
    page.goto("/c/absence/exports/")
    bar = page.locator(f"#progress-{job.pk}")
    expect(bar).to_have_attribute("value", "10")
    ExportJob.objects.filter(pk=job.pk).update(progress=60, row_count=1200)
    expect(bar).to_have_attribute("value", "60", timeout=5000)
    job.file.save("done.xlsx", ContentFile(b"x"), save=False)
    ExportJob.objects.filter(pk=job.pk).update(status="done", progress=100, file=job.file.name)
    expect(page.get_by_role("link", name="Download Notes · Excel (XLSX)")).to_be_visible(timeout=5000)
    expect(page.locator(f"#progress-{job.pk}")).to_have_count(0)

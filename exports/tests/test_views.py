"""The exports page, the progress partial, downloads (permission-checked and audited), retry,
expiry, and the report preview."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import AuditEvent
from exports.factories import ExportJobFactory
from exports.models import ExportJob
from exports.services import exports_expire

pytestmark = pytest.mark.django_db
Status = ExportJob.Status


def url(campaign, *parts):
    return "/c/" + campaign.slug + "/exports/" + "".join(f"{p}/" for p in parts)


def done_job(campaign, user, **kwargs):
    job = ExportJobFactory(
        campaign=campaign, requested_by=user, status=Status.DONE, progress=100, row_count=3, **kwargs
    )
    job.file.save(f"job-{job.pk}.csv", ContentFile("\ufeffnote,text\r\n1,hello\r\n".encode()), save=False)
    job.expires_at = timezone.now() + timedelta(hours=72)
    job.save()
    return job


def test_start_an_export_from_the_page(world, client_for, analyst, django_capture_on_commit_callbacks):
    client = client_for(analyst)
    page = client.get(url(world.campaign))
    assert page.status_code == 200
    assert "Campaign report — Word (DOCX)" in page.content.decode()
    assert "Participants —" not in page.content.decode(), "the participant list is for leads"
    assert "identified" not in page.content.decode().lower().split("start an export")[1].split("</form>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world.campaign, "start"), {"export": "notes:xlsx"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.format, job.anonymized, job.status) == ("notes", "xlsx", True, Status.DONE)
    listing = client.get(url(world.campaign)).content.decode()
    assert f'href="{url(world.campaign, job.pk, "download")}"' in listing


def test_identified_export_from_the_page_needs_a_reason(world, client_for, lead):
    client = client_for(lead)
    response = client.post(url(world.campaign, "start"), {"export": "notes:csv", "identified": "on", "reason": "x"})
    assert response.status_code == 400 and "at least 10 characters" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_analyst_cannot_sneak_an_identified_export(world, client_for, analyst):
    response = client_for(analyst).post(
        url(world.campaign, "start"), {"export": "notes:csv", "identified": "on", "reason": "I really want names"}
    )
    # The form has no such field for them: the export is anonymized.
    assert ExportJob.objects.get().anonymized is True
    assert response.status_code == 302


def test_progress_partial_polls_while_running_and_stops_when_done(world, client_for, analyst):
    client = client_for(analyst)
    job = ExportJobFactory(campaign=world.campaign, requested_by=analyst, status=Status.RUNNING, progress=42)
    row = client.get(url(world.campaign, job.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in row and '<progress id="progress-' in row and 'value="42"' in row
    assert "<html" not in row
    job.status, job.progress = Status.DONE, 100
    job.file.save("x.csv", ContentFile(b"a"), save=True)
    row = client.get(url(world.campaign, job.pk), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in row and "Download" in row


def test_failed_job_shows_the_reason_and_can_be_retried(world, client_for, analyst, django_capture_on_commit_callbacks):
    client = client_for(analyst)
    job = ExportJobFactory(
        campaign=world.campaign, requested_by=analyst, status=Status.FAILED, error="The export stopped: OSError."
    )
    page = client.get(url(world.campaign)).content.decode()
    assert "The export stopped: OSError." in page and "Retry" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(world.campaign, job.pk, "retry"))
    job.refresh_from_db()
    assert job.status == Status.DONE and job.error == "" and job.file


def test_a_crashing_build_fails_with_a_reason(world, run_export, monkeypatch):
    from exports import services

    def boom(job, path):
        raise OSError("disk full at /secret/path for Ana María López")

    monkeypatch.setattr(services, "_build", boom)
    job = run_export(world.campaign)
    assert job.status == Status.FAILED and "OSError" in job.error
    assert "Ana" not in job.error, "the reason names the problem, never data"


@pytest.mark.parametrize(
    ("role", "anonymized", "kind", "expected"),
    [
        ("lead", True, "notes", 200),
        ("interviewer", True, "notes", 200),
        ("analyst", True, "notes", 200),
        ("viewer", True, "notes", 403),
        ("outsider", True, "notes", 404),
        ("analyst", False, "notes", 403),
        ("interviewer", False, "notes", 403),
        ("lead", False, "notes", 200),
        ("analyst", True, "participants", 403),
        ("lead", True, "participants", 200),
    ],
)
def test_download_permissions(world, client_for, cast, lead, role, anonymized, kind, expected):
    job = done_job(world.campaign, lead, anonymized=anonymized, kind=kind, reason="" if anonymized else "For calls")
    response = client_for(cast[role]).get(url(world.campaign, job.pk, "download"))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "no-store"
        action = AuditEvent.Action.EXPORT if anonymized else AuditEvent.Action.EXPORT_IDENTIFIED
        event = AuditEvent.objects.get(action=action, detail__step="downloaded")
        assert event.actor == cast[role] and event.target_id == str(job.pk)
    else:
        assert not AuditEvent.objects.filter(detail__step="downloaded").exists()


def test_files_expire_and_the_job_says_so(world, client_for, analyst, settings):
    job = done_job(world.campaign, analyst)
    name = job.file.name
    from django.core.files.storage import default_storage

    assert default_storage.exists(name)
    assert exports_expire()["deleted"] == 0
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert exports_expire() == {"deleted": 1, "stale": 0}
    assert not default_storage.exists(name)
    job.refresh_from_db()
    assert job.state == "expired"
    client = client_for(analyst)
    assert client.get(url(world.campaign, job.pk, "download")).status_code == 410
    assert "Expired" in client.get(url(world.campaign)).content.decode()


def test_a_job_whose_worker_died_is_failed_by_the_beat_task(world, analyst):
    job = ExportJobFactory(
        campaign=world.campaign,
        requested_by=analyst,
        status=Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    assert exports_expire()["stale"] == 1
    job.refresh_from_db()
    assert job.status == Status.FAILED and "worker stopped" in job.error


def test_retention_setting_sets_the_expiry(world, run_export, settings):
    settings.EXPORT_RETENTION_HOURS = 5
    job = run_export(world.campaign)
    assert timedelta(hours=4, minutes=59) < job.expires_at - job.finished_at <= timedelta(hours=5)


def test_report_preview(world, client_for, analyst):
    from participants.factories import EquityDimensionFactory
    from participants.models import DimensionValue

    dimension = EquityDimensionFactory(campaign=world.campaign, name="Home language")
    DimensionValue.objects.create(dimension=dimension, label="Vietnamese", population_share=12)
    page = client_for(analyst).get(url(world.campaign, "report")).content.decode()
    assert "Getting there" in page and "a 9th-grade student" in page
    assert "I cannot read the letters from school" in page
    assert "I mark them absent" not in page and "nobody asks why" not in page
    assert "Ana María López" not in page and "<svg" in page


@pytest.mark.parametrize("jobs", [2, 25])
def test_exports_page_runs_a_fixed_number_of_queries(world, client_for, lead, django_assert_num_queries, jobs):
    for _ in range(jobs):
        done_job(world.campaign, lead)
    client = client_for(lead)
    client.get(url(world.campaign))  # warm the session
    # session, user, membership (with campaign and district), jobs count, community summary,
    # jobs page (with requester); saving the session: savepoint, update, release
    with django_assert_num_queries(9):
        response = client.get(url(world.campaign))
    assert response.status_code == 200


def test_report_preview_runs_the_same_queries_with_more_themes(world, client_for, analyst):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from synthesis.models import Highlight, Theme

    client = client_for(analyst)
    Theme.objects.create(campaign=world.campaign, title="Unpublished", position=9)  # quotes are then chosen
    client.get(url(world.campaign, "report"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world.campaign, "report")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(5):
        theme = Theme.objects.create(campaign=world.campaign, title=f"More {n}", position=10 + n)
        Highlight.objects.filter(pk=world.highlights["ben"].pk).update(theme=theme)
    # session, user, membership; participants, consent (2), published quotes, candidate quotes,
    # themes, why-steps, root causes, voices (4), coverage (4), heard, interviews, guides, prompts,
    # team, statements, goals; the session's save
    assert count() == small

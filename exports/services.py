"""Writes for exports: requesting, building, retrying and expiring export jobs; the community summary.

For the benchmark harness and scripts: `export_run_sync(job)` builds one job in this process
(no Celery) and returns (seconds, rows); `export_request(...)` is what the page calls.

    job = export_request(campaign=c, user=lead, kind="notes", format="csv")
    seconds, rows = export_run_sync(job)     # or let the Celery task run it
"""

import logging
import os
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from .models import CommunitySummary, CommunitySummaryText, ExportJob
from .tables import ExportContext, tables_for  # loaded with the worker, not on its first export
from .writers import write_csv, write_xlsx

log = logging.getLogger(__name__)
Kind, Format, Status = ExportJob.Kind, ExportJob.Format, ExportJob.Status
STALE_AFTER = timedelta(minutes=30)


def retention_hours() -> int:
    return int(getattr(settings, "EXPORT_RETENTION_HOURS", 72))


def may_request(membership, *, kind: str, anonymized: bool) -> bool:
    from empathy.access import TEAM

    if membership is None or membership.role not in TEAM:
        return False
    needs_lead = not anonymized or kind in ExportJob.LEAD_ONLY_KINDS
    return membership.is_lead or not needs_lead


def may_download(membership, job: ExportJob) -> bool:
    return job.campaign_id == membership.campaign_id and may_request(
        membership, kind=job.kind, anonymized=job.anonymized
    )


def _enqueue(job: ExportJob) -> None:
    from .tasks import export_build

    def send():
        try:
            export_build.apply_async((job.pk,))
        except Exception:  # broker down: the job stays queued and can be retried from the page
            log.warning("Could not enqueue export %s", job.pk, exc_info=True)

    transaction.on_commit(send)


def export_request(
    *,
    campaign,
    user,
    kind: str,
    format: str,  # noqa: A002 (the model's field name)
    anonymized: bool = True,
    reason: str = "",
    request=None,
) -> ExportJob:
    """Queue an export. An identified export needs the lead role and a reason, and is audited."""
    from campaigns.models import Membership

    membership = Membership.objects.filter(campaign=campaign, user=user).first()
    if kind not in Kind.values or format not in ExportJob.FORMATS[kind]:
        raise ValidationError(_("This export cannot be written in that format."))
    if kind in (Kind.REPORT, Kind.CODEBOOK):
        anonymized = True  # nothing identifying in them, ever
    reason = " ".join((reason or "").split())
    if not anonymized and len(reason) < 10:
        raise ValidationError(_("Say why you need names and contact details (at least 10 characters)."))
    if not may_request(membership, kind=kind, anonymized=anonymized):
        raise PermissionDenied(_("Only a lead can export identified data or the participant list."))
    job = ExportJob.objects.create(
        campaign=campaign,
        kind=kind,
        format=format,
        anonymized=anonymized,
        reason=reason if not anonymized else "",
        requested_by=user,
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT if anonymized else AuditEvent.Action.EXPORT_IDENTIFIED,
        campaign=campaign,
        target=job,
        detail={"kind": kind, "format": format, "anonymized": anonymized, "reason": job.reason, "step": "requested"},
        request=request,
    )
    _enqueue(job)
    return job


def export_retry(*, job: ExportJob, user, request=None) -> ExportJob:
    """Queue a failed (or stuck, or expired) job again."""
    if job.status in (Status.QUEUED, Status.RUNNING) and not _is_stale(job):
        raise ValidationError(_("This export is still running."))
    if job.file:
        default_storage.delete(job.file.name)
    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.QUEUED, progress=0, row_count=0, error="", file="", finished_at=None, expires_at=None
    )
    job.refresh_from_db()
    _enqueue(job)
    return job


def _is_stale(job: ExportJob, now=None) -> bool:
    now = now or timezone.now()
    return job.status == Status.RUNNING and job.started_at is not None and job.started_at < now - STALE_AFTER


def _filename(job: ExportJob) -> str:
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    label = "identified" if not job.anonymized else "anonymized"
    if job.kind in (Kind.REPORT, Kind.CODEBOOK, Kind.PROJECT):
        label = ""
    parts = [job.campaign.slug, job.kind, label, stamp, str(job.pk)]
    return slugify("-".join(p for p in parts if p)) + f".{job.format}"


class _BuiltFile(File):
    """The built file, stored by the storage API; a file-system storage moves it into place
    (as it does an upload's temporary file) rather than copying it, any other reads it."""

    def temporary_file_path(self) -> str:
        return self.file.name


PROGRESS_SECONDS = 0.5  # the page polls every second; writing more often only costs commits


def _progress_updater(job: ExportJob, total):
    """`update(done_rows, percent=None)`, writing at most every PROGRESS_SECONDS from now (the
    claim already set 1 %). `total`: the row count, or a function giving it, called at the first
    write (so an export done within PROGRESS_SECONDS never counts its rows)."""
    last = [time.monotonic()]

    def update(done_rows: int, percent: int | None = None):
        now = time.monotonic()
        if now - last[0] < PROGRESS_SECONDS:
            return
        last[0] = now
        if percent is None:
            n = total() if callable(total) else total
            percent = int(100 * done_rows / n) if n else 0
        ExportJob.objects.filter(pk=job.pk).update(progress=min(max(percent, 1), 99), row_count=done_rows)

    return update


def _build(job: ExportJob, path: str) -> int:
    """Write the job's file at `path`; returns its row count."""
    campaign = job.campaign
    if job.kind == Kind.REPORT:
        from .report import report_data, write_docx

        data = report_data(campaign)
        update = _progress_updater(job, 0)
        write_docx(data, path, progress=lambda p: update(0, p))
        return len(data.themes)
    if job.kind == Kind.CODEBOOK:
        from .refi import write_qdc

        return write_qdc(campaign, path)
    # Words come only from participants with notes; the participant list needs everyone.
    ctx = ExportContext.build(campaign, anonymized=job.anonymized, heard_only=job.kind != Kind.PARTICIPANTS)
    if job.kind == Kind.PROJECT:
        from .refi import write_qdpx

        update = _progress_updater(job, 0)
        return write_qdpx(ctx, path, progress=lambda p: update(0, p))
    tables = tables_for(job.kind, ctx)
    if job.format == Format.CSV:
        # CSV holds one table: the main one (for themes, the evidence: one row per quote).
        table = tables[1] if job.kind == Kind.THEMES else tables[0]
        update = _progress_updater(job, lambda: table.total)
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            return write_csv(f, table, progress=update)
    return write_xlsx(path, tables, progress=_progress_updater(job, lambda: sum(t.total for t in tables)))


def export_run_sync(job: ExportJob, *, notify: bool = False) -> tuple[float, int]:
    """Build `job` now, in this process: claim it, write the file, store it, mark it done (or
    failed with the reason). Returns (seconds, rows). The Celery task is a thin wrapper of this
    that then emails the requester (`export_notify_ready`; `notify=True` does it here); the
    benchmark harness calls it directly and so times the build alone."""
    started = time.perf_counter()
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, progress=1, attempts=job.attempts + 1
    )
    if not claimed:
        job.refresh_from_db()
        return 0.0, job.row_count
    job.refresh_from_db()
    fd, path = tempfile.mkstemp(prefix="export-", suffix=f".{job.format}")
    os.close(fd)
    try:
        rows = _build(job, path)
        with open(path, "rb") as f:
            job.file.save(_filename(job), _BuiltFile(f), save=False)
        done = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=Status.DONE,
            progress=100,
            row_count=rows,
            file=job.file.name,
            finished_at=done,
            expires_at=done + timedelta(hours=retention_hours()),
            error="",
        )
    except Exception as exc:
        log.exception("Export %s failed", job.pk)
        # The message names the problem, never data: exception types and our own messages only.
        message = exc.messages[0] if isinstance(exc, ValidationError) else exc.__class__.__name__
        ExportJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED,
            error=_("The export stopped: %(error)s. Try again; if it fails again, tell the campaign lead.")
            % {"error": message},
            finished_at=timezone.now(),
        )
        rows = 0
    finally:
        if os.path.exists(path):
            os.unlink(path)
    job.refresh_from_db()
    if notify:
        export_notify_ready(job)
    return time.perf_counter() - started, rows


def export_notify_ready(job: ExportJob) -> None:
    """Email the requester that their export is ready (once per attempt); nothing unless done."""
    from reminders.models import Kind as EmailKind
    from reminders.services import email_enqueue

    user = job.requested_by
    if job.status != Status.DONE or user is None or not user.email:
        return
    try:
        email_enqueue(
            kind=EmailKind.EXPORT_READY,
            to=user.email,
            user=user,
            campaign=job.campaign,
            context={
                "export": job.label,
                "link": settings.SITE_URL + reverse("exports:list", args=[job.campaign.slug]),
            },
            dedupe_key=f"export:{job.pk}:{job.attempts}",
        )
    except Exception:  # the export itself is done; a missing notice must not undo it
        log.warning("Could not queue the export-ready email for job %s", job.pk, exc_info=True)


def export_download_record(*, job: ExportJob, user, request=None) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT if job.anonymized else AuditEvent.Action.EXPORT_IDENTIFIED,
        campaign=job.campaign,
        target=job,
        detail={"kind": job.kind, "format": job.format, "anonymized": job.anonymized, "step": "downloaded"},
        request=request,
    )


def exports_expire(*, now=None) -> dict:
    """Delete the files of jobs past `expires_at`, and fail jobs whose worker died mid-run."""
    now = now or timezone.now()
    deleted = 0
    for job in ExportJob.objects.expired_files(now).only("pk", "file"):
        try:
            default_storage.delete(job.file.name)
        except OSError:
            log.warning("Could not delete %s", job.file.name, exc_info=True)
            continue
        ExportJob.objects.filter(pk=job.pk).update(file="")
        deleted += 1
    stale = ExportJob.objects.filter(status=Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=Status.FAILED,
        error=_("The worker stopped before the export was finished. Try again."),
        finished_at=now,
    )
    return {"deleted": deleted, "stale": stale}


# --- What we heard -------------------------------------------------------------------------------


def community_summary_for(campaign) -> CommunitySummary:
    summary, _created = CommunitySummary.objects.get_or_create(campaign=campaign)
    return summary


def community_summary_save_text(*, campaign, language: str, intro: str, next_steps: str) -> CommunitySummaryText:
    summary = community_summary_for(campaign)
    text, _created = CommunitySummaryText.objects.update_or_create(
        summary=summary, language=language, defaults={"intro": intro.strip(), "next_steps": next_steps.strip()}
    )
    return text


def community_summary_publish(*, campaign, user, request=None) -> CommunitySummary:
    summary = community_summary_for(campaign)
    if not summary.texts.exists():
        raise ValidationError(_("Write the summary in at least one language first."))
    summary.published_at = timezone.now()
    summary.published_by = user
    summary.save(update_fields=["published_at", "published_by", "updated_at"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=campaign,
        target=summary,
        detail={"what_we_heard": "published"},
        request=request,
    )
    return summary


def community_summary_unpublish(*, campaign, user, request=None) -> CommunitySummary:
    summary = community_summary_for(campaign)
    summary.published_at = None
    summary.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=campaign,
        target=summary,
        detail={"what_we_heard": "unpublished"},
        request=request,
    )
    return summary


def community_summary_recipients(campaign):
    """Participants who agreed to be contacted again, have an email, and did not withdraw."""
    from consent.selectors import scopes_by_participant, withdrawn_participant_ids
    from participants.models import Participant

    people = list(
        Participant.objects.filter(campaign=campaign)
        .exclude(email="")
        .exclude(pk__in=withdrawn_participant_ids(campaign))
        .only("pk", "email", "preferred_language", "is_minor", "status", "campaign_id")
    )
    scopes = scopes_by_participant([p.pk for p in people])
    return [p for p in people if scopes.get(p.pk) and scopes[p.pk].may_recontact]


def community_summary_email(*, campaign, user, request=None) -> int:
    """Email the published summary's link to every participant who agreed to be contacted again,
    in their language (the reminders pipeline re-checks consent when it sends). Once per person
    per publication."""
    from reminders.models import Kind as EmailKind
    from reminders.services import email_enqueue

    kind = getattr(EmailKind, "COMMUNITY_SUMMARY", None)
    if kind is None:
        raise ValidationError(_("Emailing the summary is not available yet: the email pipeline has no such email."))
    summary = community_summary_for(campaign)
    if not summary.is_published:
        raise ValidationError(_("Publish the summary before emailing it."))
    written = set(summary.texts.values_list("language", flat=True))
    count = 0
    with transaction.atomic():
        for p in community_summary_recipients(campaign):
            language = p.preferred_language if p.preferred_language in written else "en"
            email_enqueue(
                kind=kind,
                to=p.email,
                campaign=campaign,
                participant=p,
                language=language,
                context={"link": settings.SITE_URL + summary.get_public_url(language)},
                dedupe_key=f"what-we-heard:{summary.pk}:{summary.published_at:%Y%m%d%H%M%S}:{p.pk}",
            )
            count += 1
        summary.emailed_at = timezone.now()
        summary.save(update_fields=["emailed_at", "updated_at"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=campaign,
        target=summary,
        detail={"what_we_heard": "emailed", "recipients": count},
        request=request,
    )
    return count

"""Celery tasks of the exports app (routed to the `exports` queue by CELERY_TASK_ROUTES)."""

from celery import shared_task


@shared_task(name="exports.tasks.export_build", acks_late=True)
def export_build(job_id: int) -> dict:
    """Build one export job (see services.export_run_sync). A job already claimed is left alone,
    so a message delivered twice does not build twice."""
    from .models import ExportJob
    from .services import export_notify_ready, export_run_sync

    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return {"job": job_id, "status": "gone"}
    seconds, rows = export_run_sync(job)
    job.refresh_from_db()
    if seconds:  # built now (not a duplicate delivery of a job already claimed)
        export_notify_ready(job)
    return {"job": job_id, "status": job.status, "rows": rows, "seconds": round(seconds, 3)}


@shared_task(name="exports.tasks.expire_files")
def expire_files() -> dict:
    """Beat: delete export files past their expiry; fail jobs whose worker died."""
    from .services import exports_expire

    return exports_expire()

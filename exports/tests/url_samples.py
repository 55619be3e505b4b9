from exports.models import ExportJob


def url_samples(campaign, cast):
    """A finished-looking anonymized notes export every team role may see (its file is absent:
    the download answers 410, which the access test accepts)."""
    job = ExportJob.objects.create(
        campaign=campaign,
        kind=ExportJob.Kind.NOTES,
        format=ExportJob.Format.CSV,
        requested_by=cast["analyst"],
        status=ExportJob.Status.FAILED,
        error="sample",
    )
    return {"job_id": job.pk}

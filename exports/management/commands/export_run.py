"""Run one export in this process and report seconds, rows and peak memory.

    python manage.py export_run attendance-policy --kind notes --format csv [--identified "reason"]

For the benchmark harness and for checking an export's cost on real data: it goes through the
same service and builder as the Celery task (exports.services.export_request + export_run_sync).
"""

import json
import resource

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, Membership, Role
from exports.models import ExportJob
from exports.services import export_run_sync


class Command(BaseCommand):
    help = "Build one export now and print seconds, rows and peak memory as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--kind", default="notes", choices=ExportJob.Kind.values)
        parser.add_argument("--format", default="csv", choices=ExportJob.Format.values)
        parser.add_argument("--user", help="email of the member requesting it (default: the first lead)")
        parser.add_argument("--identified", metavar="REASON", help="an identified export, with this reason")

    def handle(self, *args, slug, kind, format, user, identified, **options):  # noqa: A002
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign {slug!r}.")
        if user:
            requester = get_user_model().objects.get(email=user)
        else:
            lead = Membership.objects.filter(campaign=campaign, role=Role.LEAD).select_related("user").first()
            if lead is None:
                raise CommandError("The campaign has no lead; pass --user.")
            requester = lead.user
        if format not in ExportJob.FORMATS[kind]:
            raise CommandError(f"{kind} is written as {', '.join(ExportJob.FORMATS[kind])}.")
        # Created directly (not through export_request) so no Celery message is sent for it.
        job = ExportJob.objects.create(
            campaign=campaign,
            kind=kind,
            format=format,
            anonymized=not identified,
            reason=identified or "",
            requested_by=requester,
        )
        seconds, rows = export_run_sync(job)
        job.refresh_from_db()
        result = {
            "job": job.pk,
            "status": job.status,
            "error": job.error,
            "seconds": round(seconds, 3),
            "rows": rows,
            "mb": round(job.file.size / 2**20, 2) if job.file else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        self.stdout.write(json.dumps(result))

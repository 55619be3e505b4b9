"""Demo exports for the attendance campaign: a finished anonymized notes CSV, the campaign report,
and a published "What we heard" page in English and Spanish (and Vietnamese where participants
prefer it). Idempotent: a job is made again only when the earlier one's file has expired."""

from django.utils import timezone

from .models import ExportJob
from .services import community_summary_for, community_summary_save_text, export_run_sync

TEXTS = {
    "en": (
        "This autumn we listened to students, families and teachers about why students miss school. "
        "Thank you to everyone who talked with us. Here is what we heard, in your words.",
        "The attendance team will bring these findings to the school board in March, with changes to the "
        "attendance letter and to the bus routes. We will write to you again when the board has decided.",
    ),
    "es": (
        "Este otoño escuchamos a estudiantes, familias y docentes sobre por qué los estudiantes faltan a la "
        "escuela. Gracias a todas las personas que hablaron con nosotros. Esto es lo que escuchamos, en sus palabras.",
        "El equipo de asistencia presentará estos resultados a la junta escolar en marzo, con cambios en la carta "
        "de asistencia y en las rutas de autobús. Le escribiremos de nuevo cuando la junta haya decidido.",
    ),
    "vi": (
        "Mùa thu này chúng tôi đã lắng nghe học sinh, gia đình và giáo viên về lý do học sinh nghỉ học. "
        "Cảm ơn mọi người đã chia sẻ với chúng tôi.",
        "Nhóm phụ trách sẽ trình bày những điều này với hội đồng trường vào tháng Ba. "
        "Chúng tôi sẽ liên lạc lại khi hội đồng quyết định.",
    ),
}


def _ensure_job(campaign, user, kind, fmt):
    fresh = ExportJob.objects.filter(
        campaign=campaign,
        kind=kind,
        format=fmt,
        anonymized=True,
        status=ExportJob.Status.DONE,
        expires_at__gt=timezone.now(),
    ).exclude(file="")
    if fresh.exists():
        return
    job = ExportJob.objects.create(campaign=campaign, kind=kind, format=fmt, requested_by=user)
    export_run_sync(job, notify=False)


def load(campaigns, users):
    campaign = next((c for c in campaigns if c.slug == "attendance-policy"), None)
    if campaign is None:
        return
    lead = users["lead"]
    _ensure_job(campaign, users["analyst"], ExportJob.Kind.NOTES, ExportJob.Format.CSV)
    _ensure_job(campaign, lead, ExportJob.Kind.REPORT, ExportJob.Format.DOCX)
    summary = community_summary_for(campaign)
    languages = set(campaign.participants.values_list("preferred_language", flat=True)) | {"en", "es"}
    for language, (intro, next_steps) in TEXTS.items():
        if language in languages and not summary.texts.filter(language=language).exists():
            community_summary_save_text(campaign=campaign, language=language, intro=intro, next_steps=next_steps)
    if not summary.is_published:
        summary.published_at = timezone.now()
        summary.published_by = lead
        summary.save(update_fields=["published_at", "published_by", "updated_at"])

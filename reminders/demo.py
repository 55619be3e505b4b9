"""Demo: reminders for the upcoming interviews (some already gone out), the lead's edited
Spanish reminder, and the day's email times. Idempotent; nothing is actually emailed."""

from django.utils import timezone

SPANISH_SUBJECT = "Le esperamos el {when} — {campaign}"
SPANISH_BODY = (
    "Hola, {name}:\n\n"
    "Gracias por aceptar conversar con nosotros sobre la asistencia escolar. Su conversación será:\n\n"
    "Cuándo: {when} (unos {duration} minutos)\n"
    "Cómo: {mode}\n"
    "Dónde: {place}\n"
    "Con: {team}\n\n"
    "Lo que debe saber, en breve:\n{transparency}\n\n"
    "¿Necesita otra hora o ya no desea participar? Use su enlace personal:\n{link}\n\n"
    "Si prefiere hablar con alguien, escriba a {team_contact}. ¡Gracias!"
)


def load(*, campaigns, users):
    from interviews.models import Interview

    from .models import Email, EmailTemplate, Kind
    from .services import interview_reminders_plan, why_not

    attendance = next((c for c in campaigns if c.slug == "attendance-policy"), None)
    if attendance is None:
        return
    EmailTemplate.objects.get_or_create(
        campaign=attendance,
        kind=Kind.REMINDER_PARTICIPANT,
        language="es",
        defaults={"subject": SPANISH_SUBJECT, "body": SPANISH_BODY, "updated_by": users["lead"]},
    )
    now = timezone.now()
    upcoming = Interview.objects.filter(campaign=attendance, status=Interview.Status.SCHEDULED, scheduled_at__gt=now)
    for interview in upcoming.select_related("participant", "campaign", "interviewer", "note_taker", "guide"):
        if Email.objects.filter(interview=interview).exists():
            continue
        for row in interview_reminders_plan(interview=interview, nudge=False):
            if row.status != Email.Status.PENDING or row.send_at > timezone.now():
                continue
            # What the dispatcher would have done with the ones already due (no email leaves).
            row = Email.objects.select_related("interview", "participant").get(pk=row.pk)
            reason = why_not(row, now)
            row.status = Email.Status.SKIPPED if reason else Email.Status.SENT
            row.reason = reason or ""
            row.sent_at = None if reason else now
            row.attempts = 1
            row.subject = "" if reason else f"{interview.campaign.title}: {interview.participant.code}"
            row.save(update_fields=["status", "reason", "sent_at", "attempts", "subject"])

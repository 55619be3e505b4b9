"""The built-in wording of every email, in English and Spanish. A lead's saved template wins."""

from .models import Kind

DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    Kind.REMINDER_PARTICIPANT: {
        "en": (
            "Reminder: your conversation with {campaign} on {when}",
            "Hello {name},\n\n"
            "Thank you for agreeing to talk with us. This is a reminder of your conversation:\n\n"
            "When: {when} (about {duration} minutes)\n"
            "How: {mode}\n"
            "Where: {place}\n"
            "Who will be there: {team}\n\n"
            "Why we are talking with you, in short:\n{transparency}\n\n"
            "If the time no longer works, or you no longer want to take part, use your own link:\n"
            "{link}\n\n"
            "Questions? Contact {team_contact}.\n\n"
            "A calendar invitation is attached.",
        ),
        "es": (
            "Recordatorio: su conversación con {campaign} el {when}",
            "Hola, {name}:\n\n"
            "Gracias por aceptar conversar con nosotros. Le recordamos su conversación:\n\n"
            "Cuándo: {when} (unos {duration} minutos)\n"
            "Cómo: {mode}\n"
            "Dónde: {place}\n"
            "Quiénes estarán: {team}\n\n"
            "Por qué conversamos con usted, en breve:\n{transparency}\n\n"
            "Si la hora ya no le conviene, o ya no desea participar, use su enlace personal:\n"
            "{link}\n\n"
            "¿Preguntas? Escriba a {team_contact}.\n\n"
            "Adjuntamos una invitación de calendario.",
        ),
    },
    Kind.CANCELLATION_PARTICIPANT: {
        "en": (
            "Cancelled: your conversation with {campaign} on {when}",
            "Hello {name},\n\n"
            "Your conversation planned for {when} has been cancelled. {reason}\n\n"
            "We may contact you to find another time. If you have questions, contact {team_contact}.\n\n"
            "Your own link: {link}",
        ),
        "es": (
            "Cancelada: su conversación con {campaign} el {when}",
            "Hola, {name}:\n\n"
            "Su conversación prevista para el {when} ha sido cancelada. {reason}\n\n"
            "Es posible que le contactemos para buscar otra hora. Si tiene preguntas, escriba a {team_contact}.\n\n"
            "Su enlace personal: {link}",
        ),
    },
    Kind.REMINDER_TEAM: {
        "en": (
            "Interview {participant_code} on {when}",
            "Interview with {participant_code} for {campaign}.\n\n"
            "When: {when} ({duration} minutes)\n"
            "How: {mode}\n"
            "Where: {place}\n"
            "Team: {team}\n"
            "Guide: {guide} (attached)\n\n"
            "Open the interview: {interview_url}",
        ),
        "es": (
            "Entrevista {participant_code} el {when}",
            "Entrevista con {participant_code} para {campaign}.\n\n"
            "Cuándo: {when} ({duration} minutos)\n"
            "Cómo: {mode}\n"
            "Dónde: {place}\n"
            "Equipo: {team}\n"
            "Guía: {guide} (adjunta)\n\n"
            "Abrir la entrevista: {interview_url}",
        ),
    },
    Kind.CANCELLATION_TEAM: {
        "en": (
            "Cancelled: interview {participant_code} on {when}",
            "The interview with {participant_code} for {campaign} on {when} was cancelled. {reason}\n\n{interview_url}",
        ),
        "es": (
            "Cancelada: entrevista {participant_code} el {when}",
            "La entrevista con {participant_code} para {campaign} el {when} fue cancelada. {reason}\n\n{interview_url}",
        ),
    },
    Kind.TEAM_INVITATION: {
        "en": (
            "You are invited to join {campaign}",
            "{invited_by} invited you to join the team of {campaign} as {role}.\n\n"
            "Accept the invitation: {link}\n\n"
            "The link works until {expires}. If you did not expect this email, you can ignore it.",
        ),
        "es": (
            "Le invitan a unirse a {campaign}",
            "{invited_by} le invitó a unirse al equipo de {campaign} como {role}.\n\n"
            "Acepte la invitación: {link}\n\n"
            "El enlace funciona hasta el {expires}. Si no esperaba este mensaje, puede ignorarlo.",
        ),
    },
    Kind.CONSENT_REQUEST: {
        "en": (
            "Your interview with the school district: “{campaign}”",
            "Hello {name},\n\n"
            "The school district is listening to students, families and staff about “{campaign}”. Before any "
            "interview we want you to know why we are asking, how what you say is used, and who sees it.\n\n"
            "Open this link to read it, to give (or not give) your consent, and later to see what we hold about "
            "you or to withdraw:\n{link}\n\n"
            "The link is personal: please do not share it. It works until {expires}.\n"
            "Taking part is voluntary. If you do not want to take part, you can ignore this email.",
        ),
        "es": (
            "Su entrevista con el distrito escolar: «{campaign}»",
            "Hola, {name}:\n\n"
            "El distrito escolar está escuchando a estudiantes, familias y personal sobre «{campaign}». Antes de "
            "cualquier entrevista queremos que sepa por qué preguntamos, cómo se usa lo que diga y quién lo ve.\n\n"
            "Abra este enlace para leerlo, para dar (o no dar) su consentimiento y, más adelante, para ver lo que "
            "guardamos sobre usted o retirarse:\n{link}\n\n"
            "El enlace es personal: no lo comparta. Funciona hasta el {expires}.\n"
            "Participar es voluntario. Si no quiere participar, puede ignorar este correo.",
        ),
    },
    Kind.DAILY_DIGEST: {
        "en": ("{campaign}: digest for {date}", "Here is what happened in {campaign} on {date}.\n\n{digest}\n\n{link}"),
        "es": ("{campaign}: resumen del {date}", "Esto pasó en {campaign} el {date}.\n\n{digest}\n\n{link}"),
    },
    Kind.RETENTION_WARNING: {
        "en": (
            "{campaign}: identifying data will be removed on {retain_until}",
            "On {retain_until}, names, contact details and raw notes of {campaign} will be removed, as the "
            "transparency statement promised. Anonymized findings stay.\n\n"
            "Export what you still need before then: {link}",
        ),
        "es": (
            "{campaign}: los datos identificativos se eliminarán el {retain_until}",
            "El {retain_until} se eliminarán los nombres, los contactos y las notas sin procesar de {campaign}, "
            "como prometía la declaración de transparencia. Los hallazgos anonimizados se conservan.\n\n"
            "Exporte lo que aún necesite antes de esa fecha: {link}",
        ),
    },
    Kind.EXPORT_READY: {
        "en": ("{campaign}: your export is ready", "Your export ({export}) of {campaign} is ready: {link}"),
        "es": ("{campaign}: su exportación está lista", "Su exportación ({export}) de {campaign} está lista: {link}"),
    },
    Kind.COMMUNITY_SUMMARY: {
        "en": (
            "{campaign}: what we heard",
            "Thank you for talking with us. Here is what we heard, and what happens next: {link}",
        ),
        "es": (
            "{campaign}: lo que escuchamos",
            "Gracias por hablar con nosotros. Esto es lo que escuchamos y lo que sigue: {link}",
        ),
    },
}


def default_for(kind: str, language: str) -> tuple[str, str]:
    by_language = DEFAULTS[kind]
    return by_language.get(language) or by_language["en"]

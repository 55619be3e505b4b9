"""Demo consent data for the attendance campaign: statements and forms in English and Spanish, and
consent records for the participants the participants demo moved past "invited".

Idempotent: a campaign that already has a statement is left alone. Runs after participants' demo
(INSTALLED_APPS order), and writes through consent.services like the app does.
"""

import random
from datetime import timedelta

from django.utils import timezone

from participants.models import Participant

from . import services
from .models import ConsentRecord

Kind = ConsentRecord.Kind
Method = ConsentRecord.Method

STATEMENTS = {
    "en": {
        "why": (
            "The district's attendance policy sends letters and can refer families to court after 10 unexcused "
            "absences. Before the board changes it, we want to hear from the students and families it affects "
            "most about what really gets in the way of coming to school."
        ),
        "data_use": (
            "What you tell us becomes themes in a report to the school board this spring, with recommendations "
            "for the policy. Nothing you say will be used to enforce attendance rules, and it will not affect "
            "grades, services or any court referral."
        ),
        "raw_notes_access": (
            "Only the two interviewers and the project lead read the notes. Analysts see them under a code, "
            "without your name."
        ),
        "captures_identifying_data": True,
        "identifying_data": (
            "Your name and a phone number or email, so we can schedule the interview. They are kept apart from "
            "the notes and only the project lead and your interviewer can see them."
        ),
        "anonymization": (
            "Notes carry a code such as P-014 instead of your name. Before anything is shared we remove names "
            "of people, schools and places that could point to you, and we report what groups said."
        ),
        "retention": "You can ask us to delete your interview earlier at any time, using your link.",
    },
    "es": {
        "why": (
            "La política de asistencia del distrito envía cartas y puede remitir a las familias al tribunal "
            "después de 10 ausencias injustificadas. Antes de que la junta la cambie, queremos escuchar a los "
            "estudiantes y las familias más afectados sobre lo que de verdad les impide venir a la escuela."
        ),
        "data_use": (
            "Lo que nos cuente se convierte en temas de un informe para la junta escolar esta primavera, con "
            "recomendaciones sobre la política. Nada de lo que diga se usará para hacer cumplir las reglas de "
            "asistencia, ni afectará calificaciones, servicios o una remisión al tribunal."
        ),
        "raw_notes_access": (
            "Solo las dos entrevistadoras y la líder del proyecto leen las notas. Los analistas las ven con un "
            "código, sin su nombre."
        ),
        "captures_identifying_data": True,
        "identifying_data": (
            "Su nombre y un teléfono o correo, para programar la entrevista. Se guardan aparte de las notas y "
            "solo la líder del proyecto y su entrevistadora pueden verlos."
        ),
        "anonymization": (
            "Las notas llevan un código como P-014 en lugar de su nombre. Antes de compartir algo quitamos "
            "nombres de personas, escuelas y lugares que podrían identificarle, e informamos lo que dijeron "
            "los grupos."
        ),
        "retention": "Puede pedirnos que borremos su entrevista antes, cuando quiera, con su enlace.",
    },
}
FORMS = {
    "en": {
        "title": "Taking part in an interview about school attendance",
        "body": (
            "Taking part is your choice. The interview takes about 30 minutes, in person or by phone, in the "
            "language you prefer. You can skip any question, stop at any time, and withdraw later: if you do, "
            "what you said is removed from everything we share."
        ),
        "guardian_text": (
            "As the parent or guardian, you agree that your child may be interviewed at school, with another "
            "adult nearby. We will also ask your child, and they can say no."
        ),
        "assent_text": (
            "We want to hear what makes it hard or easy to come to school. You do not have to talk to us, you "
            "can skip questions, and you can stop any time. Nobody will be upset, and it will not change your "
            "grades."
        ),
    },
    "es": {
        "title": "Participar en una entrevista sobre la asistencia escolar",
        "body": (
            "Participar es su decisión. La entrevista dura unos 30 minutos, en persona o por teléfono, en el "
            "idioma que prefiera. Puede saltarse cualquier pregunta, parar en cualquier momento y retirarse "
            "después: si lo hace, lo que dijo se quita de todo lo que compartimos."
        ),
        "guardian_text": (
            "Como madre, padre o tutor, usted acepta que su hijo o hija sea entrevistado en la escuela, con otro "
            "adulto cerca. También le preguntaremos a su hijo o hija, y puede decir que no."
        ),
        "assent_text": (
            "Queremos saber qué hace difícil o fácil venir a la escuela. No tienes que hablar con nosotros, "
            "puedes saltarte preguntas y parar cuando quieras. Nadie se va a molestar y no cambiará tus notas."
        ),
    },
}
GUARDIANS = ["Rosa", "Thu", "Angela", "Miguel", "Hanh", "Denise", "Jorge", "Lan"]


def load(campaigns, users):
    campaign = next((c for c in campaigns if c.slug == "attendance-policy"), None)
    if campaign is None or campaign.transparency_statements.exists():
        return
    lead, interviewer = users["lead"], users["interviewer"]
    retain_until = timezone.localdate() + timedelta(days=240)
    forms = {}
    for language in ("en", "es"):
        services.statement_save(
            campaign=campaign, language=language, data={**STATEMENTS[language], "retain_until": retain_until}, by=lead
        )
        forms[language] = services.consent_form_save(
            campaign=campaign, language=language, data=FORMS[language], by=lead
        )

    rng = random.Random(4)
    today = timezone.localdate()
    agreed = ("consented", "scheduled", "interviewed")
    participants = list(campaign.participants.order_by("number"))
    for i, p in enumerate(participants):
        form = forms.get(p.preferred_language, forms["en"])
        if p.status in agreed:
            _agree(p, form, interviewer, rng, today - timedelta(days=rng.randint(5, 40)))
        elif p.status == Participant.Status.INVITED and p.is_minor and i % 2 == 0:
            # A guardian said yes on paper; the student has not been asked yet.
            services.consent_record(
                participant=p,
                kind=Kind.GUARDIAN,
                form=form,
                method=Method.WRITTEN,
                by=interviewer,
                guardian_name=f"{rng.choice(GUARDIANS)} {p.full_name.split()[-1]}",
                given_on=today - timedelta(days=rng.randint(1, 6)),
                may_quote=True,
                attribution="role",
            )
    consented = [p for p in participants if p.status == Participant.Status.CONSENTED]
    if consented:
        services.participant_withdraw(
            participant=consented[-1],
            given_by=ConsentRecord.GivenBy.PARTICIPANT,
            method=Method.VERBAL,
            by=interviewer,
            note="Called to say they no longer want to take part.",
        )


def _agree(participant, form, by, rng, given_on):
    scopes = {
        "may_quote": rng.random() < 0.75,
        "attribution": rng.choice(["role", "role", "none"]),
        "may_recontact": rng.random() < 0.6,
    }
    method = rng.choice([Method.WRITTEN, Method.VERBAL, Method.ELECTRONIC])
    if participant.is_minor:
        services.consent_record(
            participant=participant,
            kind=Kind.GUARDIAN,
            form=form,
            method=method,
            by=by,
            given_on=given_on,
            guardian_name=f"{rng.choice(GUARDIANS)} {participant.full_name.split()[-1]}",
            **scopes,
        )
        services.consent_record(
            participant=participant,
            kind=Kind.ASSENT,
            form=form,
            method=Method.VERBAL,
            by=by,
            given_on=given_on,
            **scopes,
        )
    else:
        services.consent_record(
            participant=participant, kind=Kind.CONSENT, form=form, method=method, by=by, given_on=given_on, **scopes
        )

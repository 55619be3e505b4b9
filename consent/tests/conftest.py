import pytest

from consent.factories import ConsentFormFactory, TransparencyStatementFactory
from participants.factories import ParticipantFactory
from participants.models import Participant


@pytest.fixture
def form_en(campaign):
    return ConsentFormFactory(campaign=campaign, language="en")


@pytest.fixture
def form_es(campaign):
    statement = TransparencyStatementFactory(
        campaign=campaign,
        language="es",
        why="Para escuchar a los estudiantes y las familias más afectados por la política de asistencia.",
        data_use="Los temas van a la junta escolar; nada afecta sus calificaciones.",
        raw_notes_access="Las dos entrevistadoras y la líder del proyecto.",
        identifying_data="Su nombre y teléfono, guardados aparte de las notas.",
        anonymization="Usamos códigos en lugar de nombres.",
    )
    return ConsentFormFactory(
        campaign=campaign,
        language="es",
        statement=statement,
        title="Participar en una entrevista",
        body="Participar es su decisión. Puede parar en cualquier momento.",
        guardian_text="Usted acepta que su hijo o hija sea entrevistado.",
        assent_text="No tienes que hablar con nosotros.",
    )


@pytest.fixture
def adult(campaign):
    return ParticipantFactory(
        campaign=campaign,
        full_name="Alma Reyes",
        email="alma@example.net",
        phone="555 0100",
        role=Participant.Role.FAMILY,
        status=Participant.Status.INVITED,
    )


@pytest.fixture
def minor(campaign):
    return ParticipantFactory(
        campaign=campaign,
        full_name="Mateo Cruz",
        email="mateo.family@example.net",
        role=Participant.Role.STUDENT,
        is_minor=True,
        grade="9",
        preferred_language="es",
        status=Participant.Status.INVITED,
    )

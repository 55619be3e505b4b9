from consent.factories import ConsentFormFactory, ParticipantLinkFactory
from participants.factories import ParticipantFactory


def url_samples(campaign, cast) -> dict:
    # Assigned, so the interviewer may open the participant pages that share the "code" keyword.
    participant = ParticipantFactory(campaign=campaign, assigned_interviewers=[cast["interviewer"]])
    form = ConsentFormFactory(campaign=campaign, language="en")
    link = ParticipantLinkFactory(participant=participant)
    return {"code": participant.code, "language": "en", "form_id": form.pk, "link_id": link.pk}

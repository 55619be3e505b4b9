from consent.factories import ConsentFormFactory, ParticipantLinkFactory
from participants.factories import ParticipantFactory


def url_samples(campaign, cast) -> dict:
    participant = ParticipantFactory(campaign=campaign)
    form = ConsentFormFactory(campaign=campaign, language="en")
    link = ParticipantLinkFactory(participant=participant)
    return {"code": participant.code, "language": "en", "form_id": form.pk, "link_id": link.pk}

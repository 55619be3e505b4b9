from participants.factories import (
    DimensionValueFactory,
    EquityDimensionFactory,
    ParticipantFactory,
    PriorityGroupFactory,
)


def url_samples(campaign, cast) -> dict:
    participant = ParticipantFactory(campaign=campaign, assigned_interviewers=[cast["interviewer"]])
    dimension = EquityDimensionFactory(campaign=campaign)
    DimensionValueFactory(dimension=dimension, population_share=50)
    group = PriorityGroupFactory(campaign=campaign, role="family")
    return {"code": participant.code, "dimension_id": dimension.pk, "group_id": group.pk}

"""The one rule for who may see a participant's identity (name, contact, school, notes).

Leads: everyone's. Interviewers: only the participants assigned to them. Analysts and viewers:
never. Everyone else on the team sees the pseudonym code, role, flags and dimension values.
Every page, export and search that shows a participant asks this module.
"""

from campaigns.models import Role


def identity_visible(membership, participant) -> bool:
    if membership is None or membership.campaign_id != participant.campaign_id:
        return False
    if membership.role == Role.LEAD:
        return True
    if membership.role == Role.INTERVIEWER:
        annotated = getattr(participant, "shows_identity", None)
        if annotated is not None:
            return bool(annotated)
        return participant.assigned_interviewers.filter(pk=membership.user_id).exists()
    return False


def may_manage_participants(membership) -> bool:
    """Add, import, edit and move participants through statuses."""
    return membership is not None and membership.role in (Role.LEAD, Role.INTERVIEWER)

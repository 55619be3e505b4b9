"""The one rule for who may see a participant's identity (name, contact, school, notes).

Leads: everyone's. Interviewers: only the participants assigned to them. Analysts and viewers:
never. Everyone else on the team sees the pseudonym code, role, flags and dimension values.
Every page, export and search that shows a participant asks this module.

School: the participant's school field is identity (with grade and language it can single a
child out). A *school dimension* (EquityDimension.Source.SCHOOL) is a lead's deliberate choice
to count voices per school: its values are group labels, shown to the team like any dimension
value and counted in coverage. Leads should add one only where the schools are large enough
for that to be a group rather than a pointer to a person.
"""

from campaigns.models import Membership, Role


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


def membership_of(campaign, user):
    """`user`'s membership of `campaign` (the one the access helper attached, when it is theirs)."""
    attached = getattr(campaign, "membership", None)
    if attached is not None and attached.user_id == getattr(user, "pk", None):
        return attached
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(campaign=campaign, user=user).first()


def duplicate_email_message(membership, other) -> str:
    """What to say when `other` already has the email typed: their code only to those who may
    see their identity; anyone else learns that someone has it, not who."""
    from django.utils.translation import gettext as _

    if identity_visible(membership, other):
        return _("%(code)s already has this email in this campaign.") % {"code": other.code}
    return _("Someone in this campaign already has this email.")

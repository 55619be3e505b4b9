"""The one rule for how a quote is attributed wherever words leave the product.

`attribution_for(participant, group_sizes, scopes)` gives the words shown after a quote
("a 9th-grade student", "a family member") or "" for none:

- no attribution unless the participant's consent allows it (`scopes.attribution == "role"`);
- small-group protection: an attribution that would name a group of fewer than
  `MIN_GROUP_SIZE` participants heard in the campaign is not used. The most specific
  attribution (a student's grade) falls back to the role alone; if the role's group is small
  too, the quote is shown without attribution.

`campaign_group_sizes(campaign)` counts those groups in one query. Reports, exports, the
"What we heard" page and the synthesis pages (findings, theme page) all call these.
"""

import re

from django.contrib.humanize.templatetags.humanize import ordinal
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

MIN_GROUP_SIZE = 3

ROLE_PHRASES = {
    "student": lambda: _("a student"),
    "family": lambda: _("a family member"),
    "teacher": lambda: _("a teacher"),
    "staff": lambda: _("a staff member"),
    "community": lambda: _("a community member"),
    "other": lambda: _("a participant"),
}


def _grade_key(grade: str) -> str:
    return " ".join((grade or "").split()).lower()


def campaign_group_sizes(campaign) -> dict:
    """{("role", role): n, ("grade", role, grade): n} over the participants heard in the campaign
    (those with a live note), withdrawn participants left out. One query over the campaign's
    participants, probing each one's notes through an index: a few milliseconds where a pass
    over every note of a large campaign took tens (the theme page asks on every view)."""
    from consent.selectors import withdrawn_participant_ids
    from interviews.models import Note
    from participants.models import Participant

    rows = (
        Participant.objects.filter(campaign=campaign)
        .exclude(pk__in=withdrawn_participant_ids(campaign))
        .filter(Exists(Note.objects.filter(participant_id=OuterRef("pk"), is_deleted=False)))
        .order_by()
        .values_list("role", "grade")
        .annotate(n=Count("pk"))
    )
    return group_sizes_from(rows)


def group_sizes_from(rows) -> dict:
    """The same counts from (role, grade, n) rows, e.g. of participants already loaded."""
    sizes: dict = {}
    for role, grade, n in rows:
        sizes[("role", role)] = sizes.get(("role", role), 0) + n
        key = ("grade", role, _grade_key(grade))
        if key[2]:
            sizes[key] = sizes.get(key, 0) + n
    return sizes


def heard_ids(campaign) -> list[int]:
    """Ids of the participants heard (with a live note), withdrawn left out. One query over the
    campaign's notes (distinct participant ids), evaluated here so callers filter by a list."""
    from consent.selectors import withdrawn_participant_ids
    from interviews.models import Note

    return list(
        Note.objects.filter(campaign=campaign, is_deleted=False)
        .exclude(participant_id__in=withdrawn_participant_ids(campaign))
        .order_by()
        .values_list("participant_id", flat=True)
        .distinct()
    )


def _grade_phrase(grade: str) -> str:
    grade = " ".join((grade or "").split())
    digits = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", grade, re.IGNORECASE)
    if digits:
        return _("a %(grade)s-grade student") % {"grade": ordinal(int(digits.group(1)))}
    if grade.upper() == "K":
        return _("a kindergarten student")
    return _("a student in grade %(grade)s") % {"grade": grade}


def attribution_for(participant, group_sizes: dict, scopes) -> str:
    """What may be said about who said it: "" (no attribution) or a role phrase (see module doc)."""
    if scopes is None or not getattr(scopes, "may_quote", False) or getattr(scopes, "attribution", "none") != "role":
        return ""
    role = participant.role
    grade = _grade_key(getattr(participant, "grade", ""))
    if role == "student" and grade and group_sizes.get(("grade", role, grade), 0) >= MIN_GROUP_SIZE:
        return _grade_phrase(participant.grade)
    if group_sizes.get(("role", role), 0) >= MIN_GROUP_SIZE:
        return str(ROLE_PHRASES.get(role, ROLE_PHRASES["other"])())
    return ""


def attributions(campaign, participants) -> dict[int, str]:
    """{participant id: attribution} for many participants: three queries, whatever their number."""
    from consent.selectors import scopes_by_participant

    participants = list(participants)
    sizes = campaign_group_sizes(campaign)
    scopes = scopes_by_participant({p.pk for p in participants})
    return {p.pk: attribution_for(p, sizes, scopes.get(p.pk)) for p in participants}

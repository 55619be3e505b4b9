"""Writes and rules for guides, prompts, the prompt library and predictions.

Every write of these goes through here: views, the admin and the demo loader all call these.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import Role

from .models import Interview, InterviewGuide, Prediction, Prompt, PromptPattern

KIND_ORDER = list(Prompt.Kind.values)
# Added to positions before renumbering a group, so no two rows ever share a position
# mid-update (the unique constraint is checked row by row on PostgreSQL).
_POSITION_OFFSET = 1_000_000
MAX_PREDICTIONS_PER_PERSON = 10


# Guides ------------------------------------------------------------------------------------


def guide_create(*, campaign, title: str, introduction: str = "", by=None) -> InterviewGuide:
    return InterviewGuide.objects.create(campaign=campaign, title=title, introduction=introduction, created_by=by)


def _free_title(campaign, title: str) -> str:
    taken = set(InterviewGuide.objects.filter(campaign=campaign).values_list("title", flat=True))
    if title not in taken:
        return title
    n = 1
    while True:
        candidate = _("%(title)s (copy)") % {"title": title} if n == 1 else f"{title} ({_('copy')} {n})"
        candidate = candidate[:200]
        if candidate not in taken:
            return candidate
        n += 1


@transaction.atomic
def guide_copy(*, source: InterviewGuide, campaign, by) -> InterviewGuide:
    """A copy of `source` (with its prompts) in `campaign`.

    Only from a campaign `by` leads, into one they lead: copying must never carry a guide
    across the membership boundary.
    """
    if not InterviewGuide.objects.copyable_by(by).filter(pk=source.pk).exists():
        raise PermissionDenied
    if not campaign.memberships.leads().filter(user=by).exists():
        raise PermissionDenied
    copy = InterviewGuide.objects.create(
        campaign=campaign,
        title=_free_title(campaign, source.title),
        introduction=source.introduction,
        copied_from=source,
        created_by=by,
    )
    Prompt.objects.bulk_create(
        Prompt(guide=copy, kind=p.kind, text=p.text, position=p.position) for p in source.prompts.all()
    )
    return copy


@transaction.atomic
def guide_delete(*, guide: InterviewGuide, by, request=None) -> None:
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        campaign=guide.campaign,
        target=guide,
        detail={"prompts": guide.prompts.count()},
        request=request,
    )
    guide.delete()


# Prompts -----------------------------------------------------------------------------------


def _locked_guide(guide):
    """Lock the guide row so concurrent edits of its prompt order take turns."""
    return InterviewGuide.objects.select_for_update().get(pk=guide.pk)


def _next_position(guide, kind) -> int:
    last = guide.prompts.filter(kind=kind).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def prompt_add(*, guide: InterviewGuide, kind: str, text: str) -> Prompt:
    _locked_guide(guide)
    return Prompt.objects.create(guide=guide, kind=kind, text=text.strip(), position=_next_position(guide, kind))


@transaction.atomic
def prompt_update(*, prompt: Prompt, kind: str, text: str) -> Prompt:
    _locked_guide(prompt.guide)
    fields = ["text", "updated_at"]
    if kind != prompt.kind:
        prompt.kind = kind
        prompt.position = _next_position(prompt.guide, kind)
        fields += ["kind", "position"]
    prompt.text = text.strip()
    prompt.save(update_fields=fields)
    return prompt


@transaction.atomic
def prompt_delete(*, prompt: Prompt, by, request=None) -> None:
    guide = prompt.guide
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        campaign=guide.campaign,
        target=prompt,
        detail={"guide": guide.pk, "text": prompt.text[:200]},
        request=request,
    )
    prompt.delete()


def _groups(guide) -> dict[str, list[int]]:
    groups = {kind: [] for kind in KIND_ORDER}
    for pk, kind in guide.prompts.order_by("position", "id").values_list("pk", "kind"):
        groups[kind].append(pk)
    return groups


def _renumber(groups: dict[str, list[int]]) -> None:
    """Write positions 0..n-1 (and kinds) for the given groups: two UPDATE queries."""
    ids = [pk for pks in groups.values() for pk in pks]
    if not ids:
        return
    Prompt.objects.filter(pk__in=ids).update(position=F("position") + _POSITION_OFFSET)
    rows = [Prompt(pk=pk, kind=kind, position=i) for kind, pks in groups.items() for i, pk in enumerate(pks)]
    Prompt.objects.bulk_update(rows, ["kind", "position"])


@transaction.atomic
def prompt_move(*, prompt: Prompt, direction: str) -> Prompt:
    """Move a prompt one step up or down. At the edge of its group it crosses into the
    neighbouring group (the last of Opening moves down to the top of Core), so the keyboard
    can do everything drag and drop can. At the very top or bottom it stays put."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Choose up or down."))
    _locked_guide(prompt.guide)
    groups = _groups(prompt.guide)
    kind_index = KIND_ORDER.index(prompt.kind)
    group = groups[prompt.kind]
    i = group.index(prompt.pk)
    step = -1 if direction == "up" else 1
    if 0 <= i + step < len(group):
        group[i], group[i + step] = group[i + step], group[i]
        changed = {prompt.kind: group}
    else:
        target_index = kind_index + step
        if not 0 <= target_index < len(KIND_ORDER):
            return prompt
        target_kind = KIND_ORDER[target_index]
        group.remove(prompt.pk)
        target = groups[target_kind]
        if direction == "up":
            target.append(prompt.pk)
        else:
            target.insert(0, prompt.pk)
        changed = {prompt.kind: group, target_kind: target}
        prompt.kind = target_kind
    _renumber(changed)
    prompt.refresh_from_db(fields=["kind", "position"])
    return prompt


@transaction.atomic
def prompt_reorder(*, guide: InterviewGuide, kind: str, ordered_ids: list[int]) -> None:
    """Put `kind`'s group in the given order (from drag and drop).

    The list may include a prompt dragged in from another group: it joins this group. Prompts
    of the group the list leaves out (a page that was stale) keep their order at the end.
    """
    if kind not in KIND_ORDER:
        raise ValidationError(_("Unknown group."))
    _locked_guide(guide)
    groups = _groups(guide)
    known = {pk for pks in groups.values() for pk in pks}
    ordered = list(dict.fromkeys(ordered_ids))
    if not set(ordered) <= known:
        raise ValidationError(_("Those prompts are not all in this guide."))
    changed = {kind: ordered + [pk for pk in groups[kind] if pk not in ordered]}
    for other, pks in groups.items():
        if other != kind and any(pk in ordered for pk in pks):
            changed[other] = [pk for pk in pks if pk not in ordered]
    _renumber(changed)


def guide_groups(guide: InterviewGuide, prompts=None) -> list[tuple[str, str, list[Prompt]]]:
    """[(kind, label, prompts)] in the method's order, every group present (empty ones too)."""
    if prompts is None:
        prompts = guide.prompts.order_by("position", "id")
    by_kind = {kind: [] for kind in KIND_ORDER}
    for prompt in prompts:
        by_kind[prompt.kind].append(prompt)
    return [(kind, Prompt.Kind(kind).label, by_kind[kind]) for kind in KIND_ORDER]


# Prompt library ----------------------------------------------------------------------------


def pattern_create(*, campaign, text: str, kind: str, why: str = "", by=None) -> PromptPattern:
    last = campaign.prompt_patterns.aggregate(last=Max("position"))["last"]
    return PromptPattern.objects.create(
        campaign=campaign, text=text, kind=kind, why=why, created_by=by, position=(last or 0) + 1
    )


def pattern_delete(*, pattern: PromptPattern, by, request=None) -> None:
    if pattern.is_builtin:
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            campaign=pattern.campaign,
            target=pattern,
            request=request,
        )
        pattern.delete()


# Predictions -------------------------------------------------------------------------------


def predictions_locked(campaign) -> bool:
    """Whether the team's predictions are frozen.

    The method asks for predictions before the first interview, so they can be checked
    honestly afterwards: they lock as soon as any interview of this campaign has started
    (in progress or completed). Every caller (the page, the service below) asks this one function.
    """
    return Interview.objects.filter(campaign=campaign).started().exists()


@transaction.atomic
def prediction_list_replace(*, campaign, author, lines: list[str]) -> list[Prediction]:
    """Make `author`'s predictions exactly `lines` (in that order), keeping unchanged rows."""
    if predictions_locked(campaign):
        raise ValidationError(_("Predictions are locked: the team has started interviewing."))
    if not campaign.memberships.filter(user=author).exclude(role=Role.VIEWER).exists():
        raise PermissionDenied
    lines = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    if len(lines) > MAX_PREDICTIONS_PER_PERSON:
        raise ValidationError(
            _("Keep it to %(n)d predictions or fewer: the ones you are surest of.") % {"n": MAX_PREDICTIONS_PER_PERSON}
        )
    existing = {p.text: p for p in Prediction.objects.select_for_update().filter(campaign=campaign, author=author)}
    Prediction.objects.filter(pk__in=[p.pk for text, p in existing.items() if text not in lines]).delete()
    result = []
    for position, text in enumerate(lines):
        prediction = existing.get(text)
        if prediction is None:
            prediction = Prediction.objects.create(campaign=campaign, author=author, text=text, position=position)
        elif prediction.position != position:
            prediction.position = position
            prediction.save(update_fields=["position", "updated_at"])
        result.append(prediction)
    return result

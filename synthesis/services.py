"""Writes for synthesis. Views, the admin and the demo all go through these functions."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.services import issue_statement_refine

from .models import QUOTE_MAX_CHARS, Highlight, HighlightTag, Memo, PublishedQuote, RootCause, Tag, Theme, WhyStep

# --- Highlights --------------------------------------------------------------------------------


def locate_quote(body: str, quote: str, near: int = 0) -> int | None:
    """Where `quote` occurs in `body`, the occurrence nearest `near`; None when it is absent."""
    if not quote:
        return None
    found = []
    i = body.find(quote)
    while i != -1:
        found.append(i)
        i = body.find(quote, i + 1)
    if not found:
        return None
    return min(found, key=lambda pos: (abs(pos - near), pos))


def utf16_to_index(body: str, offset):
    """A browser's offset into `body` (JavaScript strings count UTF-16 code units: an emoji is
    two) as a Python index (code points). None stays None; an offset past the end stays past it."""
    if offset is None or offset < 0:
        return offset
    units = body.encode("utf-16-le")
    if 2 * offset > len(units):
        return len(body) + 1
    return len(units[: 2 * offset].decode("utf-16-le", errors="ignore"))


def resolve_span(body: str, *, start=None, end=None, quote: str = "") -> tuple[int, int]:
    """The span to highlight, `start`/`end` being Python indexes into `body` (code points).

    A mouse or keyboard selection sends offsets and the words; a typed or pasted quote sends
    only the words, which are then found in the body (the occurrence nearest `start`, if any).
    Offsets from a browser are UTF-16 units: convert them first (`highlight_create`'s
    `start_utf16`/`end_utf16`).
    """
    offsets_given = start is not None and end is not None and 0 <= start < end <= len(body)
    if offsets_given and (not quote or body[start:end] == quote):
        return start, end
    quote = quote.strip()
    if not quote:
        raise ValidationError(_("Select some words of the note first."))
    pos = locate_quote(body, quote, near=start or 0)
    if pos is None:
        raise ValidationError(_("Those words are not in this note. Copy them exactly as written."))
    return pos, pos + len(quote)


def _tags_by_name(campaign, names, user) -> list[Tag]:
    """Existing tags matched case-insensitively; new ones created on the fly."""
    tags = []
    for raw in names:
        name = " ".join(raw.split())[:80]
        if not name:
            continue
        tag = Tag.objects.filter(campaign=campaign, name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(campaign=campaign, name=name, created_by=user)
            except IntegrityError:  # created by someone else a moment ago
                tag = Tag.objects.get(campaign=campaign, name__iexact=name)
        if tag not in tags:
            tags.append(tag)
    return tags


@transaction.atomic
def highlight_create(
    *,
    note,
    user,
    start=None,
    end=None,
    start_utf16=None,
    end_utf16=None,
    quote: str = "",
    tag_ids=(),
    new_tags=(),
    memo: str = "",
) -> Highlight:
    """`start`/`end`: Python indexes into the body; `start_utf16`/`end_utf16`: the same offsets
    as a browser counts them (UTF-16 code units, what the notes page sends)."""
    from consent.selectors import withdrawn_participant_ids

    if withdrawn_participant_ids().filter(pk=note.participant_id).exists():
        raise ValidationError(_("This participant withdrew; their words cannot be highlighted."))
    if note.is_deleted:
        raise ValidationError(_("This note was deleted; its words cannot be highlighted."))
    if start_utf16 is not None or end_utf16 is not None:
        start, end = utf16_to_index(note.body, start_utf16), utf16_to_index(note.body, end_utf16)
    start, end = resolve_span(note.body, start=start, end=end, quote=quote)
    if end - start > QUOTE_MAX_CHARS:
        raise ValidationError(_("Highlight at most %(n)s characters.") % {"n": QUOTE_MAX_CHARS})
    highlight = Highlight.objects.create(
        note=note,
        campaign_id=note.campaign_id,
        participant_id=note.participant_id,
        start=start,
        end=end,
        quote=note.body[start:end],
        note_version=note.version,
        created_by=user,
    )
    tags = list(Tag.objects.filter(campaign_id=note.campaign_id, pk__in=list(tag_ids)))
    tags += [t for t in _tags_by_name(note.campaign, new_tags, user) if t not in tags]
    HighlightTag.objects.bulk_create([HighlightTag(highlight=highlight, tag=t) for t in tags])
    if memo.strip():
        Memo.objects.create(highlight=highlight, body=memo.strip(), author=user)
    return highlight


def highlight_reanchor(highlight: Highlight, note) -> Highlight:
    """Bring a highlight's offsets up to date with an edited note (rules in models.py's doc)."""
    _reanchored(highlight, note)
    highlight.save(update_fields=["start", "end", "needs_review", "note_version", "updated_at"])
    return highlight


def _reanchored(highlight: Highlight, note) -> Highlight:
    body = note.body
    if body[highlight.start : highlight.end] == highlight.quote:
        highlight.needs_review = False
    else:
        pos = locate_quote(body, highlight.quote, near=highlight.start)
        if pos is None:
            highlight.needs_review = True
        else:
            highlight.start, highlight.end = pos, pos + len(highlight.quote)
            highlight.needs_review = False
    highlight.note_version = note.version
    return highlight


def highlights_reanchor_stale(campaign) -> int:
    """Re-anchor every highlight of the campaign whose note changed since: one query when none
    is, two otherwise (the stale ones with their notes, one bulk UPDATE), however many."""
    stale = [_reanchored(h, h.note) for h in Highlight.objects.for_campaign(campaign).stale().select_related("note")]
    if stale:
        now = timezone.now()
        for h in stale:
            h.updated_at = now
        Highlight.objects.bulk_update(stale, ["start", "end", "needs_review", "note_version", "updated_at"])
    return len(stale)


def highlight_set_tags(*, highlight: Highlight, tag_ids=(), new_tags=(), user) -> None:
    with transaction.atomic():
        tags = list(Tag.objects.filter(campaign_id=highlight.campaign_id, pk__in=list(tag_ids)))
        tags += [t for t in _tags_by_name(highlight.campaign, new_tags, user) if t not in tags]
        HighlightTag.objects.filter(highlight=highlight).exclude(tag__in=tags).delete()
        have = set(HighlightTag.objects.filter(highlight=highlight).values_list("tag_id", flat=True))
        HighlightTag.objects.bulk_create(
            [HighlightTag(highlight=highlight, tag=t) for t in tags if t.pk not in have], ignore_conflicts=True
        )


def highlight_toggle(*, highlight: Highlight, field: str) -> Highlight:
    """Star / unstar, or mark / unmark as a dissenting voice."""
    if field not in ("starred", "dissenting"):
        raise ValueError(field)
    setattr(highlight, field, not getattr(highlight, field))
    highlight.save(update_fields=[field, "updated_at"])
    return highlight


def highlight_delete(*, highlight: Highlight, user, request=None) -> None:
    audit_record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        campaign=highlight.campaign,
        target=highlight,
        detail={"kind": "highlight"},
        request=request,
    )
    highlight.delete()


@transaction.atomic
def highlight_move(*, highlight_id: int, campaign, theme: Theme | None) -> int:
    """Put a card on a theme (or back in the pool). One atomic UPDATE; the last move wins.

    A quote published with a theme is published only while its card is on that theme: moving
    the card away unpublishes it there (a second statement, in the same transaction)."""
    if theme is not None and theme.campaign_id != campaign.pk:
        raise ValidationError(_("That theme belongs to another campaign."))
    moved = Highlight.objects.filter(pk=highlight_id, campaign=campaign).update(theme=theme, updated_at=timezone.now())
    stale = PublishedQuote.objects.filter(highlight_id=highlight_id, highlight__campaign=campaign)
    if theme is not None:
        stale = stale.exclude(theme=theme)
    stale.delete()
    return moved


def memo_add(*, user, body: str, highlight: Highlight | None = None, tag: Tag | None = None) -> Memo:
    if not body.strip():
        raise ValidationError(_("Write the memo first."))
    return Memo.objects.create(highlight=highlight, tag=tag, body=body.strip(), author=user)


# --- Tags ----------------------------------------------------------------------------------------


def tag_create(*, campaign, name: str, description: str = "", user) -> Tag:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the tag a name."))
    if Tag.objects.filter(campaign=campaign, name__iexact=name).exists():
        raise ValidationError(_("There is already a tag with that name."))
    return Tag.objects.create(campaign=campaign, name=name, description=description, created_by=user)


def tag_update(*, tag: Tag, name: str, description: str) -> Tag:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the tag a name."))
    if Tag.objects.filter(campaign_id=tag.campaign_id, name__iexact=name).exclude(pk=tag.pk).exists():
        raise ValidationError(_("There is already a tag with that name; merge the two instead."))
    tag.name, tag.description = name, description
    tag.save(update_fields=["name", "description"])
    return tag


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, user, request=None) -> Tag:
    """Move every highlight and memo of `source` onto `target`, then delete `source`.

    A highlight that had both tags keeps one link to `target`; no highlight loses a tag.
    """
    if source.pk == target.pk or source.campaign_id != target.campaign_id:
        raise ValidationError(_("Choose another tag of this campaign to merge into."))
    both = HighlightTag.objects.filter(tag=target).values("highlight_id")
    HighlightTag.objects.filter(tag=source, highlight_id__in=both).delete()
    HighlightTag.objects.filter(tag=source).update(tag=target)
    Memo.objects.filter(tag=source).update(tag=target)
    if source.description and source.description not in target.description:
        target.description = "\n\n".join(d for d in (target.description, source.description) if d)
        target.save(update_fields=["description"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        campaign=source.campaign,
        target=source,
        detail={"kind": "tag", "merged_into": target.pk},
        request=request,
    )
    source.delete()
    return target


# --- Themes --------------------------------------------------------------------------------------


def theme_create(*, campaign, title: str, statement: str = "", user) -> Theme:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Give the theme a title."))
    if Theme.objects.filter(campaign=campaign, title__iexact=title).exists():
        raise ValidationError(_("There is already a theme with that title."))
    position = (Theme.objects.filter(campaign=campaign).aggregate(p=Max("position"))["p"] or 0) + 1
    return Theme.objects.create(campaign=campaign, title=title, statement=statement, position=position, created_by=user)


def theme_update(*, theme: Theme, title: str, statement: str) -> Theme:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Give the theme a title."))
    if Theme.objects.filter(campaign_id=theme.campaign_id, title__iexact=title).exclude(pk=theme.pk).exists():
        raise ValidationError(_("There is already a theme with that title; merge the two instead."))
    theme.title, theme.statement = title, statement
    theme.save(update_fields=["title", "statement", "updated_at"])
    return theme


def theme_needs_lead(*themes: Theme) -> bool:
    """Changing a published theme changes what viewers read: only a lead may edit, merge (as
    source or target), split or delete one."""
    return any(t.is_published for t in themes)


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme, user, request=None) -> Theme:
    """Everything on `source` (cards, why-steps, root causes, links) moves to `target`."""
    if source.pk == target.pk or source.campaign_id != target.campaign_id:
        raise ValidationError(_("Choose another theme of this campaign to merge into."))
    Highlight.objects.filter(theme=source).update(theme=target, updated_at=timezone.now())
    RootCause.objects.filter(theme=source).update(theme=target)
    offset = target.why_steps.aggregate(p=Max("position"))["p"] or 0
    for step in source.why_steps.order_by("position"):
        offset += 1
        step.theme, step.position = target, offset
        step.save(update_fields=["theme", "position"])
    target.issue_statements.add(*source.issue_statements.all())
    quoted = set(target.published_quotes.values_list("highlight_id", flat=True))
    PublishedQuote.objects.filter(theme=source).exclude(highlight_id__in=quoted).update(theme=target)
    if source.statement and source.statement not in target.statement:
        target.statement = "\n\n".join(s for s in (target.statement, source.statement) if s)
        target.save(update_fields=["statement", "updated_at"])
    audit_record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        campaign=source.campaign,
        target=source,
        detail={"kind": "theme", "merged_into": target.pk},
        request=request,
    )
    source.delete()
    return target


@transaction.atomic
def theme_split(*, theme: Theme, highlight_ids, title: str, user) -> Theme:
    """A new theme taking the chosen cards of `theme` with it."""
    ids = set(theme.highlights.filter(pk__in=list(highlight_ids)).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("Choose the cards that go to the new theme."))
    new = theme_create(campaign=theme.campaign, title=title, user=user)
    new.moved_cards = Highlight.objects.filter(pk__in=ids, theme=theme).update(theme=new, updated_at=timezone.now())
    # Chosen quotes go with their cards; the new theme is not published, so viewers no longer
    # see them until a lead publishes it (the view says so).
    new.moved_quotes = PublishedQuote.objects.filter(theme=theme, highlight_id__in=ids).update(theme=new)
    return new


def theme_delete(*, theme: Theme, user, request=None) -> None:
    """The theme goes; its cards go back to the pool (they are never deleted with it)."""
    audit_record(
        actor=user,
        action=AuditEvent.Action.DELETE,
        campaign=theme.campaign,
        target=theme,
        detail={"kind": "theme"},
        request=request,
    )
    theme.delete()


@transaction.atomic
def theme_publish(*, theme: Theme, highlight_ids, user, shown_ids=None, request=None) -> Theme:
    """Publish a theme for viewers with the chosen quotes; each must be consent-cleared to quote.

    `shown_ids`: the cards the lead saw with a checkbox (one page of the theme). Only those
    change: ticked ones are published, unticked ones unpublished; quotes chosen earlier on other
    pages stay. Without `shown_ids` the ticked quotes are added and none is removed.
    Sets `theme.quote_count` to how many quotes are published with it now.
    """
    from consent.selectors import scopes_by_participant

    ticked = {int(pk) for pk in highlight_ids}
    shown = ticked if shown_ids is None else {int(pk) for pk in shown_ids} | ticked
    kept = set(theme.published_quotes.exclude(highlight_id__in=shown).values_list("highlight_id", flat=True))
    chosen = list(theme.highlights.visible().filter(pk__in=ticked | kept).order_by("-starred", "id"))
    chosen.sort(key=lambda h: (h.pk not in kept, 0))  # earlier choices keep their lead
    scopes = scopes_by_participant({h.participant_id for h in chosen})
    refused = [
        h
        for h in chosen
        if h.pk in ticked and (not scopes.get(h.participant_id) or not scopes[h.participant_id].may_quote)
    ]
    if refused:
        raise ValidationError(
            _("These participants did not agree to be quoted: %(codes)s.")
            % {"codes": ", ".join(sorted({h.participant.code for h in refused}))}
        )
    theme.published_quotes.all().delete()
    PublishedQuote.objects.bulk_create(
        [PublishedQuote(theme=theme, highlight=h, position=i) for i, h in enumerate(chosen)]
    )
    theme.quote_count = len(chosen)
    theme.published_at = timezone.now()
    theme.published_by = user
    theme.save(update_fields=["published_at", "published_by", "updated_at"])
    return theme


def theme_unpublish(*, theme: Theme) -> Theme:
    theme.published_quotes.all().delete()
    theme.published_at = None
    theme.published_by = None
    theme.save(update_fields=["published_at", "published_by", "updated_at"])
    return theme


# --- Why-chains and root causes ------------------------------------------------------------------


def _evidence(theme: Theme, highlight_ids) -> list[Highlight]:
    evidence = list(Highlight.objects.visible().filter(campaign_id=theme.campaign_id, pk__in=list(highlight_ids)))
    if not evidence:
        raise ValidationError(_("How do you know? Cite at least one highlight."))
    return evidence


@transaction.atomic
def why_step_add(*, theme: Theme, answer: str, highlight_ids, user) -> WhyStep:
    if not answer.strip():
        raise ValidationError(_("Write the answer to “why?”."))
    evidence = _evidence(theme, highlight_ids)
    position = (theme.why_steps.aggregate(p=Max("position"))["p"] or 0) + 1
    step = WhyStep.objects.create(theme=theme, position=position, answer=answer.strip(), author=user)
    step.evidence.set(evidence)
    return step


@transaction.atomic
def root_cause_add(*, theme: Theme, category: str, statement: str, highlight_ids, user) -> RootCause:
    if category not in RootCause.Category.values:
        raise ValidationError(_("Choose a category."))
    if not statement.strip():
        raise ValidationError(_("Write the root cause."))
    evidence = _evidence(theme, highlight_ids)
    cause = RootCause.objects.create(theme=theme, category=category, statement=statement.strip(), author=user)
    cause.evidence.set(evidence)
    return cause


def issue_statement_refine_from(*, campaign, text: str, rationale: str, author, themes=(), root_causes=()):
    """A new issue statement version that records the themes and root causes behind it."""
    themes = list(Theme.objects.filter(campaign=campaign, pk__in=[getattr(t, "pk", t) for t in themes]))
    root_causes = list(
        RootCause.objects.filter(theme__campaign=campaign, pk__in=[getattr(r, "pk", r) for r in root_causes])
    )
    return issue_statement_refine(
        campaign=campaign, text=text, rationale=rationale, author=author, themes=themes, root_causes=root_causes
    )


def prediction_mark(*, prediction, status: str, note: str = ""):
    prediction.mark(status, note)
    return prediction

"""Rendered pieces of the board, cached under a digest of exactly what they show.

A board page is forty cards and up to sixty theme columns; rendering them is most of its time.
Each piece is looked up under a key made from every value it displays (and the language and the
path its links return to), all in one `get_many`: a piece whose words, tags, counts or preview
changed has a new key and is rendered afresh, so nothing here is ever stale and nothing needs
invalidating. Only pieces the page's own queries returned are looked up, so words that may no
longer be shown (a withdrawn participant's, a deleted note's) are never read from the cache:
their card is not in the query's rows and so is never asked for. Unused keys expire.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache, caches
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

TIMEOUT = 24 * 3600
PREFIX = "synthesis:fragment:v1"


def _campaign_prefix(campaign_id) -> str:
    return f"{PREFIX}:c{campaign_id}:"


# What the cached pieces are made by: a deploy that changes any of these starts new keys, so
# markup (or a rule such as small-group attribution) from the code before is never served.
CODE_FILES = (
    "synthesis/views.py",
    "synthesis/fragments.py",
    "synthesis/selectors.py",
    "synthesis/generations.py",
    "exports/attribution.py",
    "consent/selectors.py",
    "templates/includes/pagination.html",
)
CODE_GLOBS = ("templates/synthesis/*.html",)


@functools.cache
def code_version() -> str:
    base = settings.BASE_DIR
    paths = sorted({base / name for name in CODE_FILES} | {p for g in CODE_GLOBS for p in base.glob(g)})
    digest = hashlib.blake2b(digest_size=8)
    for path in paths:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key_for(campaign_id, name: str, parts) -> str:
    """A cache key for this campaign's `name` with these parts, in the active language, made
    by this version of the code."""
    digest = hashlib.blake2b(repr((code_version(), get_language(), parts)).encode(), digest_size=20).hexdigest()
    return f"{_campaign_prefix(campaign_id)}{name}:{digest}"


def forget(campaign_ids) -> None:
    """Delete every cached piece of these campaigns now (a purge: words removed for good must
    not wait in the cache for their keys to expire). Redis: the campaign's keys by prefix
    (SCAN, in batches); the in-process cache: its matching keys; another backend: all of it."""
    backend = caches["default"]  # the backend itself (`cache` is a proxy to it)
    prefixes = [backend.make_key(_campaign_prefix(pk)) for pk in campaign_ids]
    if not prefixes:
        return
    kind = type(backend).__name__
    if kind == "RedisCache":
        client = backend._cache.get_client(write=True)
        for prefix in prefixes:
            batch = []
            for key in client.scan_iter(match=prefix + "*", count=1000):
                batch.append(key)
                if len(batch) >= 500:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
    elif kind == "LocMemCache":
        with backend._lock:
            for key in [k for k in backend._cache if k.startswith(tuple(prefixes))]:
                backend._cache.pop(key, None)
                backend._expire_info.pop(key, None)
    else:
        backend.clear()


def render_each(campaign, template_name: str, items, context_for, parts_for) -> list:
    """The rendered `template_name` for each of `items` (in order), from the cache where the
    same content was rendered before. `context_for(item)` is the template's context;
    `parts_for(item)` every value the rendering depends on (a tuple of plain values). Keys
    carry the campaign's id, so a purge can delete the campaign's pieces (`forget`)."""
    items = list(items)
    if not items:
        return []
    keys = [key_for(campaign.pk, template_name, parts_for(item)) for item in items]
    found = cache.get_many(keys)
    template = None
    missing = {}
    out = []
    for item, key in zip(items, keys, strict=True):
        html = found.get(key)
        if html is None:
            template = template or get_template(template_name).template
            html = template.render(Context(context_for(item), autoescape=True))
            missing[key] = str(html)
        out.append(mark_safe(html))  # noqa: S308 (rendered by our autoescaping template)
    if missing:
        cache.set_many(missing, TIMEOUT)
    return out


def card_parts(h, campaign, next_path: str, show_theme: bool = True) -> tuple:
    """Everything `_card.html` shows of a card."""
    participant = h.participant
    prompt = h.note.prompt if h.note_id else None
    return (
        campaign.slug,
        next_path,
        show_theme,
        h.pk,
        h.quote,
        h.starred,
        h.dissenting,
        h.needs_review,
        h.theme_id,
        h.theme.title if h.theme_id else "",
        participant.code,
        participant.role,
        prompt.text if prompt else None,
        tuple(t.name for t in h.tags.all()),
    )


def theme_parts(t, campaign) -> tuple:
    """Everything `_board_theme.html` shows of a theme column."""
    return (
        campaign.slug,
        t.pk,
        t.title,
        t.statement,
        t.published_at is not None,
        t.card_count,
        t.voice_count,
        tuple((h["quote"], h["participant_code"]) for h in t.preview),
    )


def board_cards_html(request, campaign, cards) -> list:
    next_path = request.get_full_path()

    def context(h):
        return {"h": h, "campaign": campaign, "show_theme": True, "request": request}

    return render_each(campaign, "synthesis/_card.html", cards, context, lambda h: card_parts(h, campaign, next_path))


def board_themes_html(campaign, themes) -> list:
    return render_each(
        campaign,
        "synthesis/_board_theme.html",
        themes,
        lambda t: {"t": t, "campaign": campaign},
        lambda t: theme_parts(t, campaign),
    )


def board_filters_html(campaign, filters, themes, options):
    """The board's filter form: its choices (themes, tags, groups, prompts) and what is selected."""

    def parts(_):
        return (
            campaign.slug,
            repr(filters),
            tuple((t.pk, t.title) for t in themes),
            tuple((t["pk"], t["name"]) for t in options["tags"]),
            tuple((v.pk, v.dimension.name, v.label) for v in options["values"]),
            tuple((p.pk, p.guide.title, p.text) for p in options["prompts"]),
            tuple((v, str(label)) for v, label in options["roles"]),
        )

    context = {"filters": filters, "themes": themes, "options": options, "campaign": campaign}
    return render_each(campaign, "synthesis/_board_filters.html", [None], lambda _: context, parts)[0]


def search_filters_html(campaign, selected, kinds, options):
    """Search's filters: their choices and what is selected (the words typed are outside)."""

    def parts(_):
        return (
            tuple(sorted(selected.items())),
            tuple((v, str(label)) for v, label in kinds),
            tuple((v, str(label)) for v, label in options["roles"]),
            tuple((t["pk"], t["name"]) for t in options["tags"]),
            tuple((p.pk, p.text) for p in options["prompts"]),
        )

    context = {"selected": selected, "kinds": kinds, "options": options}
    return render_each(campaign, "synthesis/_search_filters.html", [None], lambda _: context, parts)[0]


def evidence_cards_html(campaign, theme, cards, published_ids, quotable) -> list:
    """A theme page's evidence cards. What a card shows depends on the reader (a lead sees the
    publish checkbox, whether the words may be quoted and how they would be attributed), so all
    of that is part of the key."""
    membership = campaign.membership

    def context(h):
        return {
            "h": h,
            "campaign": campaign,
            "theme": theme,
            "membership": membership,
            "published_ids": published_ids,
            "quotable": quotable,
        }

    def parts(h):
        return (
            campaign.slug,
            membership.is_lead,
            theme.published_at is not None,
            h.pk,
            h.quote,
            h.starred,
            h.dissenting,
            h.participant.code,
            h.participant.role,
            h.pk in published_ids,
            h.pk in quotable,
            getattr(h, "public_attribution", None),
            tuple(t.name for t in h.tags.all()),
        )

    return render_each(campaign, "synthesis/_evidence_card.html", cards, context, parts)


def voices_html(campaign, voices):
    """The "whose voices" panel, keyed on every figure and label it shows."""

    def parts(_):
        return (
            voices.total,
            voices.summary,
            voices.one_person,
            voices.one_group,
            tuple(voices.missing_sentences),
            tuple((r.label, r.count, r.share) for r in voices.roles),
            tuple(
                (
                    d.dimension.name,
                    d.not_recorded,
                    tuple((r.label, r.count, r.share, r.population_share, r.marginalized) for r in d.rows),
                )
                for d in voices.dimensions
            ),
        )

    return render_each(campaign, "synthesis/_voices.html", [None], lambda _: {"voices": voices}, parts)[0]


def _form_parts(form) -> tuple:
    """Everything an unbound form renders from: its fields' kinds, labels, help, choices,
    widget attributes and initial values."""
    fields = []
    for name, f in form.fields.items():
        choices = getattr(f, "choices", None)
        fields.append(
            (
                name,
                type(f).__name__,
                type(f.widget).__name__,
                str(f.label),
                str(f.help_text),
                f.required,
                repr(sorted(f.widget.attrs.items())),
                tuple((str(v), str(label)) for v, label in choices) if choices is not None else None,
                repr(form.get_initial_for_field(f, name)),
            )
        )
    return (type(form).__module__, type(form).__qualname__, form.prefix, form.auto_id, tuple(fields))


def crispy_html(campaign, form):
    """`{{ form|crispy }}` of an unbound form (a page's blank or pre-filled form), from the cache
    when the same form was rendered before; a bound form (with the user's input and errors) is
    always rendered afresh."""
    if form is None:
        return ""
    if form.is_bound:
        return get_template("synthesis/_crispy_form.html").template.render(Context({"form": form}, autoescape=True))
    return render_each(campaign, "synthesis/_crispy_form.html", [form], lambda f: {"form": f}, _form_parts)[0]

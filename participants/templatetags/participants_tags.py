from functools import lru_cache
from urllib.parse import quote

from django import template
from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from consent.selectors import withdrawn_participant_ids
from empathy.access import TEAM

from ..models import Participant, TargetOverride
from ..selectors import COUNTS_CACHE_SECONDS, COUNTS_INPUTS, counts_inputs_annotations, counts_inputs_key

register = template.Library()


@register.inclusion_tag("participants/_overview_panel.html", takes_context=True)
def participants_overview(context, campaign):
    """Participant counts and the latest priority-target override, for the campaign overview.

    One query reads the override and what the counts depend on (selectors.counts_inputs_*); the
    counts come from the cache under that key, or from one more aggregate query when something
    changed. Aggregates only: no participant is named, so every role may see it.
    """
    latest = TargetOverride.objects.filter(campaign_id=OuterRef("pk")).order_by("-created_at", "-id")
    row = (
        Campaign.objects.filter(pk=campaign.pk)
        .annotate(
            override_reason=Subquery(latest.values("reason")[:1]),
            override_at=Subquery(latest.values("created_at")[:1]),
            override_by=Subquery(latest.values("by__full_name")[:1]),
            override_by_email=Subquery(latest.values("by__email")[:1]),
            **counts_inputs_annotations(),
        )
        .values("override_reason", "override_at", "override_by", "override_by_email", *COUNTS_INPUTS)
        .get()
    )
    key = f"participants:overview-counts:{campaign.pk}:{counts_inputs_key(row)}"
    counts = cache.get(key)
    if counts is None:
        counts = Participant.objects.filter(campaign=campaign).aggregate(
            total=Count("pk"),
            invited=Count("pk", filter=~Q(status=Participant.Status.NOMINATED)),
            interviewed=Count(
                "pk",
                filter=Q(status=Participant.Status.INTERVIEWED) & ~Q(pk__in=withdrawn_participant_ids(campaign)),
            ),
        )
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    membership = context.get("membership")
    return {
        "campaign": campaign,
        "panel": {**row, **counts},
        "team": membership is not None and membership.role in TEAM,
    }


# The participant list renders these for every row: built in Python rather than an included
# template per row, which cost most of the list's time (docs/benchmarks.md).


@register.simple_tag
def participant_values(participant):
    """A badge per group the participant belongs to, from `participant.groups` (views._with_groups)."""
    if not participant.groups:
        return mark_safe('<span class="text-body-secondary">—</span>')
    badges = []
    for name, label in participant.groups:
        short = len(label) < 6  # "Yes", "K-5": they need their dimension to make sense
        name, label = escape(name), escape(label)
        prefix = f"{name}: " if short else f'<span class="visually-hidden">{name}: </span>'
        badges.append(f'<span class="badge value-badge" title="{name}">{prefix}{label}</span>')
    return mark_safe(" ".join(badges))  # every piece escaped above


@register.simple_tag
def participant_flags(participant):
    """The equity flags: most impacted, not usually asked (given or derived), asked before, recent, minor."""
    badges = _flag_badges(get_language())
    flags = []
    if participant.most_directly_impacted:
        flags.append(badges["impacted"])
    earlier = getattr(participant, "earlier_interviews", None)
    if participant.not_usually_asked:
        flags.append(badges["unasked"])
    elif not earlier:
        flags.append(badges["derived"])
    if earlier:
        text = ngettext("asked in %(n)s earlier campaign", "asked in %(n)s earlier campaigns", earlier) % {"n": earlier}
        start, end = badges["asked"]
        flags.append(f"{start}{escape(text)}{end}")
    if getattr(participant, "recently_interviewed", False):
        flags.append(badges["recent"])
    if participant.is_minor:
        flags.append(badges["minor"])
    return mark_safe(" ".join(flags))  # the badges are built escaped


@lru_cache(maxsize=16)
def _flag_badges(language):
    """The flags' markup in one language, built once (a list page shows them on every row).
    `asked` is the markup before and after its count's text."""
    return {
        "impacted": format_html('<span class="badge flag-impacted">{}</span>', _("most impacted")),
        "unasked": format_html('<span class="badge flag-unasked">{}</span>', _("not usually asked")),
        "derived": format_html(
            '<span class="badge flag-derived" title="{}">{}<span class="visually-hidden"> {}</span></span>',
            _("Derived: never interviewed in an earlier campaign of the district"),
            _("not usually asked"),
            _("(derived)"),
        ),
        "asked": (
            format_html(
                '<span class="badge flag-asked" title="{}">', _("Interviewed in earlier campaigns of the district")
            ),
            "</span>",
        ),
        "recent": format_html('<span class="badge flag-recent">{}</span>', _("interviewed recently")),
        "minor": format_html('<span class="badge flag-minor">{}</span>', _("minor")),
    }


@register.simple_tag
def coverage_bars(row):
    """A coverage row's three bars (population, invited, interviewed) as inline SVG.

    The numbers are in the row's table cells; the label repeats them for screen readers.
    Drawn in Python: the coverage page has a row per group and value.
    """
    population, invited, interviewed = row.population_share, row.invited_share, row.interviewed_share
    label = _("Population %(p)s%%, invited %(i)s%%, interviewed %(v)s%%") % {
        "p": localize(population) if population is not None else "?",
        "i": localize(invited) if invited is not None else localize(0),
        "v": localize(interviewed) if interviewed is not None else localize(0),
    }
    widths = [f"{share or 0:.1f}" for share in (population, invited, interviewed)]
    return format_html(
        '<svg class="coverage-bars" width="100%" height="40" role="img" aria-label="{}">'
        '<rect class="bar-track" x="0" y="0" width="100%" height="40"></rect>'
        '<rect class="bar-population" x="0" y="2" width="{}%" height="11"></rect>'
        '<rect class="bar-invited" x="0" y="14" width="{}%" height="11"></rect>'
        '<rect class="bar-interviewed" x="0" y="26" width="{}%" height="11"></rect></svg>',
        label,
        *widths,
    )


@register.simple_tag
def participant_row(participant, detail_prefix, shows_name_column):
    """One row of the participant list: code, name (for those who may see it), role, status,
    groups and flags. Built in Python: 25 rows through the template engine were most of the page.

    `detail_prefix` is the detail URL of the campaign up to the code (one reverse() per page).
    """
    url = escape(f"{detail_prefix}{quote(participant.code)}/")
    cells = [f'<th scope="row"><a href="{url}">{escape(participant.code)}</a></th>']
    if shows_name_column:
        cells.append(f"<td>{_identity(participant)}</td>")
    status = escape(participant.status)
    cells += [
        f"<td>{escape(_label(Participant.Role, participant.role))}</td>",
        f'<td><span class="badge status-{status}">{escape(_label(Participant.Status, participant.status))}</span></td>',
        f'<td class="small">{participant_values(participant)}</td>',
        f'<td class="small">{participant_flags(participant)}</td>',
    ]
    return mark_safe(f"<tr>{''.join(cells)}</tr>")  # every value escaped above


@lru_cache(maxsize=64)
def _labels(choices, language):
    return {value: str(label) for value, label in choices.choices}


def _label(choices, value):
    """The translated label of a choice. get_FOO_display() translates every choice of the field
    to find one (hashing lazy labels); this translates each once per language and process."""
    return _labels(choices, get_language()).get(value, value)


def _identity(participant):
    if not participant.shows_identity:
        hidden = escape(_("not assigned to you"))
        return f'<span class="text-body-secondary">{hidden}</span>'
    if not participant.school:
        return escape(participant.full_name)
    school = escape(participant.school)
    if participant.grade:
        school += " · " + escape(_("grade %(g)s") % {"g": participant.grade})
    return f'{escape(participant.full_name)}<div class="small text-body-secondary">{school}</div>'

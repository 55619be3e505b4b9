"""What the public "What we heard" page shows: only what the lead published.

The issue statement, the published themes, their released quotes (the lead's chosen quotes,
re-checked against consent now: withdrawn or no longer quotable participants drop out; scrubbed;
attribution by `exports.attribution`), and the lead's own words in the reader's language.
"""

from dataclasses import dataclass, field

from consent.models import language_name

from .models import CommunitySummary
from .tables import ExportContext

QUOTES_PER_THEME = 2
# Each language named in itself, so a reader finds their own in the switcher.
ENDONYMS = {
    "en": "English",
    "es": "Español",
    "vi": "Tiếng Việt",
    "zh": "中文",
    "ar": "العربية",
    "so": "Soomaali",
    "tl": "Tagalog",
    "ht": "Kreyòl ayisyen",
    "hmn": "Hmoob",
    "ko": "한국어",
    "ru": "Русский",
    "pt": "Português",
    "fr": "Français",
}


@dataclass
class HeardTheme:
    title: str
    statement: str
    quotes: list = field(default_factory=list)  # [(text, attribution)]


def summary_languages(campaign) -> list[str]:
    """English plus every language participants of the campaign prefer."""
    from participants.models import Participant

    languages = set(
        Participant.objects.filter(campaign=campaign)
        .exclude(preferred_language="other")
        .values_list("preferred_language", flat=True)
    )
    return ["en", *sorted(languages - {"en"})]


def language_options(campaign):
    return [(code, language_name(code)) for code in summary_languages(campaign)]


def heard_data(summary: CommunitySummary, language: str) -> dict:
    from synthesis.models import PublishedQuote, Theme

    campaign = summary.campaign
    texts = {t.language: t for t in summary.texts.all()}
    text = texts.get(language) or texts.get("en") or next(iter(texts.values()), None)
    ctx = ExportContext.build(campaign, anonymized=True, heard_only=True)
    themes = list(Theme.objects.filter(campaign=campaign, published_at__isnull=False).order_by("position", "id"))
    quotes: dict = {t.pk: [] for t in themes}
    for pq in (
        PublishedQuote.objects.filter(theme__in=themes)
        .select_related("highlight")
        .order_by("theme_id", "position", "id")
    ):
        h = pq.highlight
        quotable = h.participant_id in ctx.people and ctx.may_quote(h.participant_id)
        if quotable and len(quotes[pq.theme_id]) < QUOTES_PER_THEME:
            quotes[pq.theme_id].append((ctx.words(h.participant_id, h.quote), ctx.attribution(h.participant_id)))
    statement = campaign.issue_statements.order_by("-version").first()
    return {
        "campaign": campaign,
        "summary": summary,
        "text": text,
        "language": text.language if text else language,
        "languages": [
            (code, ENDONYMS.get(code) or language_name(code)) for code in sorted(texts, key=lambda c: (c != "en", c))
        ],
        "statement": statement,
        "themes": [HeardTheme(t.title, t.statement, quotes[t.pk]) for t in themes],
    }

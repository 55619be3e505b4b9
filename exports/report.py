"""The campaign report: what a district could hand to its board.

`report_data(campaign)` gathers it (a fixed number of queries, whatever the data size): the
issue statement and its history, goals, who was heard (coverage by dimension and by role), the
themes with whose voices and selected quotes, the why-chains, the root causes as a fishbone
table, and the method (prompts used, dates, team size). `write_docx(data, path)` writes it with
python-docx; `templates/exports/report.html` is the same on a page.

Quotes follow the rules for words that leave the product: never a withdrawn participant's, only
from participants who agreed to be quoted, scrubbed of their own name and contacts, attributed
only as `exports.attribution.attribution_for` allows (consent and small-group protection).
The report is always anonymized.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .attribution import heard_ids
from .tables import ExportContext

QUOTES_PER_THEME = 3
MISSING_SHOWN = 4  # "No one whose … is …" sentences per theme; the theme page lists them all
BAR_WIDTH = 30


@dataclass
class Quote:
    text: str
    attribution: str


@dataclass
class ThemeSection:
    theme: object
    voices: object
    quotes: list = field(default_factory=list)
    why_steps: list = field(default_factory=list)
    root_causes: list = field(default_factory=list)


@dataclass
class ReportData:
    campaign: object
    generated_at: object
    statements: list
    goals: list
    coverage: object
    heard_by_role: list  # [(label, count, share)]
    heard_total: int
    themes: list
    fishbone: list  # [(category label, [root cause, ...])]
    guides: list  # [(guide, [(kind label, [prompt text])])]
    interviews_done: int
    first_interview: object
    last_interview: object
    team: list  # [(role label, count)]
    team_size: int


def _quotes_for(ctx: ExportContext, themes) -> dict[int, list[Quote]]:
    """Published quotes where the lead chose them, otherwise the theme's starred highlights
    first; only quotable participants; at most QUOTES_PER_THEME each. Two queries."""
    from synthesis.models import Highlight, PublishedQuote

    theme_ids = [t.pk for t in themes]
    chosen: dict[int, list] = {pk: [] for pk in theme_ids}
    for pq in (
        PublishedQuote.objects.filter(theme_id__in=theme_ids, highlight__participant_id__in=list(ctx.people))
        .select_related("highlight")
        .order_by("theme_id", "position", "id")
    ):
        chosen[pq.theme_id].append(pq.highlight)
    candidates = (
        Highlight.objects.visible()
        .filter(theme_id__in=[pk for pk, hs in chosen.items() if not hs], needs_review=False)
        .order_by("theme_id", "-starred", "-dissenting", "id")
        .only("pk", "theme_id", "participant_id", "quote")
    )
    for h in candidates:
        chosen[h.theme_id].append(h)
    quotes = {}
    for pk, highlights in chosen.items():
        out = []
        for h in highlights:
            if h.participant_id in ctx.people and ctx.may_quote(h.participant_id):
                out.append(Quote(ctx.words(h.participant_id, h.quote), ctx.attribution(h.participant_id)))
            if len(out) == QUOTES_PER_THEME:
                break
        quotes[pk] = out
    return quotes


def report_data(campaign, *, published_only: bool = False) -> ReportData:
    from campaigns.models import Membership, Role
    from interviews.models import Interview, InterviewGuide, Prompt
    from participants.models import Participant
    from participants.selectors import coverage
    from synthesis.models import RootCause, WhyStep
    from synthesis.selectors import themes_with_counts

    ctx = ExportContext.build(campaign, anonymized=True, heard_only=True)
    themes = themes_with_counts(campaign).order_by("position", "id")
    if published_only:
        themes = themes.filter(published_at__isnull=False)
    themes = list(themes)
    quotes = _quotes_for(ctx, themes)
    steps: dict = {}
    for step in WhyStep.objects.filter(theme__in=themes).order_by("theme_id", "position"):
        steps.setdefault(step.theme_id, []).append(step)
    causes = list(RootCause.objects.filter(theme__in=themes).select_related("theme").order_by("category", "id"))
    by_theme: dict = {}
    for c in causes:
        by_theme.setdefault(c.theme_id, []).append(c)
    voices = themes_voices(campaign, [t.pk for t in themes])
    sections = [
        ThemeSection(
            theme=t,
            voices=voices[t.pk],
            quotes=quotes.get(t.pk, []),
            why_steps=steps.get(t.pk, []),
            root_causes=by_theme.get(t.pk, []),
        )
        for t in themes
    ]
    fishbone = [(label, [c for c in causes if c.category == value]) for value, label in RootCause.Category.choices]
    heard = Participant.objects.filter(campaign=campaign, pk__in=heard_ids(campaign))
    role_counts = dict(heard.order_by().values_list("role").annotate(n=Count("pk", distinct=True)))
    heard_total = sum(role_counts.values())
    heard_by_role = [
        (str(label), role_counts[value], round(100 * role_counts[value] / heard_total, 1))
        for value, label in Participant.Role.choices
        if role_counts.get(value)
    ]
    started = Interview.objects.filter(campaign=campaign).started()
    dates = started.aggregate(first=Min("scheduled_at"), last=Max("scheduled_at"), done=Count("pk"))
    guides = []
    used = InterviewGuide.objects.filter(campaign=campaign, interviews__in=started).distinct().order_by("title")
    prompts = Prompt.objects.filter(guide__in=used).order_by("guide_id", "kind", "position", "id")
    by_guide: dict = {}
    for p in prompts:
        by_guide.setdefault(p.guide_id, []).append(p)
    for guide in used:
        groups = []
        for value, label in Prompt.Kind.choices:
            texts = [p.text for p in by_guide.get(guide.pk, []) if p.kind == value]
            if texts:
                groups.append((str(label), texts))
        guides.append((guide, groups))
    team_counts = dict(
        Membership.objects.filter(campaign=campaign)
        .exclude(role=Role.VIEWER)
        .values_list("role")
        .annotate(n=Count("pk"))
    )
    team = [(str(label), team_counts[value]) for value, label in Role.choices if team_counts.get(value)]
    return ReportData(
        campaign=campaign,
        generated_at=timezone.now(),
        statements=list(campaign.issue_statements.order_by("-version")),
        goals=list(campaign.goals.all()),
        coverage=coverage(campaign),
        heard_by_role=heard_by_role,
        heard_total=heard_total,
        themes=sections,
        fishbone=fishbone,
        guides=guides,
        interviews_done=dates["done"],
        first_interview=dates["first"],
        last_interview=dates["last"],
        team=team,
        team_size=sum(team_counts.values()),
    )


def themes_voices(campaign, theme_ids) -> dict:
    """`synthesis.selectors.whose_voices` for many themes at once: {theme id: Voices}.

    Four queries whatever the number of themes (role counts and value counts per theme, grouped
    by the database; the dimensions with their values), so the report stays fast at 60 themes."""
    from consent.selectors import withdrawn_participant_ids
    from participants.models import EquityDimension, Participant, ParticipantValue
    from synthesis.models import Highlight
    from synthesis.selectors import DimensionVoices, GroupCount, Voices

    def pct(count, total):
        return round(100 * count / total, 1) if total else None

    withdrawn = withdrawn_participant_ids(campaign)
    roles: dict = {pk: {} for pk in theme_ids}
    for theme_id, role, n in (
        Highlight.objects.filter(campaign=campaign, theme_id__in=theme_ids)
        .exclude(participant_id__in=withdrawn)
        .order_by()
        .values_list("theme_id", "participant__role")
        .annotate(n=Count("participant_id", distinct=True))
    ):
        roles[theme_id][role] = n
    values: dict = {pk: {} for pk in theme_ids}
    for theme_id, value_id, n in (
        ParticipantValue.objects.filter(
            participant__highlights__campaign=campaign, participant__highlights__theme_id__in=theme_ids
        )
        .exclude(participant_id__in=withdrawn)
        .order_by()
        .values_list("participant__highlights__theme_id", "value_id")
        .annotate(n=Count("participant_id", distinct=True))
    ):
        values[theme_id][value_id] = n
    dimensions = list(EquityDimension.objects.filter(campaign=campaign).prefetch_related("values"))
    out = {}
    for pk in theme_ids:
        by_role = roles[pk]
        total = sum(by_role.values())
        role_rows = [
            GroupCount(label=str(label), count=by_role[value], share=pct(by_role[value], total))
            for value, label in Participant.Role.choices
            if by_role.get(value)
        ]
        dims = []
        for dimension in dimensions:
            rows = []
            for value in dimension.values.all():
                n = values[pk].get(value.pk, 0)
                share = float(value.population_share) if value.population_share is not None else None
                rows.append(GroupCount(value.label, n, pct(n, total), share, value.often_marginalized))
            dims.append(
                DimensionVoices(dimension=dimension, rows=rows, not_recorded=max(total - sum(r.count for r in rows), 0))
            )
        out[pk] = Voices(total=total, roles=role_rows, dimensions=dims)
    return out


def bar(share) -> str:
    """A text bar for the coverage chart in Word (no images, no network): one block per 100/BAR_WIDTH %."""
    if share is None:
        return ""
    return "█" * int(round(float(share) * BAR_WIDTH / 100))


def _pct(value) -> str:
    return "—" if value is None else f"{float(value):g} %"


def write_docx(data: ReportData, path, progress=None) -> int:
    """Write the report; returns the number of quotes it holds."""
    from django.utils import formats
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    c = data.campaign
    doc.add_heading(c.title, level=0)
    doc.add_paragraph(
        _("Report of the empathy interviews, %(date)s.")
        % {"date": formats.date_format(timezone.localtime(data.generated_at), "DATE_FORMAT")}
    )
    if c.policy_context:
        doc.add_paragraph(c.policy_context)

    doc.add_heading(_("The issue we set out to understand"), level=1)
    current = data.statements[0] if data.statements else None
    if current:
        doc.add_paragraph(current.text, style="Intense Quote")
    if len(data.statements) > 1:
        doc.add_heading(_("How the issue statement changed"), level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, (_("Version"), _("Statement"), _("Why it changed")), strict=True):
            cell.text = text
        for s in data.statements:
            row = table.add_row().cells
            row[0].text = f"v{s.version} ({formats.date_format(timezone.localtime(s.created_at), 'DATE_FORMAT')})"
            row[1].text = s.text
            row[2].text = s.rationale
    if data.goals:
        doc.add_heading(_("Goals"), level=1)
        for g in data.goals:
            doc.add_paragraph(g.text, style="List Bullet")
    if progress:
        progress(20)

    doc.add_heading(_("Who we heard"), level=1)
    doc.add_paragraph(
        _(
            "%(invited)s people were invited and %(interviewed)s interviewed; the words in this report come from "
            "the %(heard)s whose notes are in it (%(interviews)s interviews held)."
        )
        % {
            "invited": data.coverage.invited,
            "interviewed": data.coverage.interviewed,
            "heard": data.heard_total,
            "interviews": data.interviews_done,
        }
    )
    if data.heard_by_role:
        table = doc.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(
            table.rows[0].cells, (_("Role"), _("People whose notes are here"), _("Share")), strict=True
        ):
            cell.text = text
        for label, n, share in data.heard_by_role:
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text = label, str(n), _pct(share)
    for d in data.coverage.dimensions:
        doc.add_heading(d.dimension.name, level=2)
        doc.add_paragraph(
            _("Each group's share of the affected population and of the people interviewed. ▓ population, █ heard.")
        )
        table = doc.add_table(rows=1, cols=4)
        table.style = "Light Grid Accent 1"
        headers = (_("Group"), _("Population share"), _("Share of those interviewed"), _("Chart"))
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = text
        for r in d.rows:
            row = table.add_row().cells
            row[0].text = str(r.label) + (" — " + _("under-heard") if r.under_heard else "")
            row[1].text = _pct(r.population_share)
            row[2].text = _pct(r.interviewed_share)
            chart = row[3].paragraphs[0]
            pop = chart.add_run(bar(r.population_share).replace("█", "▓") + "\n")
            pop.font.color.rgb = RGBColor(0x99, 0x99, 0x99)
            heard_run = chart.add_run(bar(r.interviewed_share))
            heard_run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
    if progress:
        progress(40)

    doc.add_heading(_("What we heard"), level=1)
    if not data.themes:
        doc.add_paragraph(_("No themes yet."))
    quotes = 0
    for section in data.themes:
        t = section.theme
        doc.add_heading(t.title, level=2)
        if t.statement:
            doc.add_paragraph(t.statement)
        doc.add_paragraph(section.voices.summary).italic = True
        for sentence in section.voices.missing_sentences[:MISSING_SHOWN]:
            doc.add_paragraph(sentence, style="List Bullet")
        for q in section.quotes:
            p = doc.add_paragraph(style="Quote")
            p.add_run(f"“{q.text}”")
            if q.attribution:
                p.add_run(f" — {q.attribution}")
            quotes += 1
        if section.why_steps:
            doc.add_paragraph(_("Why? (asking why until we reach a cause)")).runs[0].bold = True
            for step in section.why_steps:
                doc.add_paragraph(step.answer, style="List Number")
    if progress:
        progress(70)

    doc.add_heading(_("Root causes"), level=1)
    if not any(causes for _label, causes in data.fishbone):
        doc.add_paragraph(_("No root causes recorded yet."))
    else:
        doc.add_paragraph(
            _("The fishbone, by category: what in our policies, practices and places produces the issue.")
        )
        table = doc.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, (_("Category"), _("Root cause"), _("Theme")), strict=True):
            cell.text = text
        for label, causes in data.fishbone:
            for n, cause in enumerate(causes):
                row = table.add_row().cells
                row[0].text = str(label) if n == 0 else ""
                row[1].text = cause.statement
                row[2].text = cause.theme.title

    doc.add_heading(_("How we listened"), level=1)
    when = ""
    if data.first_interview:
        when = _("Interviews ran from %(first)s to %(last)s.") % {
            "first": formats.date_format(timezone.localtime(data.first_interview), "DATE_FORMAT"),
            "last": formats.date_format(timezone.localtime(data.last_interview), "DATE_FORMAT"),
        }
    team = ", ".join(f"{n} × {label}" for label, n in data.team)
    doc.add_paragraph(
        " ".join(
            filter(
                None,
                [
                    when,
                    _("A team of %(n)s (%(team)s) held %(interviews)s interviews.")
                    % {"n": data.team_size, "team": team, "interviews": data.interviews_done},
                    _(
                        "Participants chose whether they may be quoted and how; quotes appear only with their "
                        "consent, and without attribution when it could point to a group of fewer than three people."
                    ),
                ],
            )
        )
    )
    for guide, groups in data.guides:
        doc.add_heading(_("Prompts: %(guide)s") % {"guide": guide.title}, level=2)
        for label, texts in groups:
            doc.add_paragraph(label).runs[0].bold = True
            for text in texts:
                doc.add_paragraph(text, style="List Bullet")
    doc.save(path)
    return quotes


def report_counts(campaign) -> dict:
    """Small numbers for the exports page: themes and quotable quotes (two queries)."""
    from synthesis.models import Theme

    return Theme.objects.filter(campaign=campaign).aggregate(
        themes=Count("pk"), published=Count("pk", filter=Q(published_at__isnull=False))
    )

"""Synthesis pages through the test client: what each role sees, htmx moves, and the queries each
page runs at two data sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interviews.factories import PredictionFactory
from participants.factories import DimensionValueFactory, EquityDimensionFactory
from participants.models import ParticipantValue
from synthesis import services
from synthesis.factories import HighlightFactory, RootCauseFactory, TagFactory, ThemeFactory
from synthesis.models import Highlight, Tag

from .conftest import withdraw


def url(campaign, rest=""):
    return f"/c/{campaign.slug}/{rest}"


@pytest.fixture
def populate(campaign, make_note, analyst):
    """n highlights spread over 3 themes and 3 tags (plus a dimension), each with its own note."""
    dimension = EquityDimensionFactory(campaign=campaign, name="Home language")
    value = DimensionValueFactory(dimension=dimension, label="Spanish", population_share=30)

    def make(n):
        themes = [ThemeFactory(campaign=campaign) for _ in range(3)]
        tags = [TagFactory(campaign=campaign) for _ in range(3)]
        for i in range(n):
            note = make_note(f"Quote number {i}: the bus was late again and the letter scared my mother.")
            ParticipantValue.objects.get_or_create(participant=note.participant, dimension=dimension, value=value)
            h = HighlightFactory(note=note, theme=themes[i % 3] if i % 4 else None, tags=[tags[i % 3]])
            RootCauseFactory(theme=themes[i % 3]).evidence.add(h)
            services.why_step_add(theme=themes[i % 3], answer=f"Because {i}", highlight_ids=[h.pk], user=analyst)
        services.theme_publish(
            theme=themes[0], highlight_ids=list(themes[0].highlights.values_list("pk", flat=True)), user=analyst
        )
        return themes, tags

    return make


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


PAGES = [
    "synthesis/",
    "synthesis/?theme=",
    "synthesis/notes/",
    "synthesis/codebook/",
    "synthesis/predictions/",
    "themes/{theme}/",
    "root-causes/",
    "root-causes/?theme={theme}",
    "findings/",
    "search/?q=bus+letter",
    "synthesis/tags/{tag}/",
    "issue/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_queries_per_page_do_not_grow_with_the_data(page, campaign, populate, client_for, lead):
    """Each page runs the same number of queries with 4 and with 40 highlights (see the view for
    the list: session, user, membership, the page's own reads — counts, one page of rows and one
    prefetch per relation, never one query per row)."""
    client = client_for(lead)
    themes, tags = populate(4)
    PredictionFactory(campaign=campaign, author=lead)
    services.issue_statement_refine_from(campaign=campaign, text="v", rationale="", author=lead, themes=themes[:1])
    path = url(campaign, page.format(theme=themes[0].pk, tag=tags[0].pk))
    small = _count(client, path)
    populate(36)
    PredictionFactory(campaign=campaign, author=lead)
    services.issue_statement_refine_from(campaign=campaign, text="v", rationale="", author=lead, themes=themes)
    assert _count(client, path) == small


@pytest.mark.django_db
def test_board_query_budget(campaign, populate, client_for, analyst, django_assert_num_queries):
    populate(6)
    client = client_for(analyst)
    client.get(url(campaign, "synthesis/"))  # the first request after sign-in also saves the session
    # session, user, membership; the campaign's generation; stale highlights; themes with
    # counts; theme previews; cards count; filter tags, prompts, dimension values; cards page;
    # their tags; and the session's save (savepoint, update, release) that the project's
    # middleware does on every request
    with django_assert_num_queries(16):
        client.get(url(campaign, "synthesis/?theme="))
    populate(30)
    with django_assert_num_queries(16):
        client.get(url(campaign, "synthesis/?theme="))
    # Nothing written since: session, user, membership, the generation and the session's save.
    with django_assert_num_queries(7):
        client.get(url(campaign, "synthesis/?theme="))


@pytest.mark.django_db
def test_the_board_shows_cards_with_code_role_and_words_never_names(campaign, make_note, client_for, analyst):
    note = make_note("The bus didn't come.", role="student")
    HighlightFactory(note=note)
    body = client_for(analyst).get(url(campaign, "synthesis/")).content.decode()
    assert note.participant.code in body and "Student" in body and "The bus didn" in body
    assert note.participant.full_name not in body


@pytest.mark.django_db
def test_the_board_pages_its_cards(campaign, make_note, client_for, analyst):
    for i in range(45):
        HighlightFactory(note=make_note(f"Card {i:02d} words here"))
    response = client_for(analyst).get(url(campaign, "synthesis/"))
    assert response.content.decode().count('class="card syn-card') == 40
    assert response.context["page"].paginator.num_pages == 2


@pytest.mark.django_db
def test_board_filters(campaign, make_note, client_for, analyst):
    theme = ThemeFactory(campaign=campaign)
    tag = TagFactory(campaign=campaign, name="bus")
    on_theme = HighlightFactory(note=make_note("On a theme already", role="family"), theme=theme)
    tagged = HighlightFactory(note=make_note("Tagged student words", role="student"), tags=[tag])
    client = client_for(analyst)

    def ids(query):
        return set(client.get(url(campaign, "synthesis/?" + query)).context["card_ids"])

    assert ids("") == {tagged.pk}  # default: not yet on a theme
    assert ids("theme=") == {on_theme.pk, tagged.pk}
    assert ids(f"theme={theme.pk}") == {on_theme.pk}
    assert ids(f"theme=&tag={tag.pk}") == {tagged.pk}
    assert ids("theme=&role=family") == {on_theme.pk}


@pytest.mark.django_db
class TestMove:
    def test_an_htmx_move_returns_the_card_and_the_changed_theme_headers_only(
        self, campaign, make_note, client_for, analyst
    ):
        a, b = ThemeFactory(campaign=campaign, title="Alpha"), ThemeFactory(campaign=campaign, title="Beta")
        ThemeFactory(campaign=campaign, title="Gamma")
        card = HighlightFactory(note=make_note(), theme=a)
        response = client_for(analyst).post(
            url(campaign, f"synthesis/highlights/{card.pk}/move/"), {"theme": b.pk}, HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert f'id="card-{card.pk}"' in body
        assert (
            f'id="theme-head-{a.pk}" hx-swap-oob="true"' in body
            and f'id="theme-head-{b.pk}" hx-swap-oob="true"' in body
        )
        assert "theme-head-" + str(a.pk + 2) not in body  # Gamma did not change
        assert len(body) < 6000  # a small fragment, not the board
        card.refresh_from_db()
        assert card.theme_id == b.pk

    def test_the_keyboard_form_works_without_javascript(self, campaign, make_note, client_for, analyst):
        theme = ThemeFactory(campaign=campaign)
        card = HighlightFactory(note=make_note())
        response = client_for(analyst).post(
            url(campaign, f"synthesis/highlights/{card.pk}/move/"),
            {"theme": theme.pk, "next": url(campaign, "synthesis/?page=1")},
        )
        assert response.status_code == 302 and response["Location"] == url(campaign, "synthesis/?page=1")
        card.refresh_from_db()
        assert card.theme_id == theme.pk

    def test_the_move_form_is_loaded_per_card(self, campaign, make_note, client_for, analyst):
        """The board does not carry every theme in every card; the keyboard form comes on demand."""
        themes = [ThemeFactory(campaign=campaign, title=f"Theme {i}") for i in range(5)]
        card = HighlightFactory(note=make_note(), theme=themes[2])
        client = client_for(analyst)
        board = client.get(url(campaign, "synthesis/?theme=")).content.decode()
        assert board.count("<option") < 20  # the filters only
        move = url(campaign, f"synthesis/highlights/{card.pk}/move/")
        fragment = client.get(move, {"next": "/c/x/"}, HTTP_HX_REQUEST="true").content.decode()
        assert fragment.count("<option") == 6 and f'<option value="{themes[2].pk}" selected>' in fragment
        assert client.get(move)["Location"].endswith(f"/synthesis/highlights/{card.pk}/#theme-select")

    def test_moving_to_no_theme(self, campaign, make_note, client_for, analyst):
        card = HighlightFactory(note=make_note(), theme=ThemeFactory(campaign=campaign))
        client_for(analyst).post(url(campaign, f"synthesis/highlights/{card.pk}/move/"), {"theme": ""})
        card.refresh_from_db()
        assert card.theme_id is None

    def test_another_campaigns_theme_is_404(self, campaign, other_campaign, make_note, client_for, analyst):
        card = HighlightFactory(note=make_note())
        foreign = ThemeFactory(campaign=other_campaign)
        response = client_for(analyst).post(
            url(campaign, f"synthesis/highlights/{card.pk}/move/"), {"theme": foreign.pk}
        )
        assert response.status_code == 404

    def test_viewers_cannot_move(self, campaign, make_note, client_for, viewer):
        card = HighlightFactory(note=make_note())
        theme = ThemeFactory(campaign=campaign)
        response = client_for(viewer).post(url(campaign, f"synthesis/highlights/{card.pk}/move/"), {"theme": theme.pk})
        assert response.status_code == 403


@pytest.mark.django_db
def test_highlighting_a_note_through_the_page(campaign, make_note, client_for, analyst):
    note = make_note("I waited 40 minutes and then just went home.")
    response = client_for(analyst).post(
        url(campaign, "synthesis/highlights/new/"),
        {
            "note": note.pk,
            "start_utf16": 2,
            "end_utf16": 19,
            "quote": "waited 40 minutes",
            "tags": "waiting, Transport",
        },
    )
    assert response.status_code == 302
    h = Highlight.objects.get()
    assert (h.start, h.end, h.quote) == (2, 19, "waited 40 minutes")
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Transport", "waiting"]
    page = client_for(analyst).get(url(campaign, "synthesis/notes/")).content.decode()
    assert "<mark" in page and "waited 40 minutes</mark>" in page


@pytest.mark.django_db
def test_withdrawn_words_appear_on_no_synthesis_page(campaign, make_note, client_for, lead):
    theme = ThemeFactory(campaign=campaign)
    tag = TagFactory(campaign=campaign)
    secret = "Xylophone-secret words from someone who left"
    h = HighlightFactory(note=make_note(secret), theme=theme, tags=[tag])
    services.theme_publish(theme=theme, highlight_ids=[h.pk], user=lead)
    services.why_step_add(theme=theme, answer="Because", highlight_ids=[h.pk], user=lead)
    services.issue_statement_refine_from(campaign=campaign, text="v2", rationale="", author=lead, themes=[theme])
    withdraw(h.participant)
    client = client_for(lead)
    for path in [
        "synthesis/?theme=",
        "synthesis/notes/",
        "synthesis/codebook/",
        f"themes/{theme.pk}/",
        f"root-causes/?theme={theme.pk}",
        "findings/",
        "search/?q=xylophone",
        f"synthesis/tags/{tag.pk}/",
        "issue/",
    ]:
        assert "Xylophone" not in client.get(url(campaign, path)).content.decode(), path
    assert client.get(url(campaign, f"synthesis/highlights/{h.pk}/")).status_code == 404


@pytest.mark.django_db
class TestFindingsAndIssue:
    def test_viewers_see_published_themes_and_chosen_quotes_only(self, campaign, make_note, client_for, lead, viewer):
        published = ThemeFactory(campaign=campaign, title="Letters frighten")
        hidden = ThemeFactory(campaign=campaign, title="Draft theme nobody should see")
        chosen = HighlightFactory(note=make_note("Chosen quote about letters"), theme=published)
        HighlightFactory(note=make_note("Unchosen raw words"), theme=published)
        HighlightFactory(note=make_note("Draft raw words"), theme=hidden)
        services.theme_publish(theme=published, highlight_ids=[chosen.pk], user=lead)
        client = client_for(viewer)
        body = client.get(url(campaign, "findings/")).content.decode()
        assert "Letters frighten" in body and "Chosen quote about letters" in body
        assert "Draft theme" not in body and "Unchosen raw words" not in body and "Draft raw words" not in body
        assert chosen.participant.code not in body
        for path in ["synthesis/", f"themes/{published.pk}/", "root-causes/", "search/?q=letters"]:
            assert client.get(url(campaign, path)).status_code == 403

    def test_issue_history_shows_evidence_per_role_and_a_word_diff(
        self, campaign, make_note, client_for, lead, viewer, analyst
    ):
        services.issue_statement_refine_from(campaign=campaign, text="Students miss school.", rationale="", author=lead)
        published = ThemeFactory(campaign=campaign, title="Published theme")
        draft = ThemeFactory(campaign=campaign, title="Draft theme")
        quote = HighlightFactory(note=make_note("Published words here"), theme=published)
        HighlightFactory(note=make_note("Draft words here"), theme=draft)
        services.theme_publish(theme=published, highlight_ids=[quote.pk], user=lead)
        services.issue_statement_refine_from(
            campaign=campaign,
            text="Students in temporary housing miss school.",
            rationale="",
            author=lead,
            themes=[published, draft],
        )
        team = client_for(analyst).get(url(campaign, "issue/")).content.decode()
        assert "Published theme" in team and "Draft theme" in team and "Draft words here" in team
        assert '<ins class="diff-add">in temporary housing</ins>' in team
        board = client_for(viewer).get(url(campaign, "issue/")).content.decode()
        assert "Published theme" in board and "Published words here" in board
        assert "Draft theme" not in board and "Draft words here" not in board


@pytest.mark.django_db
def test_theme_page_shows_whose_voices_and_lead_only_tools(campaign, make_note, client_for, lead, analyst):
    theme = ThemeFactory(campaign=campaign, title="Getting there")
    HighlightFactory(note=make_note("Only one voice"), theme=theme)
    page = client_for(analyst).get(url(campaign, f"themes/{theme.pk}/")).content.decode()
    assert "Rests on one person" in page and "Publish for viewers" not in page
    assert "Publish for viewers" in client_for(lead).get(url(campaign, f"themes/{theme.pk}/")).content.decode()
    assert client_for(analyst).post(url(campaign, f"themes/{theme.pk}/publish/")).status_code == 403


@pytest.mark.django_db
def test_theme_merge_and_split_views(campaign, make_note, client_for, analyst):
    a, b = ThemeFactory(campaign=campaign, title="A"), ThemeFactory(campaign=campaign, title="B")
    cards = [HighlightFactory(note=make_note(), theme=a) for _ in range(3)]
    client = client_for(analyst)
    response = client.post(url(campaign, f"themes/{a.pk}/split/"), {"cards": [cards[0].pk], "title": "C"})
    assert response.status_code == 302
    c = campaign.themes.get(title="C")
    assert list(c.highlights.all()) == [cards[0]]
    client.post(url(campaign, f"themes/{c.pk}/merge/"), {"into": b.pk})
    assert not campaign.themes.filter(title="C").exists()
    assert list(b.highlights.all()) == [cards[0]]


@pytest.mark.django_db
def test_tag_rename_and_merge_views(campaign, make_note, client_for, analyst):
    bus, transport = TagFactory(campaign=campaign, name="bus"), TagFactory(campaign=campaign, name="transport")
    h = HighlightFactory(note=make_note(), tags=[bus])
    client = client_for(analyst)
    client.post(url(campaign, f"synthesis/tags/{bus.pk}/"), {"name": "school bus", "description": "d"})
    bus.refresh_from_db()
    assert bus.name == "school bus"
    client.post(url(campaign, f"synthesis/tags/{bus.pk}/merge/"), {"into": transport.pk})
    assert list(h.tags.all()) == [transport]
    codebook = client.get(url(campaign, "synthesis/codebook/")).content.decode()
    assert "transport" in codebook and "school bus" not in codebook


@pytest.mark.django_db
def test_root_causes_page_draws_the_fishbone_and_adds_cited_steps(campaign, make_note, client_for, analyst):
    theme = ThemeFactory(campaign=campaign)
    h = HighlightFactory(note=make_note(), theme=theme)
    client = client_for(analyst)
    client.post(url(campaign, f"root-causes/{theme.pk}/why/"), {"answer": "Routes were cut", "evidence": [h.pk]})
    client.post(url(campaign, f"root-causes/{theme.pk}/why/"), {"answer": "No evidence"})
    client.post(
        url(campaign, f"root-causes/{theme.pk}/cause/"),
        {"category": "resources", "statement": "Bus budget <cut>", "evidence": [h.pk]},
    )
    assert list(theme.why_steps.values_list("answer", flat=True)) == ["Routes were cut"]
    page = client.get(url(campaign, f"root-causes/?theme={theme.pk}")).content.decode()
    assert '<svg class="fishbone"' in page and "Bus budget &lt;cut&gt;" in page and "<cut>" not in page


@pytest.mark.django_db
def test_predictions_are_marked_side_by_side_with_themes(campaign, client_for, analyst, lead):
    prediction = PredictionFactory(campaign=campaign, author=lead, text="Buses are the main barrier")
    ThemeFactory(campaign=campaign, title="Getting there is fragile")
    client = client_for(analyst)
    page = client.get(url(campaign, "synthesis/predictions/")).content.decode()
    assert "Buses are the main barrier" in page and "Getting there is fragile" in page
    client.post(
        url(campaign, f"synthesis/predictions/{prediction.pk}/mark/"),
        {f"p{prediction.pk}-status": "contradicted", f"p{prediction.pk}-note": "It was the letters"},
    )
    prediction.refresh_from_db()
    assert (prediction.status, prediction.status_note) == ("contradicted", "It was the letters")


@pytest.mark.django_db
def test_memos_and_flags_on_a_highlight(campaign, make_note, client_for, analyst):
    h = HighlightFactory(note=make_note())
    client = client_for(analyst)
    client.post(url(campaign, f"synthesis/highlights/{h.pk}/memo/"), {"body": "This matters <b>a lot</b>"})
    response = client.post(
        url(campaign, f"synthesis/highlights/{h.pk}/toggle/"), {"field": "starred"}, HTTP_HX_REQUEST="true"
    )
    assert "Starred" in response.content.decode()
    page = client.get(url(campaign, f"synthesis/highlights/{h.pk}/")).content.decode()
    assert "This matters &lt;b&gt;a lot&lt;/b&gt;" in page
    h.refresh_from_db()
    assert h.starred


@pytest.mark.django_db
def test_outsiders_get_404(campaign, make_note, client_for, outsider):
    h = HighlightFactory(note=make_note())
    client = client_for(outsider)
    assert client.get(url(campaign, "synthesis/")).status_code == 404
    assert client.get(url(campaign, f"synthesis/highlights/{h.pk}/")).status_code == 404
    assert client.get(url(campaign, "findings/")).status_code == 404


# Every page's queries, named. Each begins with session, user, membership (3) and ends with the
# session's save the project's middleware does on every request: savepoint, update, release (3).
BUDGETS = {
    # stale highlights; themes with counts; theme previews; cards count; filter tags, prompts,
    # dimension values; cards page; their tags; the campaign's generation
    "synthesis/?theme=": 16,
    # stale highlights; notes count; notes page; their highlights; tag names
    "synthesis/notes/": 11,
    # tags count; tags page (with highlight and memo counts); example highlights per tag
    "synthesis/codebook/": 9,
    # predictions; themes with counts
    "synthesis/predictions/": 8,
    # theme; evidence count; other themes; root causes; current issue statement; whose voices
    # (roles, values, dimensions, their values); published ids; evidence page; their tags;
    # the page's consent scopes, for quotable and attributions (participants, consent records);
    # group sizes; the campaign's generation (what it computed is cached under it)
    "themes/{theme}/": 22,
    # themes; all root causes; evidence choices; why-steps; their evidence; theme's causes;
    # their evidence
    "root-causes/?theme={theme}": 13,
    # themes count; themes page; published quotes; their participants' consent (participants,
    # records); group sizes
    "findings/": 12,
    # ranked ids (the best 1,001: also the capped count); the page's notes; their tags;
    # matching highlights; matching tag memos; filter tags, prompts, dimension values; the
    # campaign's generation
    "search/?q=bus+letter": 15,
    # tag; other tags; highlights count; memos; highlights page; their tags
    "synthesis/tags/{tag}/": 12,
    # versions count; versions page; previous texts; themes; root causes; quotes per theme
    "issue/": 12,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "budget"), BUDGETS.items())
def test_query_budget_per_page_at_two_sizes(
    page, budget, campaign, populate, client_for, lead, django_assert_num_queries
):
    client = client_for(lead)
    themes, tags = populate(4)
    PredictionFactory(campaign=campaign, author=lead)
    services.issue_statement_refine_from(campaign=campaign, text="v", rationale="", author=lead, themes=themes[:1])
    services.theme_publish(
        theme=themes[0], highlight_ids=list(themes[0].highlights.values_list("pk", flat=True)), user=lead
    )
    client.get(url(campaign, "synthesis/"))  # the first request after sign-in also saves the session
    path = url(campaign, page.format(theme=themes[0].pk, tag=tags[0].pk))
    with django_assert_num_queries(budget):
        client.get(path)
    populate(36)
    PredictionFactory(campaign=campaign, author=lead)
    services.issue_statement_refine_from(campaign=campaign, text="v", rationale="", author=lead, themes=themes)
    with django_assert_num_queries(budget):
        client.get(path)

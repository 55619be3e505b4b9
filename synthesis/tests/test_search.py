"""Search over notes: Postgres full-text (English stemming, ranked, GIN index) or a plain
fallback on SQLite; escaped highlighting; filters; who may search; withdrawn never found."""

import pytest
from django.conf import settings
from django.db import connection

from interviews.factories import InterviewGuideFactory, PromptFactory
from synthesis.factories import HighlightFactory, TagFactory
from synthesis.selectors import fallback_headline, marked_html, notes_with_headlines, search_notes

from .conftest import withdraw


def search(client, campaign, query):
    return client.get(f"/c/{campaign.slug}/search/", {"q": query, **({} if isinstance(query, str) else query)})


@pytest.mark.django_db
def test_finds_notes_and_marks_the_words(campaign, make_note, client_for, analyst):
    hit = make_note("The bus never came, so I walked home in the rain.", role="student")
    make_note("My grandmother was in the hospital.")
    response = client_for(analyst).get(f"/c/{campaign.slug}/search/", {"q": "bus"})
    body = response.content.decode()
    assert response.context["note_ids"] == [hit.pk]
    assert "<mark>bus</mark>" in body
    assert hit.participant.code in body and hit.participant.full_name not in body


@pytest.mark.django_db
def test_user_text_is_escaped_before_marking(campaign, make_note, client_for, analyst):
    # An <img onerror> survives ts_headline (which drops <script>): it shows the escaping works.
    make_note('The bus <img src=x onerror=alert(1)> <script>alert("x")</script> <mark>never</mark> came.')
    body = client_for(analyst).get(f"/c/{campaign.slug}/search/", {"q": "bus"}).content.decode()
    assert "<img src=x" not in body
    assert "<script>alert" not in body
    if not settings.IS_POSTGRES:  # ts_headline drops tags by itself; the fallback keeps them, escaped
        assert "&lt;script&gt;" in body
    assert "<mark>never</mark>" not in body  # a user's own <mark> is not markup


def test_marked_html_escapes_and_marks():
    html = marked_html("a <b>\ue000bus\ue001</b> & co")
    assert str(html) == "a &lt;b&gt;<mark>bus</mark>&lt;/b&gt; &amp; co"


def test_fallback_headline_marks_every_term_case_insensitively():
    text = fallback_headline("The Bus was late. The bus!", ["bus"])
    assert text.count("\ue000") == 2


@pytest.mark.django_db
def test_filters_by_kind_role_prompt_and_tag(campaign, make_note, client_for, analyst):
    prompt = PromptFactory(guide=InterviewGuideFactory(campaign=campaign))
    quote = make_note("bus quote", role="student", kind="quote", prompt=prompt)
    observation = make_note("bus observation", role="family", kind="observation")
    tag = TagFactory(campaign=campaign)
    HighlightFactory(note=observation, tags=[tag])
    client = client_for(analyst)

    def found(**filters):
        response = client.get(f"/c/{campaign.slug}/search/", {"q": "bus", **filters})
        return set(response.context["note_ids"])

    assert found() == {quote.pk, observation.pk}
    assert found(kind="observation") == {observation.pk}
    assert found(role="student") == {quote.pk}
    assert found(prompt=prompt.pk) == {quote.pk}
    assert found(tag=tag.pk) == {observation.pk}


@pytest.mark.django_db
def test_withdrawn_participants_are_never_found(campaign, make_note, client_for, lead):
    gone = make_note("bus words of someone who withdrew")
    stays = make_note("bus words of someone who stays")
    withdraw(gone.participant)
    response = client_for(lead).get(f"/c/{campaign.slug}/search/", {"q": "bus"})
    assert response.context["note_ids"] == [stays.pk]


@pytest.mark.django_db
def test_only_the_team_searches_and_only_its_campaign(
    campaign, other_campaign, make_note, client_for, viewer, outsider, analyst
):
    make_note("bus")
    assert client_for(viewer).get(f"/c/{campaign.slug}/search/", {"q": "bus"}).status_code == 403
    assert client_for(outsider).get(f"/c/{campaign.slug}/search/", {"q": "bus"}).status_code == 404
    assert list(search_notes(other_campaign, "bus")) == []


@pytest.mark.django_db
def test_counting_stops_at_the_cap(campaign, make_note, client_for, analyst, monkeypatch):
    monkeypatch.setattr("synthesis.selectors.SEARCH_COUNT_CAP", 2)
    for i in range(4):
        make_note(f"bus {i}")
    response = client_for(analyst).get(f"/c/{campaign.slug}/search/", {"q": "bus"})
    assert "More than 2 notes found" in response.content.decode()
    assert len(response.context["note_ids"]) == 3  # the best cap + 1 are listed; narrowing finds the rest


@pytest.mark.django_db
def test_an_empty_query_finds_nothing_and_says_what_to_do(campaign, make_note, client_for, analyst):
    make_note("bus")
    response = client_for(analyst).get(f"/c/{campaign.slug}/search/", {"q": "  "})
    assert response.context["note_ids"] == [] and "Search every note" in response.content.decode()


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="full-text search runs on Postgres")
@pytest.mark.django_db
class TestPostgresFullText:
    def test_stemming_matches_other_forms_of_a_word(self, campaign, make_note):
        note = make_note("I waited forty minutes at the stop.")
        assert [n.pk for n in search_notes(campaign, "waiting")] == [note.pk]

    def test_results_are_ranked_by_relevance(self, campaign, make_note):
        weak = make_note("The letter came on Monday. We talked about many other things, dinner and homework.")
        strong = make_note("The letter, the letter about court: that letter scared us.")
        assert [n.pk for n in search_notes(campaign, "letter court")][:1] == [strong.pk]
        assert weak.pk not in [n.pk for n in search_notes(campaign, "letter court")]  # websearch: all words
        ranked = [n.pk for n in search_notes(campaign, "letter")]
        assert ranked == [strong.pk, weak.pk]

    def test_the_headline_comes_from_the_database(self, campaign, make_note):
        make_note("Our bus stop moved across the highways.")
        (note,) = notes_with_headlines(search_notes(campaign, "highway").values_list("pk", flat=True), "highway")
        assert "<mark>highways</mark>" in note.headline_html  # stemmed: the word as written is marked

    def test_a_gin_index_on_a_stored_english_vector(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'synthesis_note_search_gin'")
            (definition,) = cursor.fetchone()
            cursor.execute(
                "SELECT generation_expression FROM information_schema.columns "
                "WHERE table_name = 'interviews_note' AND column_name = 'synthesis_search'"
            )
            (expression,) = cursor.fetchone()
        assert "gin" in definition.lower() and "synthesis_search" in definition
        assert "to_tsvector('english'" in expression

    def test_an_edited_note_is_found_by_its_new_words(self, campaign, make_note):
        note = make_note("The bus was late.")
        note.body = "The train was late."
        note.save(update_fields=["body"])
        assert [n.pk for n in search_notes(campaign, "train")] == [note.pk]
        assert list(search_notes(campaign, "bus")) == []

"""What the board, theme and search pages do to stay fast on a large campaign, and that none of it
shows anything stale: the stale-anchor flag kept at write time, the rendered pieces cached under
a digest of what they show, the paged card ids, the group sizes read per participant."""

import pytest
from django.conf import settings

from exports.attribution import campaign_group_sizes
from interviews.models import Note
from participants.factories import ParticipantFactory
from synthesis import fragments, selectors, services
from synthesis.factories import HighlightFactory, TagFactory, ThemeFactory
from synthesis.models import Highlight

from .conftest import withdraw

BODY = "We moved in January. The bus didn't come to our stop. I waited and went home."


def url(campaign, rest=""):
    return f"/c/{campaign.slug}/{rest}"


def _edit(note, body):
    """What the note-taking page does on save: new body, version + 1."""
    note.body = body
    note.version += 1
    note.save(update_fields=["body", "version"])


# --- The stale-anchor flag ------------------------------------------------------------------------

postgres_only = pytest.mark.skipif(not settings.IS_POSTGRES, reason="the flag is kept by PostgreSQL triggers")


@postgres_only
@pytest.mark.django_db
class TestAnchorStaleFlag:
    def test_editing_a_note_flags_its_highlights_and_only_them(self, make_note, analyst, campaign):
        note, other = make_note(BODY), make_note(BODY)
        h = services.highlight_create(note=note, user=analyst, quote="The bus didn't come")
        untouched = services.highlight_create(note=other, user=analyst, quote="The bus didn't come")
        assert not Highlight.objects.get(pk=h.pk).anchor_stale
        _edit(note, "A new first line. " + BODY)
        assert Highlight.objects.get(pk=h.pk).anchor_stale
        assert not Highlight.objects.get(pk=untouched.pk).anchor_stale
        assert list(Highlight.objects.for_campaign(campaign).stale()) == [h]

    def test_a_bulk_update_of_notes_is_caught_too(self, make_note, analyst, campaign):
        note = make_note(BODY)
        h = services.highlight_create(note=note, user=analyst, quote="went home")
        Note.objects.filter(pk=note.pk).update(body="I went home.", version=note.version + 1)
        assert Highlight.objects.get(pk=h.pk).anchor_stale

    def test_saving_without_a_new_version_flags_nothing(self, make_note, analyst):
        note = make_note(BODY)
        h = services.highlight_create(note=note, user=analyst, quote="went home")
        note.save()
        assert not Highlight.objects.get(pk=h.pk).anchor_stale

    def test_reanchoring_clears_the_flag_and_keeps_the_documented_rules(self, make_note, analyst, campaign):
        note = make_note(BODY)
        moved = services.highlight_create(note=note, user=analyst, quote="The bus didn't come")
        gone = services.highlight_create(note=note, user=analyst, quote="I waited")
        _edit(note, "New first line. We moved in January. The bus didn't come to our stop. Then home.")
        assert services.highlights_reanchor_stale(campaign) == 2
        moved.refresh_from_db()
        gone.refresh_from_db()
        assert not moved.anchor_stale and not gone.anchor_stale
        assert note.body[moved.start : moved.end] == moved.quote and not moved.needs_review
        assert gone.needs_review and gone.quote == "I waited"
        assert services.highlights_reanchor_stale(campaign) == 0

    def test_a_highlight_made_from_an_outdated_note_is_flagged(self, make_note, analyst, campaign):
        note = make_note(BODY)
        outdated = Note.objects.get(pk=note.pk)
        _edit(note, "New first line. " + BODY)
        h = services.highlight_create(note=outdated, user=analyst, quote="went home")
        assert Highlight.objects.get(pk=h.pk).anchor_stale
        services.highlights_reanchor_stale(campaign)
        h.refresh_from_db()
        assert note.body[h.start : h.end] == "went home" and h.note_version == note.version

    def test_the_notes_page_reanchors_after_an_edit(self, make_note, analyst, campaign, client_for):
        note = make_note(BODY)
        h = services.highlight_create(note=note, user=analyst, quote="went home")
        _edit(note, "Added. " + BODY)
        client_for(analyst).get(url(campaign, "synthesis/notes/"))
        h.refresh_from_db()
        assert note.body[h.start : h.end] == h.quote and not h.anchor_stale


# --- Cached pieces: a change shows at once ---------------------------------------------------------


@pytest.mark.django_db
class TestBoardShowsEveryChangeAtOnce:
    def _board(self, client, campaign, query="?theme="):
        return client.get(url(campaign, "synthesis/" + query)).content.decode()

    def test_renaming_a_theme_and_moving_a_card(self, campaign, make_note, client_for, analyst):
        client = client_for(analyst)
        theme = ThemeFactory(campaign=campaign, title="Buses")
        h = HighlightFactory(note=make_note("The bus never came."), quote="The bus never came.")
        self._board(client, campaign)  # renders and caches every piece
        services.theme_update(theme=theme, title="Transport", statement="Getting there.")
        services.highlight_move(highlight_id=h.pk, campaign=campaign, theme=theme)
        page = self._board(client, campaign)
        assert "Transport" in page and "Buses" not in page and "Getting there." in page
        assert "1 card" in page  # the theme's count, and the card now says it is on the theme
        assert "On: Transport" in page

    def test_tags_stars_and_flags_on_a_card(self, campaign, make_note, client_for, analyst):
        client = client_for(analyst)
        h = HighlightFactory(note=make_note("The letter scared my mother."), quote="The letter scared")
        assert "Letters home" not in self._board(client, campaign)
        services.highlight_set_tags(highlight=h, new_tags=["Letters home"], user=analyst)
        services.highlight_toggle(highlight=h, field="starred")
        page = self._board(client, campaign)
        assert "Letters home" in page and "syn-star" in page

    def test_a_card_edited_in_the_database_directly_shows_its_new_words(self, campaign, make_note, client_for, analyst):
        client = client_for(analyst)
        h = HighlightFactory(note=make_note("Old words here."), quote="Old words")
        assert "Old words" in self._board(client, campaign)
        Highlight.objects.filter(pk=h.pk).update(quote="New words")
        page = self._board(client, campaign)
        assert "New words" in page and "Old words" not in page

    def test_a_withdrawn_participants_cached_card_and_preview_never_show(
        self, campaign, make_note, client_for, analyst
    ):
        client = client_for(analyst)
        theme = ThemeFactory(campaign=campaign, title="Buses")
        note = make_note("Nobody told us about the new route.")
        HighlightFactory(note=note, quote="Nobody told us", theme=theme)
        HighlightFactory(note=make_note("Another voice."), quote="Another voice")
        assert "Nobody told us" in self._board(client, campaign)  # card and theme preview cached
        withdraw(note.participant)
        page = self._board(client, campaign)
        assert "Nobody told us" not in page and note.participant.code not in page
        assert "Another voice" in page

    def test_a_deleted_notes_card_goes(self, campaign, make_note, client_for, analyst):
        client = client_for(analyst)
        note = make_note("Words of a note deleted later.")
        HighlightFactory(note=note, quote="Words of a note")
        assert "Words of a note" in self._board(client, campaign)
        Note.objects.filter(pk=note.pk).update(is_deleted=True)
        assert "Words of a note" not in self._board(client, campaign)

    def test_pieces_are_cached_per_language(self, campaign, make_note, analyst):
        from django.test import RequestFactory
        from django.utils import translation

        HighlightFactory(note=make_note("Words."), quote="Words")
        cards = list(selectors.board_cards(campaign, selectors.BoardFilters(theme=""))[0:40])
        request = RequestFactory().get(url(campaign, "synthesis/"))
        with translation.override("en"):
            english = fragments.board_cards_html(request, campaign, cards)[0]
        with translation.override("es"):
            spanish = fragments.board_cards_html(request, campaign, cards)[0]
        assert "Move to theme…" in english and "Move to theme…" not in spanish

    def test_the_same_content_is_rendered_once(self, campaign, make_note, client_for, analyst, monkeypatch):
        HighlightFactory(note=make_note("Words."), quote="Words")
        client = client_for(analyst)
        self._board(client, campaign)
        rendered = []
        real = fragments.get_template

        def counting(name):
            rendered.append(name)
            return real(name)

        monkeypatch.setattr(fragments, "get_template", counting)
        self._board(client, campaign)
        assert rendered == []


# --- Paged card ids ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_pages_hold_every_card_once_newest_first(campaign, make_note, client_for, analyst):
    tag = TagFactory(campaign=campaign, name="late")
    made = [HighlightFactory(note=make_note(f"Words {i}."), quote=f"Words {i}", tags=[tag]) for i in range(45)]
    withdrawn = made[3].participant
    withdraw(withdrawn)
    filters = selectors.BoardFilters.from_request({"theme": "", "tag": str(tag.pk)})
    cards = selectors.board_cards(campaign, filters)
    assert cards.count() == 44
    first, second = list(cards[0:40]), list(cards[40:80])
    expected = sorted((h for h in made if h.participant_id != withdrawn.pk), key=lambda h: (h.created_at, h.pk))
    assert [h.pk for h in first + second] == [h.pk for h in reversed(expected)]
    page = client_for(analyst).get(url(campaign, "synthesis/?theme=&page=2")).content.decode()
    assert "44 cards" in page and page.count('class="card syn-card') == 4


# --- Group sizes for attributions ----------------------------------------------------------------


@pytest.mark.django_db
def test_group_sizes_count_the_people_heard(campaign, make_note):
    for role, grade in (("student", "9"), ("student", "9"), ("student", "10"), ("family", ""), ("staff", "")):
        make_note(participant=ParticipantFactory(campaign=campaign, role=role, grade=grade, status="interviewed"))
    gone = make_note(participant=ParticipantFactory(campaign=campaign, role="student", grade="9"))
    withdraw(gone.participant)
    deleted = make_note(participant=ParticipantFactory(campaign=campaign, role="student", grade="10"))
    Note.objects.filter(pk=deleted.pk).update(is_deleted=True)
    ParticipantFactory(campaign=campaign, role="family")  # never heard
    # Heard: a live note, not withdrawn. The withdrawn student, the deleted note's author and
    # the family never heard are not counted.
    assert campaign_group_sizes(campaign) == {
        ("role", "student"): 3,
        ("grade", "student", "9"): 2,
        ("grade", "student", "10"): 1,
        ("role", "family"): 1,
        ("role", "staff"): 1,
    }


@pytest.mark.django_db
def test_theme_page_cards_follow_the_reader_and_every_change(campaign, make_note, client_for, analyst, lead):
    theme = ThemeFactory(campaign=campaign, title="Buses")
    h = HighlightFactory(note=make_note("The bus never came."), quote="The bus never came.", theme=theme)
    path = url(campaign, f"themes/{theme.pk}/")
    as_lead = client_for(lead).get(path).content.decode()
    as_analyst = client_for(analyst).get(path).content.decode()
    assert 'name="quotes"' in as_lead and 'name="quotes"' not in as_analyst
    assert "published quote" not in as_lead
    services.theme_publish(theme=theme, highlight_ids=[h.pk], user=lead)
    assert "published quote" in client_for(lead).get(path).content.decode()
    assert "published quote" in client_for(analyst).get(path).content.decode()
    withdraw(h.participant)
    for client in (client_for(lead), client_for(analyst)):
        page = client.get(path).content.decode()
        assert "The bus never came." not in page and h.participant.code not in page


@pytest.mark.django_db
def test_cached_forms_follow_the_themes(campaign, make_note, client_for, lead):
    theme = ThemeFactory(campaign=campaign, title="Buses", statement="Late buses.")
    other = ThemeFactory(campaign=campaign, title="Letters")
    client = client_for(lead)
    path = url(campaign, f"themes/{theme.pk}/")
    page = client.get(path).content.decode()
    assert 'value="Buses"' in page and ">Letters</option>" in page
    services.theme_update(theme=theme, title="Transport", statement="Late buses.")
    services.theme_update(theme=other, title="Letters home", statement="")
    page = client.get(path).content.decode()
    assert 'value="Transport"' in page and 'value="Buses"' not in page
    assert ">Letters home</option>" in page and ">Letters</option>" not in page


def test_a_bound_form_is_never_taken_from_the_cache():
    from types import SimpleNamespace

    from synthesis.forms import ThemeForm

    campaign = SimpleNamespace(pk=0)
    blank = fragments.crispy_html(campaign, ThemeForm())
    bound = ThemeForm({"title": "", "statement": "x"})
    assert not bound.is_valid()
    html = fragments.crispy_html(campaign, bound)
    assert html != blank and "invalid" in html


@pytest.mark.django_db
def test_a_purge_deletes_the_campaigns_cached_pieces(campaign, other_campaign, make_note, client_for, analyst, lead):
    from django.core.cache import cache

    from consent.services import participant_purge

    note = make_note("Words that must go for good.")
    HighlightFactory(note=note, quote="Words that must go")
    client_for(analyst).get(url(campaign, "synthesis/?theme="))
    other = fragments.key_for(other_campaign.pk, "synthesis/_card.html", ("kept",))
    cache.set(other, "another campaign's piece")

    def cached_words():
        keys = [k for k in _cache_keys() if fragments._campaign_prefix(campaign.pk) in k]
        return [k for k in keys if "Words that must go" in str(cache.get(_unmake(k)) or "")]

    assert cached_words()
    withdraw(note.participant)
    participant_purge(participant=note.participant, by=lead)
    assert not [k for k in _cache_keys() if fragments._campaign_prefix(campaign.pk) in k]
    assert cache.get(other) == "another campaign's piece"


def _cache_keys():
    from django.core.cache import caches

    backend = caches["default"]
    if type(backend).__name__ == "RedisCache":
        client = backend._cache.get_client()
        return [k.decode() for k in client.scan_iter(match=backend.make_key(fragments.PREFIX) + "*")]
    return list(backend._cache)


def _unmake(made_key):
    """The key given to the cache API from the backend's stored key (prefix:version:key)."""
    return made_key.split(":", 2)[2]

"""Highlights: offsets, quotes typed instead of selected, tags on the fly, and what happens when
the note is edited afterwards (re-anchor by the quoted words, else flag for review)."""

import pytest
from django.core.exceptions import ValidationError

from synthesis import services
from synthesis.models import Highlight, Memo, Tag

from .conftest import withdraw

BODY = "We moved in January. The bus didn't come to our stop. I waited 40 minutes and went home."


def _edit(note, body):
    """What the note-taking page does on save: new body, version + 1."""
    note.body = body
    note.version += 1
    note.save(update_fields=["body", "version"])


@pytest.mark.django_db
class TestCreate:
    def test_selection_offsets_are_kept_and_the_quote_is_the_bodys_words(self, make_note, analyst):
        note = make_note(BODY)
        start = BODY.index("The bus")
        end = start + len("The bus didn't come to our stop.")
        h = services.highlight_create(note=note, user=analyst, start=start, end=end, quote=BODY[start:end])
        assert (h.start, h.end) == (start, end)
        assert h.quote == "The bus didn't come to our stop."
        assert h.note_version == note.version
        assert h.participant_id == note.participant_id and h.campaign_id == note.campaign_id

    def test_typed_words_without_offsets_are_found_in_the_body(self, make_note, analyst):
        note = make_note(BODY)
        h = services.highlight_create(note=note, user=analyst, quote="  waited 40 minutes ")
        assert BODY[h.start : h.end] == "waited 40 minutes" == h.quote

    def test_offsets_that_disagree_with_the_words_fall_back_to_the_words(self, make_note, analyst):
        note = make_note(BODY)
        h = services.highlight_create(note=note, user=analyst, start=0, end=5, quote="went home")
        assert h.quote == "went home" and BODY[h.start : h.end] == "went home"

    def test_words_not_in_the_note_are_refused(self, make_note, analyst):
        note = make_note(BODY)
        with pytest.raises(ValidationError):
            services.highlight_create(note=note, user=analyst, quote="a taxi came")
        with pytest.raises(ValidationError):
            services.highlight_create(note=note, user=analyst, quote="   ")
        assert not Highlight.objects.exists()

    def test_new_tags_are_created_on_the_fly_and_existing_ones_matched_case_insensitively(
        self, make_note, analyst, campaign
    ):
        Tag.objects.create(campaign=campaign, name="Transportation")
        note = make_note(BODY)
        h = services.highlight_create(
            note=note, user=analyst, quote="The bus", new_tags=["transportation", "waiting ", "Waiting"], memo="Why?"
        )
        assert sorted(t.name for t in h.tags.all()) == ["Transportation", "waiting"]
        assert Tag.objects.filter(campaign=campaign).count() == 2
        assert Memo.objects.get(highlight=h).body == "Why?"

    def test_a_withdrawn_participants_words_cannot_be_highlighted(self, make_note, analyst):
        note = make_note(BODY)
        withdraw(note.participant)
        with pytest.raises(ValidationError):
            services.highlight_create(note=note, user=analyst, quote="The bus")


@pytest.mark.django_db
class TestReanchor:
    def _highlight(self, make_note, analyst, words="The bus didn't come to our stop."):
        note = make_note(BODY)
        return note, services.highlight_create(note=note, user=analyst, quote=words)

    def test_text_added_before_the_quote_moves_the_offsets(self, make_note, analyst, campaign):
        note, h = self._highlight(make_note, analyst)
        _edit(note, "Interview in the library. " + BODY)
        assert services.highlights_reanchor_stale(campaign) == 1
        h.refresh_from_db()
        assert note.body[h.start : h.end] == h.quote == "The bus didn't come to our stop."
        assert h.note_version == note.version and not h.needs_review

    def test_an_edit_elsewhere_keeps_the_offsets(self, make_note, analyst, campaign):
        note, h = self._highlight(make_note, analyst)
        old = (h.start, h.end)
        _edit(note, BODY + " (She laughed.)")
        services.highlights_reanchor_stale(campaign)
        h.refresh_from_db()
        assert (h.start, h.end) == old and not h.needs_review

    def test_words_edited_away_flag_the_highlight_for_review_and_keep_the_quote(self, make_note, analyst, campaign):
        note, h = self._highlight(make_note, analyst)
        _edit(note, "We moved in January. The bus was late. I waited and went home.")
        services.highlights_reanchor_stale(campaign)
        h.refresh_from_db()
        assert h.needs_review
        assert h.quote == "The bus didn't come to our stop."

    def test_the_nearest_occurrence_wins_when_the_words_repeat(self, make_note, analyst, campaign):
        note = make_note("late again. I was late. Then late.")
        h = services.highlight_create(note=note, user=analyst, start=18, end=22, quote="late")
        assert h.start == 18
        _edit(note, "Well, late again. I was late. Then late.")
        services.highlights_reanchor_stale(campaign)
        h.refresh_from_db()
        assert h.start == 24  # the "late" that moved by 6, not the first one

    def test_nothing_stale_means_nothing_to_do(self, make_note, analyst, campaign):
        self._highlight(make_note, analyst)
        assert services.highlights_reanchor_stale(campaign) == 0

    def test_the_board_reanchors_when_it_is_opened(self, make_note, analyst, campaign, client_for):
        note, h = self._highlight(make_note, analyst)
        _edit(note, "New first line.\n" + BODY)
        client_for(analyst).get(f"/c/{campaign.slug}/synthesis/")
        h.refresh_from_db()
        assert note.body[h.start : h.end] == h.quote


@pytest.mark.django_db
def test_star_and_dissent_toggle(make_note, analyst):
    note = make_note(BODY)
    h = services.highlight_create(note=note, user=analyst, quote="went home")
    services.highlight_toggle(highlight=h, field="starred")
    services.highlight_toggle(highlight=h, field="dissenting")
    h.refresh_from_db()
    assert h.starred and h.dissenting
    services.highlight_toggle(highlight=h, field="starred")
    h.refresh_from_db()
    assert not h.starred

"""Tag merge, theme merge and split, moving cards (also concurrently), publishing with consent."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from campaigns.models import IssueStatement
from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from participants.factories import ParticipantFactory
from synthesis import services
from synthesis.factories import HighlightFactory, RootCauseFactory, TagFactory, ThemeFactory
from synthesis.models import Highlight, HighlightTag, Memo, PublishedQuote, Tag, Theme
from synthesis.selectors import themes_with_counts

from .conftest import withdraw


@pytest.mark.django_db
class TestTagMerge:
    def test_no_highlight_loses_a_tag_and_shared_ones_are_not_doubled(self, campaign, make_note, analyst):
        source, target = TagFactory(campaign=campaign, name="bus"), TagFactory(campaign=campaign, name="transport")
        only_source = HighlightFactory(note=make_note(), tags=[source])
        both = HighlightFactory(note=make_note(), tags=[source, target])
        only_target = HighlightFactory(note=make_note(), tags=[target])
        Memo.objects.create(tag=source, body="Buses were cut in October.", author=analyst)
        services.tag_merge(source=source, target=target, user=analyst)
        assert not Tag.objects.filter(pk=source.pk).exists()
        for h in (only_source, both, only_target):
            assert list(h.tags.values_list("name", flat=True)) == ["transport"]
        assert HighlightTag.objects.filter(tag=target).count() == 3
        assert target.memos.get().body == "Buses were cut in October."

    def test_merging_into_itself_or_another_campaign_is_refused(self, campaign, other_campaign, analyst):
        tag = TagFactory(campaign=campaign)
        with pytest.raises(ValidationError):
            services.tag_merge(source=tag, target=tag, user=analyst)
        with pytest.raises(ValidationError):
            services.tag_merge(source=tag, target=TagFactory(campaign=other_campaign), user=analyst)

    def test_rename_refuses_a_name_in_use(self, campaign):
        TagFactory(campaign=campaign, name="Bus")
        tag = TagFactory(campaign=campaign, name="buses")
        with pytest.raises(ValidationError):
            services.tag_update(tag=tag, name="bus", description="")
        services.tag_update(tag=tag, name="School bus", description="Getting there")
        tag.refresh_from_db()
        assert (tag.name, tag.description) == ("School bus", "Getting there")


@pytest.mark.django_db
class TestThemes:
    def test_merge_moves_cards_steps_causes_and_links(self, campaign, make_note, analyst, lead):
        source, target = ThemeFactory(campaign=campaign), ThemeFactory(campaign=campaign)
        cards = [HighlightFactory(note=make_note(), theme=source) for _ in range(3)]
        kept = HighlightFactory(note=make_note(), theme=target)
        services.why_step_add(theme=target, answer="Because A", highlight_ids=[kept.pk], user=analyst)
        services.why_step_add(theme=source, answer="Because B", highlight_ids=[cards[0].pk], user=analyst)
        cause = RootCauseFactory(theme=source)
        statement = IssueStatement.objects.create(campaign=campaign, version=99, text="v99")
        source.issue_statements.add(statement)
        services.theme_merge(source=source, target=target, user=analyst)
        assert not Theme.objects.filter(pk=source.pk).exists()
        assert set(target.highlights.values_list("pk", flat=True)) == {kept.pk, *[c.pk for c in cards]}
        assert list(target.why_steps.values_list("position", "answer")) == [(1, "Because A"), (2, "Because B")]
        cause.refresh_from_db()
        assert cause.theme_id == target.pk
        assert list(statement.themes.all()) == [target]

    def test_split_takes_only_the_chosen_cards(self, campaign, make_note, analyst):
        theme = ThemeFactory(campaign=campaign, title="Getting there")
        cards = [HighlightFactory(note=make_note(), theme=theme) for _ in range(4)]
        elsewhere = HighlightFactory(note=make_note())
        new = services.theme_split(
            theme=theme, highlight_ids=[cards[0].pk, cards[1].pk, elsewhere.pk], title="Rides", user=analyst
        )
        assert set(new.highlights.values_list("pk", flat=True)) == {cards[0].pk, cards[1].pk}
        assert set(theme.highlights.values_list("pk", flat=True)) == {cards[2].pk, cards[3].pk}
        elsewhere.refresh_from_db()
        assert elsewhere.theme_id is None
        with pytest.raises(ValidationError):
            services.theme_split(theme=theme, highlight_ids=[], title="Empty", user=analyst)

    def test_deleting_a_theme_returns_its_cards_to_the_pool(self, campaign, make_note, analyst):
        theme = ThemeFactory(campaign=campaign)
        card = HighlightFactory(note=make_note(), theme=theme)
        services.theme_delete(theme=theme, user=analyst)
        card.refresh_from_db()
        assert card.theme_id is None

    def test_a_move_is_one_update_and_stays_in_the_campaign(self, campaign, other_campaign, make_note):
        theme = ThemeFactory(campaign=campaign)
        card = HighlightFactory(note=make_note())
        assert services.highlight_move(highlight_id=card.pk, campaign=campaign, theme=theme) == 1
        with pytest.raises(ValidationError):
            services.highlight_move(
                highlight_id=card.pk, campaign=campaign, theme=ThemeFactory(campaign=other_campaign)
            )
        assert services.highlight_move(highlight_id=card.pk, campaign=other_campaign, theme=None) == 0
        card.refresh_from_db()
        assert card.theme_id == theme.pk

    def test_two_people_moving_from_stale_boards_end_consistent(self, campaign, make_note, client_for, lead, analyst):
        """Both saw the card unthemed; both move it. The later move wins, counts add up."""
        a, b = ThemeFactory(campaign=campaign), ThemeFactory(campaign=campaign)
        card = HighlightFactory(note=make_note())
        url = f"/c/{campaign.slug}/synthesis/highlights/{card.pk}/move/"
        client_for(lead).post(url, {"theme": a.pk}, HTTP_HX_REQUEST="true")
        client_for(analyst).post(url, {"theme": b.pk}, HTTP_HX_REQUEST="true")
        card.refresh_from_db()
        assert card.theme_id == b.pk
        assert a.highlights.count() + b.highlights.count() == 1


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="SQLite serialises writers; the race needs Postgres")
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_leave_each_card_on_exactly_one_theme(campaign, make_note):
    """Four people move the same ten cards at once: every move reports one row changed, no
    thread fails, and each card ends on the theme of whoever moved it last."""
    themes = [ThemeFactory(campaign=campaign) for _ in range(4)]
    cards = [HighlightFactory(note=make_note()) for _ in range(10)]
    barrier = threading.Barrier(4)
    results, errors = {}, []

    def mover(theme):
        try:
            barrier.wait()
            results[theme.pk] = [
                services.highlight_move(highlight_id=card.pk, campaign=campaign, theme=theme) for card in cards
            ]
        except Exception as error:  # noqa: BLE001 — re-raised in the test's thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mover, args=(t,)) for t in themes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    assert results == {t.pk: [1] * 10 for t in themes}
    final = dict(Highlight.objects.filter(pk__in=[c.pk for c in cards]).values_list("pk", "theme_id"))
    assert set(final) == {c.pk for c in cards}
    assert set(final.values()) <= {t.pk for t in themes}
    # The counts the board shows (its theme headers) agree with the cards themselves.
    counts = {t.pk: t.card_count for t in themes_with_counts(campaign)}
    assert counts == {t.pk: list(final.values()).count(t.pk) for t in themes}
    assert sum(counts.values()) == 10


@pytest.mark.django_db
class TestPublish:
    def test_only_consent_cleared_quotes_can_be_published(self, campaign, make_note, lead):
        theme = ThemeFactory(campaign=campaign)
        ok = HighlightFactory(note=make_note(), theme=theme)
        shy = ParticipantFactory(campaign=campaign, status="interviewed")
        ConsentRecordFactory(participant=shy, kind=ConsentRecord.Kind.CONSENT, may_quote=False)
        refused = HighlightFactory(note=make_note(participant=shy), theme=theme)
        with pytest.raises(ValidationError) as error:
            services.theme_publish(theme=theme, highlight_ids=[ok.pk, refused.pk], user=lead)
        assert shy.code in str(error.value)
        theme.refresh_from_db()
        assert not theme.is_published
        services.theme_publish(theme=theme, highlight_ids=[ok.pk], user=lead)
        theme.refresh_from_db()
        assert theme.is_published
        assert list(PublishedQuote.objects.values_list("highlight_id", flat=True)) == [ok.pk]

    def test_a_withdrawn_participants_quote_is_not_published(self, campaign, make_note, lead):
        theme = ThemeFactory(campaign=campaign)
        gone = HighlightFactory(note=make_note(), theme=theme)
        withdraw(gone.participant)
        services.theme_publish(theme=theme, highlight_ids=[gone.pk], user=lead)
        assert not PublishedQuote.objects.exists()


@pytest.mark.django_db
def test_why_steps_and_root_causes_must_cite_a_highlight(campaign, make_note, analyst):
    theme = ThemeFactory(campaign=campaign)
    with pytest.raises(ValidationError):
        services.why_step_add(theme=theme, answer="Because", highlight_ids=[], user=analyst)
    with pytest.raises(ValidationError):
        services.root_cause_add(theme=theme, category="policies", statement="X", highlight_ids=[], user=analyst)
    card = HighlightFactory(note=make_note(), theme=theme)
    withdraw(card.participant)
    with pytest.raises(ValidationError):  # a withdrawn voice is no evidence
        services.why_step_add(theme=theme, answer="Because", highlight_ids=[card.pk], user=analyst)


@pytest.mark.django_db
def test_refining_the_issue_statement_records_themes_and_root_causes(campaign, lead):
    theme = ThemeFactory(campaign=campaign)
    cause = RootCauseFactory(theme=theme)
    version = services.issue_statement_refine_from(
        campaign=campaign, text="New text", rationale="Heard it", author=lead, themes=[theme], root_causes=[cause.pk]
    )
    assert list(version.themes.all()) == [theme]
    assert list(version.root_causes.all()) == [cause]

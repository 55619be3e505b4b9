"""Regression tests for the privacy review of synthesis (docs/synthesis.md, "Review fixes"):
what viewers see of published quotes, deleted and purged words, who may change a published
theme, browser offsets, publishing from one page of many, and malformed ids."""

import pytest
from django.conf import settings

from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews import services as interview_services
from synthesis import services
from synthesis.factories import HighlightFactory, ThemeFactory
from synthesis.models import Highlight, PublishedQuote

from .conftest import withdraw


def url(campaign, rest=""):
    return f"/c/{campaign.slug}/{rest}"


@pytest.mark.django_db
def test_may_quote_revoked_after_publish(campaign, make_note, client_for, lead, viewer):
    theme = ThemeFactory(campaign=campaign, title="Pub")
    h = HighlightFactory(note=make_note("Zebra-quote words said here"), theme=theme)
    services.theme_publish(theme=theme, highlight_ids=[h.pk], user=lead)
    # participant later signs a new consent: no longer may be quoted (not a withdrawal)
    ConsentRecordFactory(participant=h.participant, kind=ConsentRecord.Kind.CONSENT, may_quote=False)
    from consent.selectors import consent_scopes

    assert not consent_scopes(h.participant).may_quote
    findings = client_for(viewer).get(url(campaign, "findings/")).content.decode()
    issue_before = "Zebra" in findings
    services.issue_statement_refine_from(campaign=campaign, text="v2", rationale="", author=lead, themes=[theme])
    issue = client_for(viewer).get(url(campaign, "issue/")).content.decode()
    assert not issue_before, "findings shows a quote whose participant no longer agrees to be quoted"
    assert "Zebra" not in issue


@pytest.mark.django_db
def test_name_in_published_quote(campaign, make_note, client_for, lead, viewer):
    theme = ThemeFactory(campaign=campaign, title="Pub")
    note = make_note("placeholder")
    p = note.participant
    note.body = f"My name is {p.full_name} and the bus never came."
    note.save()
    h = HighlightFactory(note=note, theme=theme, end=len(note.body))
    services.theme_publish(theme=theme, highlight_ids=[h.pk], user=lead)
    findings = client_for(viewer).get(url(campaign, "findings/")).content.decode()
    assert p.full_name not in findings
    assert "My name is [name] and the bus never came." in findings
    services.issue_statement_refine_from(campaign=campaign, text="v2", rationale="", author=lead, themes=[theme])
    issue = client_for(viewer).get(url(campaign, "issue/")).content.decode()
    assert "the bus never came" in issue and p.full_name not in issue


@pytest.mark.django_db
def test_analyst_merge_leaks_draft_statement_to_viewers(campaign, make_note, client_for, lead, analyst, viewer):
    pub = ThemeFactory(campaign=campaign, title="Published", statement="Public statement")
    draft = ThemeFactory(campaign=campaign, title="Draft", statement="DRAFT-internal musing about P-001")
    h = HighlightFactory(note=make_note("words"), theme=pub)
    services.theme_publish(theme=pub, highlight_ids=[h.pk], user=lead)
    client_for(analyst).post(url(campaign, f"themes/{draft.pk}/merge/"), {"into": pub.pk})
    findings = client_for(viewer).get(url(campaign, "findings/")).content.decode()
    assert "DRAFT-internal" not in findings


@pytest.mark.django_db
def test_moved_off_theme_still_published(campaign, make_note, client_for, lead, analyst, viewer):
    pub = ThemeFactory(campaign=campaign, title="Published")
    h = HighlightFactory(note=make_note("Quokka words moved away"), theme=pub)
    services.theme_publish(theme=pub, highlight_ids=[h.pk], user=lead)
    client_for(analyst).post(url(campaign, f"synthesis/highlights/{h.pk}/move/"), {"theme": ""})
    h.refresh_from_db()
    assert h.theme_id is None
    findings = client_for(viewer).get(url(campaign, "findings/")).content.decode()
    assert "Quokka" not in findings, "quote no longer on theme still published under it"


@pytest.mark.django_db
def test_soft_deleted_note_highlight_still_everywhere(campaign, make_note, client_for, lead, viewer):
    from campaigns.models import Membership

    theme = ThemeFactory(campaign=campaign, title="T")
    note = make_note("Wombat words that were struck")
    h = HighlightFactory(note=note, theme=theme)
    services.theme_publish(theme=theme, highlight_ids=[h.pk], user=lead)
    membership = Membership.objects.get(campaign=campaign, user=lead)
    interview_services.note_delete(note=note, membership=membership, base_version=note.version)
    note.refresh_from_db()
    assert note.is_deleted
    client = client_for(lead)
    leaks = []
    for path in ["synthesis/?theme=", f"themes/{theme.pk}/", "findings/", "synthesis/codebook/", "search/?q=wombat"]:
        if "Wombat" in client.get(url(campaign, path)).content.decode():
            leaks.append(path)
    assert not leaks


@pytest.mark.django_db
def test_publish_from_page_one_drops_page_two(campaign, make_note, client_for, lead):
    theme = ThemeFactory(campaign=campaign)
    hs = [HighlightFactory(note=make_note(f"words {i}"), theme=theme) for i in range(35)]
    services.theme_publish(theme=theme, highlight_ids=[hs[0].pk], user=lead)  # oldest: on page 2
    page1 = client_for(lead).get(url(campaign, f"themes/{theme.pk}/")).context["page"]
    assert hs[0].pk not in page1.object_list and hs[-1].pk in page1.object_list
    # lead ticks one more on page 1 and presses "Update published quotes"
    client_for(lead).post(url(campaign, f"themes/{theme.pk}/publish/"), {"quotes": [hs[-1].pk], "action": "publish"})
    assert set(PublishedQuote.objects.values_list("highlight_id", flat=True)) == {hs[0].pk, hs[-1].pk}


@pytest.mark.django_db
def test_open_redirect(campaign, make_note, client_for, analyst):
    h = HighlightFactory(note=make_note())
    r = client_for(analyst).post(
        url(campaign, f"synthesis/highlights/{h.pk}/move/"), {"theme": "", "next": "/\\evil.example/x"}
    )
    assert r["Location"] == f"/c/{campaign.slug}/synthesis/"
    for evil in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        r = client_for(analyst).post(url(campaign, f"synthesis/highlights/{h.pk}/move/"), {"theme": "", "next": evil})
        assert r["Location"] == f"/c/{campaign.slug}/synthesis/"


@pytest.mark.django_db
def test_emoji_offsets_pick_wrong_occurrence(campaign, make_note, analyst):
    body = "🙂🙂🙂 I said no, no, no"
    note = make_note(body)
    py_start = body.index("no")  # first "no"
    js_start = len(body[:py_start].encode("utf-16-le")) // 2  # what the browser sends
    assert js_start != py_start
    h = services.highlight_create(note=note, user=analyst, start_utf16=js_start, end_utf16=js_start + 2, quote="no")
    assert (h.start, h.end) == (py_start, py_start + 2)


@pytest.mark.django_db
def test_emoji_offsets_wrong_span_same_len(campaign, make_note, analyst):
    # offsets that happen to land on other text of the same words
    body = "😀😀 ab ab ab"
    note = make_note(body)
    py_start = body.index("ab")
    js_start = len(body[:py_start].encode("utf-16-le")) // 2
    h = services.highlight_create(note=note, user=analyst, start_utf16=js_start, end_utf16=js_start + 2, quote="ab")
    assert (h.start, h.end) == (py_start, py_start + 2)


@pytest.mark.django_db
def test_needs_review_quote_still_published(campaign, make_note, client_for, lead, viewer):
    theme = ThemeFactory(campaign=campaign)
    note = make_note("The principal Mr Okafor yelled at my son.")
    h = services.highlight_create(note=note, user=lead, quote="The principal Mr Okafor yelled at my son.")
    services.highlight_move(highlight_id=h.pk, campaign=campaign, theme=theme)
    services.theme_publish(theme=theme, highlight_ids=[h.pk], user=lead)
    # interviewer redacts the name
    note.body = "The principal [name] yelled at my son."
    note.version += 1
    note.save()
    client_for(lead).get(url(campaign, "synthesis/"))  # re-anchor
    h.refresh_from_db()
    assert h.needs_review
    findings = client_for(viewer).get(url(campaign, "findings/")).content.decode()
    assert "Okafor" not in findings


@pytest.mark.django_db
def test_search_xss_and_sentinels(campaign, make_note, client_for, analyst):
    make_note("bus <img src=x onerror=alert(1)> and \ue001 \ue000 </mark><script>x</script> bus")
    body = client_for(analyst).get(url(campaign, "search/"), {"q": "bus"}).content.decode()
    assert "<img" not in body and "<script>x" not in body
    # Only our marks are markup, around the word searched for: the user's sentinels are dropped.
    assert body.count("<mark>") == body.count("<mark>bus</mark>") == 2


@pytest.mark.django_db
def test_unicode_digit_500(campaign, make_note, client_for, analyst):
    client = client_for(analyst)
    assert client.get(url(campaign, "synthesis/"), {"theme": "²"}).status_code == 200
    assert client.get(url(campaign, "synthesis/"), {"theme": "9" * 40}).status_code == 200
    assert client.get(url(campaign, "search/"), {"q": "bus", "tag": "²", "prompt": "³"}).status_code == 200
    h = HighlightFactory(note=make_note())
    moved = client.post(url(campaign, f"synthesis/highlights/{h.pk}/move/"), {"theme": "²"})
    assert moved.status_code == 302


@pytest.mark.django_db
def test_evidence_choices_mismatch(campaign, make_note, client_for, analyst):
    theme = ThemeFactory(campaign=campaign)
    hs = [HighlightFactory(note=make_note(f"w {i}"), theme=theme) for i in range(70)]
    Highlight.objects.filter(pk=hs[0].pk).update(starred=True)  # oldest, starred: shown first on the page
    page = client_for(analyst).get(url(campaign, f"root-causes/?theme={theme.pk}"))
    shown = [c[0] for c in page.context["why_form"].fields["evidence"].choices]
    assert hs[0].pk in shown
    client_for(analyst).post(url(campaign, f"root-causes/{theme.pk}/why/"), {"answer": "A", "evidence": [hs[0].pk]})
    assert theme.why_steps.count() == 1, "a highlight offered on the page is refused on submit"


@pytest.mark.django_db
def test_theme_split_drops_published_quotes_silently(campaign, make_note, lead):
    theme = ThemeFactory(campaign=campaign)
    a = HighlightFactory(note=make_note("a words"), theme=theme)
    services.theme_publish(theme=theme, highlight_ids=[a.pk], user=lead)
    new = services.theme_split(theme=theme, highlight_ids=[a.pk], title="New", user=lead)
    # The chosen quote goes with its card (the new theme is unpublished, so viewers don't see it).
    assert list(PublishedQuote.objects.values_list("theme_id", "highlight_id")) == [(new.pk, a.pk)]
    assert new.moved_cards == 1 and new.moved_quotes == 1


@pytest.mark.django_db
def test_withdrawn_in_whose_voices_via_status(campaign, make_note, client_for, lead):
    theme = ThemeFactory(campaign=campaign)
    h = HighlightFactory(note=make_note("Status-withdrawn words"), theme=theme)
    h.participant.status = "withdrawn"
    h.participant.save()
    page = client_for(lead).get(url(campaign, f"themes/{theme.pk}/"))
    assert page.context["voices"].total == 0
    assert "Status-withdrawn" not in page.content.decode()


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="the GIN index exists on Postgres only")
@pytest.mark.django_db
def test_a_selective_search_uses_the_gin_index(campaign, make_note):
    import uuid

    from django.db import connection

    from interviews.models import Note
    from synthesis.selectors import search_notes

    template = make_note("The bus was late again.")
    copies = []
    for i in range(5000):
        copy = Note.objects.get(pk=template.pk)
        copy.pk, copy.body, copy.client_id = None, f"The bus was late again, day {i}.", uuid.uuid4()
        copies.append(copy)
    Note.objects.bulk_create(copies, batch_size=1000)
    make_note("Our xylophone teacher left.")
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list (fastupdate) until a vacuum, which the
        # planner prices in; flush it as autovacuum would on a real database, then gather stats.
        cursor.execute("SELECT gin_clean_pending_list('synthesis_note_search_gin'::regclass)")
        cursor.execute("ANALYZE interviews_note")
    plan = search_notes(campaign, "xylophone").explain()
    assert "synthesis_note_search_gin" in plan, plan


@pytest.mark.django_db
def test_purge_leaves_highlight_words(campaign, make_note, lead):
    from consent.services import participant_purge

    note = make_note("Purge-me words of a withdrawn person")
    h = HighlightFactory(note=note)
    withdraw(note.participant)
    participant_purge(participant=note.participant, by=lead, reason="asked")
    assert not Highlight.objects.filter(pk=h.pk).exists()


@pytest.mark.django_db
def test_retention_keeps_highlights(campaign, make_note, lead):
    import datetime

    from consent.services import campaign_retention_apply

    h = HighlightFactory(note=make_note("Kept after retention"))
    campaign_retention_apply(campaign=campaign, retain_until=datetime.date(2020, 1, 1), by=lead)
    assert Highlight.objects.filter(pk=h.pk).exists()


@pytest.mark.django_db
def test_analyst_may_not_change_a_published_theme(campaign, make_note, client_for, lead, analyst):
    pub = ThemeFactory(campaign=campaign, title="Published")
    draft = ThemeFactory(campaign=campaign, title="Draft")
    h = HighlightFactory(note=make_note("words"), theme=pub)
    services.theme_publish(theme=pub, highlight_ids=[h.pk], user=lead)
    client = client_for(analyst)
    for path, data in [
        (f"themes/{pub.pk}/edit/", {"title": "Renamed", "statement": "x"}),
        (f"themes/{pub.pk}/merge/", {"into": draft.pk}),
        (f"themes/{draft.pk}/merge/", {"into": pub.pk}),
        (f"themes/{pub.pk}/split/", {"cards": [h.pk], "title": "Split"}),
        (f"themes/{pub.pk}/delete/", {}),
    ]:
        response = client.post(url(campaign, path), data)
        assert response.status_code == 403, path
        assert "Only a lead can change a published theme" in response.content.decode()
    assert client.get(url(campaign, f"themes/{pub.pk}/delete/")).status_code == 403
    pub.refresh_from_db()
    assert pub.title == "Published" and pub.highlights.count() == 1
    # A lead may; an analyst may still change an unpublished theme.
    assert client.post(url(campaign, f"themes/{draft.pk}/edit/"), {"title": "Draft 2"}).status_code == 302
    assert client_for(lead).post(url(campaign, f"themes/{pub.pk}/edit/"), {"title": "Renamed"}).status_code == 302
    pub.refresh_from_db()
    assert pub.title == "Renamed"


@pytest.mark.django_db
def test_publishing_from_a_page_removes_only_unticked_shown_quotes(campaign, make_note, client_for, lead):
    theme = ThemeFactory(campaign=campaign)
    a, b, c = (HighlightFactory(note=make_note(f"words {i}"), theme=theme) for i in range(3))
    services.theme_publish(theme=theme, highlight_ids=[a.pk, b.pk], user=lead)
    response = client_for(lead).post(
        url(campaign, f"themes/{theme.pk}/publish/"),
        {"quotes": [c.pk], "shown": [b.pk, c.pk], "action": "publish"},
        follow=True,
    )
    assert set(PublishedQuote.objects.values_list("highlight_id", flat=True)) == {a.pk, c.pk}
    assert "Published with 2 quotes" in response.content.decode()


@pytest.mark.django_db
def test_the_theme_page_sends_the_shown_quotable_cards(campaign, make_note, client_for, lead):
    theme = ThemeFactory(campaign=campaign)
    h = HighlightFactory(note=make_note("words"), theme=theme)
    page = client_for(lead).get(url(campaign, f"themes/{theme.pk}/")).content.decode()
    assert f'name="shown" value="{h.pk}" form="publish-form"' in page


@pytest.mark.django_db
def test_reanchoring_is_one_bulk_update(campaign, make_note, django_assert_num_queries):
    notes = [make_note(f"Line one. The words {i} here.") for i in range(5)]
    hs = [services.highlight_create(note=n, user=None, quote=f"The words {i}") for i, n in enumerate(notes)]
    for n in notes:
        n.body = "A new first line. " + n.body
        n.version += 1
        n.save()
    # The stale highlights with their notes; one UPDATE for all of them.
    with django_assert_num_queries(2):
        assert services.highlights_reanchor_stale(campaign) == 5
    for h, n in zip(hs, notes, strict=True):
        h.refresh_from_db()
        assert n.body[h.start : h.end] == h.quote and h.note_version == n.version


@pytest.mark.django_db
def test_search_finds_highlights_and_memos(campaign, make_note, client_for, analyst, lead):
    from synthesis.factories import TagFactory
    from synthesis.models import Memo

    h = HighlightFactory(note=make_note("We waited for the shuttle in the rain."), quote="waited for the shuttle")
    Memo.objects.create(highlight=h, body="Echoes the carpool memo", author=lead)
    gone = HighlightFactory(note=make_note("The shuttle driver was rude."), quote="shuttle driver")
    withdraw(gone.participant)
    tag = TagFactory(campaign=campaign, name="Transport")
    Memo.objects.create(tag=tag, body="Carpool and shuttle codes overlap", author=lead)
    client = client_for(analyst)
    page = client.get(url(campaign, "search/"), {"q": "shuttle"}).content.decode()
    assert "<mark>shuttle</mark>" in page and f"/synthesis/highlights/{h.pk}/" in page
    assert f"/synthesis/highlights/{gone.pk}/" not in page  # withdrawn: never
    assert "Memo on the tag “Transport”" in page
    memo_hit = client.get(url(campaign, "search/"), {"q": "carpool"}).content.decode()
    assert f"/synthesis/highlights/{h.pk}/" in memo_hit  # found through its memo


@pytest.mark.django_db
def test_admin_refuses_evidence_from_another_campaign(campaign, other_campaign, make_note, client):
    from campaigns.factories import UserFactory
    from synthesis.factories import RootCauseFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    cause = RootCauseFactory(theme=ThemeFactory(campaign=campaign))
    foreign = HighlightFactory(note=make_note())
    Highlight.objects.filter(pk=foreign.pk).update(campaign=other_campaign)
    response = client.post(
        f"/admin/synthesis/rootcause/{cause.pk}/change/",
        {
            "theme": cause.theme_id,
            "category": "policies",
            "statement": "x",
            "evidence": str(foreign.pk),
            "issue_statements": "",
            "author": "",
        },
    )
    assert response.status_code == 200
    assert "from the theme" in response.content.decode()
    assert not cause.evidence.filter(pk=foreign.pk).exists()

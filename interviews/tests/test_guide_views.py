import pytest
from django.urls import reverse

from campaigns.factories import CampaignFactory, MembershipFactory
from campaigns.models import Role
from interviews import services
from interviews.factories import InterviewGuideFactory, PromptFactory, PromptPatternFactory
from interviews.models import InterviewGuide, Prompt, PromptPattern

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def guide(campaign):
    guide = InterviewGuideFactory(campaign=campaign, title="Students: getting to school")
    services.prompt_add(guide=guide, kind="opening", text="How did you first come to this school?")
    services.prompt_add(guide=guide, kind="core", text="Tell me about the last time you missed school.")
    services.prompt_add(guide=guide, kind="core", text="Do you like school?")
    return guide


def url(name, campaign, *args):
    return reverse(f"interviews:{name}", args=[campaign.slug, *args])


# The guide list and the guide page ---------------------------------------------------------


def test_guide_list_shows_guides_with_their_prompt_counts(client_for, campaign, lead, guide):
    response = client_for(lead).get(url("guides", campaign))
    assert response.status_code == 200
    body = response.content.decode()
    assert guide.title in body
    assert "New guide" in body


def test_guide_list_empty_state_says_what_to_do(client_for, campaign, lead, interviewer):
    assert "Start a new guide" in client_for(lead).get(url("guides", campaign)).content.decode()
    body = client_for(interviewer).get(url("guides", campaign)).content.decode()
    assert "A lead of this campaign writes the guides" in body
    assert "New guide" not in body


def test_guide_page_groups_prompts_and_shows_saved_warnings(client_for, campaign, lead, guide):
    response = client_for(lead).get(url("guide", campaign, guide.pk))
    body = response.content.decode()
    assert body.index("Opening") < body.index("How did you first come") < body.index("Core")
    assert body.index("Tell me about the last time") < body.index("Do you like school?")
    # The yes/no prompt carries its warning; the good ones carry none.
    assert body.count('data-code="yes_no"') == 1
    assert "coach-warning" in body
    # Reordering controls, the add form wired to the coach, and the library.
    assert 'draggable="true"' in body
    assert 'name="direction" value="up"' in body
    assert 'hx-post="/c/attendance/guides/coach/"' in body
    assert 'hx-trigger="keyup changed delay:400ms, change"' in body
    assert "From the prompt library" in body


@pytest.mark.parametrize("role", ["interviewer", "analyst"])
def test_readers_see_the_guide_without_editing_controls(client_for, cast, campaign, guide, role):
    body = client_for(cast[role]).get(url("guide", campaign, guide.pk)).content.decode()
    assert "Do you like school?" in body
    assert 'draggable="true"' not in body
    assert "Add a prompt" not in body
    assert 'name="direction"' not in body
    assert "Print version" in body


def test_viewers_and_outsiders_cannot_see_guides(client_for, cast, campaign, guide):
    assert client_for(cast["viewer"]).get(url("guide", campaign, guide.pk)).status_code == 403
    assert client_for(cast["outsider"]).get(url("guide", campaign, guide.pk)).status_code == 404


def test_a_guide_of_another_campaign_is_not_found_here(client_for, campaign, lead):
    elsewhere = InterviewGuideFactory(campaign=CampaignFactory())
    assert client_for(lead).get(url("guide", campaign, elsewhere.pk)).status_code == 404


def test_print_view_is_clean(client_for, campaign, interviewer, guide):
    response = client_for(interviewer).get(url("guide_print", campaign, guide.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Do you like school?" in body
    assert 'class="print-guide"' in body
    assert "campaign-nav" not in body and "navbar" not in body
    assert "coach-warning" not in body  # the coach is for authors, not for the interview
    assert "<script>" not in body  # CSP: no inline scripts


def test_create_and_edit_a_guide(client_for, campaign, lead):
    client = client_for(lead)
    response = client.post(url("guide_create", campaign), {"title": "Families", "introduction": "Hello."})
    guide = InterviewGuide.objects.get(title="Families")
    assert response.status_code == 302
    assert response.url == url("guide", campaign, guide.pk)
    # Titles are unique within a campaign.
    response = client.post(url("guide_create", campaign), {"title": "Families"})
    assert response.status_code == 200
    assert "already has a guide with that title" in response.content.decode()
    client.post(url("guide_edit", campaign, guide.pk), {"title": "Families: letters", "introduction": ""})
    guide.refresh_from_db()
    assert guide.title == "Families: letters"


def test_deleting_a_guide_asks_first(client_for, campaign, lead, guide):
    client = client_for(lead)
    confirm = client.get(url("guide_delete", campaign, guide.pk))
    assert "Delete this guide?" in confirm.content.decode()
    assert InterviewGuide.objects.exists()
    client.post(url("guide_delete", campaign, guide.pk))
    assert not InterviewGuide.objects.exists()


# Copying -----------------------------------------------------------------------------------


def test_copy_offers_only_guides_of_campaigns_the_lead_leads(client_for, campaign, lead, guide):
    led = CampaignFactory(title="Family engagement")
    MembershipFactory(campaign=led, user=lead, role=Role.LEAD)
    led_guide = InterviewGuideFactory(campaign=led, title="Families: meetings")
    PromptFactory(guide=led_guide, text="Tell me about the last time you went to a school meeting.")
    member_only = CampaignFactory(title="Member only")
    MembershipFactory(campaign=member_only, user=lead, role=Role.INTERVIEWER)
    not_led = InterviewGuideFactory(campaign=member_only, title="Secret guide")
    stranger = InterviewGuideFactory(campaign=CampaignFactory(), title="Stranger guide")

    client = client_for(lead)
    body = client.get(url("guide_copy", campaign)).content.decode()
    assert "Families: meetings" in body
    assert "Secret guide" not in body and "Stranger guide" not in body

    for refused in (not_led, stranger):
        response = client.post(url("guide_copy", campaign), {"source": refused.pk})
        assert response.status_code == 200  # the form says no; nothing is copied
        assert not InterviewGuide.objects.filter(campaign=campaign, copied_from=refused).exists()

    response = client.post(url("guide_copy", campaign), {"source": led_guide.pk})
    copy = InterviewGuide.objects.get(campaign=campaign, copied_from=led_guide)
    assert response.url == url("guide", campaign, copy.pk)
    assert list(copy.prompts.values_list("text", flat=True)) == [
        "Tell me about the last time you went to a school meeting."
    ]


# Prompts: add, edit, delete, move, reorder -------------------------------------------------


def test_adding_a_prompt_with_warnings_still_saves(client_for, campaign, lead, guide):
    client = client_for(lead)
    response = client.post(
        url("prompt_add", campaign, guide.pk), {"kind": "core", "text": "Would you come more if the bus was earlier?"}
    )
    prompt = guide.prompts.get(text__startswith="Would you")
    assert response.status_code == 302
    assert response.url.endswith(f"#prompt-{prompt.pk}")
    page = client.get(url("guide", campaign, guide.pk)).content.decode()
    assert 'data-code="hypothetical"' in page
    assert "The coach has a suggestion" in page


def test_an_empty_prompt_is_refused(client_for, campaign, lead, guide):
    response = client_for(lead).post(url("prompt_add", campaign, guide.pk), {"kind": "core", "text": "   "})
    assert response.status_code == 400
    assert guide.prompts.count() == 3


def test_edit_and_delete_a_prompt(client_for, campaign, lead, guide):
    client = client_for(lead)
    prompt = guide.prompts.get(text="Do you like school?")
    edit = client.get(url("prompt_edit", campaign, guide.pk, prompt.pk)).content.decode()
    assert 'data-code="yes_no"' in edit  # the edit page shows the coach on the saved text
    client.post(
        url("prompt_edit", campaign, guide.pk, prompt.pk),
        {"kind": "core", "text": "What is it like for you at school?"},
    )
    prompt.refresh_from_db()
    assert prompt.text == "What is it like for you at school?"
    assert "Delete this prompt?" in client.get(url("prompt_delete", campaign, guide.pk, prompt.pk)).content.decode()
    client.post(url("prompt_delete", campaign, guide.pk, prompt.pk))
    assert not Prompt.objects.filter(pk=prompt.pk).exists()


def test_prompts_of_another_guide_are_not_found(client_for, campaign, lead, guide):
    other = InterviewGuideFactory(campaign=campaign)
    stranger = PromptFactory(guide=other)
    assert client_for(lead).get(url("prompt_edit", campaign, guide.pk, stranger.pk)).status_code == 404


def test_move_without_javascript_redirects_back_to_the_prompt(client_for, campaign, lead, guide):
    prompt = guide.prompts.get(text="Do you like school?")
    response = client_for(lead).post(url("prompt_move", campaign, guide.pk, prompt.pk), {"direction": "up"})
    assert response.status_code == 302
    assert response.url.endswith(f"#prompt-{prompt.pk}")
    texts = list(guide.prompts.filter(kind="core").order_by("position").values_list("text", flat=True))
    assert texts[0] == "Do you like school?"


def test_move_with_htmx_returns_the_groups_and_keeps_focus(client_for, campaign, lead, guide):
    prompt = guide.prompts.get(text="Do you like school?")
    response = client_for(lead).post(
        url("prompt_move", campaign, guide.pk, prompt.pk), {"direction": "up"}, HTTP_HX_TARGET="prompt-groups", **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="prompt-groups"')
    assert "<html" not in body
    assert "data-refocus" in body
    assert "Moved to Core, position 1." in body  # announced to screen readers


def test_move_needs_a_direction(client_for, campaign, lead, guide):
    prompt = guide.prompts.first()
    assert client_for(lead).post(url("prompt_move", campaign, guide.pk, prompt.pk), {}).status_code == 400
    assert client_for(lead).get(url("prompt_move", campaign, guide.pk, prompt.pk)).status_code == 405


def test_drag_and_drop_reorder_endpoint(client_for, campaign, lead, guide):
    opening = guide.prompts.get(kind="opening")
    core = list(guide.prompts.filter(kind="core").order_by("position"))
    order = f"{core[1].pk},{opening.pk},{core[0].pk}"
    response = client_for(lead).post(
        url("prompt_reorder", campaign, guide.pk), {"kind": "core", "order": order}, **HTMX
    )
    assert response.status_code == 200
    texts = list(guide.prompts.filter(kind="core").order_by("position").values_list("text", flat=True))
    assert texts == ["Do you like school?", "How did you first come to this school?", core[0].text]
    bad = client_for(lead).post(url("prompt_reorder", campaign, guide.pk), {"kind": "core", "order": "1,x"})
    assert bad.status_code == 400


def test_reorder_refuses_prompts_of_a_guide_in_another_campaign(client_for, campaign, lead, guide):
    foreign = PromptFactory(guide=InterviewGuideFactory(campaign=CampaignFactory()))
    response = client_for(lead).post(
        url("prompt_reorder", campaign, guide.pk), {"kind": "core", "order": str(foreign.pk)}
    )
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.guide.campaign != campaign


def test_only_leads_change_prompts(client_for, cast, campaign, guide):
    prompt = guide.prompts.first()
    for role in ("interviewer", "analyst"):
        client = client_for(cast[role])
        assert client.post(url("prompt_add", campaign, guide.pk), {"kind": "core", "text": "x"}).status_code == 403
        assert client.post(url("prompt_move", campaign, guide.pk, prompt.pk), {"direction": "up"}).status_code == 403
        assert client.post(url("prompt_delete", campaign, guide.pk, prompt.pk)).status_code == 403
    assert guide.prompts.count() == 3


# The coach endpoint ------------------------------------------------------------------------


def test_coach_returns_warnings_as_a_partial(client_for, campaign, lead):
    response = client_for(lead).post(url("coach", campaign), {"text": "Do you like school?", "kind": "core"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-code="yes_no"' in body
    assert "Tell me about the last time that you" in body  # the better pattern


def test_coach_says_when_a_prompt_reads_well(client_for, campaign, lead):
    response = client_for(lead).post(url("coach", campaign), {"text": "Tell me about the last time you missed school."})
    assert "Reads well" in response.content.decode()


def test_coach_knows_why_is_fine_for_follow_ups(client_for, campaign, lead):
    core = client_for(lead).post(url("coach", campaign), {"text": "Why did that happen?", "kind": "core"})
    follow_up = client_for(lead).post(url("coach", campaign), {"text": "Why did that happen?", "kind": "follow_up"})
    assert 'data-code="why_opener"' in core.content.decode()
    assert 'data-code="why_opener"' not in follow_up.content.decode()


def test_coach_still_coaches_very_long_text(client_for, campaign, lead):
    response = client_for(lead).post(url("coach", campaign), {"text": "Tell me about school " * 300})
    assert 'data-code="too_long"' in response.content.decode()


def test_coach_escapes_what_was_typed(client_for, campaign, lead):
    response = client_for(lead).post(url("coach", campaign), {"text": "Do you <script>alert(1)</script>?"})
    assert "<script>alert" not in response.content.decode()


# The library in the guide ------------------------------------------------------------------


def test_a_library_pattern_fills_the_add_form(client_for, campaign, lead, guide, builtin_patterns):
    pattern = PromptPattern.objects.get(campaign=None, text__startswith="Tell me about the last time that you")
    params = {"pattern": pattern.pk, "topic": "missed the bus."}
    page = client_for(lead).get(url("prompt_add", campaign, guide.pk), params)
    assert "Tell me about the last time that you missed the bus." in page.content.decode()
    partial = client_for(lead).get(url("prompt_add", campaign, guide.pk), params, HTTP_HX_TARGET="add-prompt", **HTMX)
    body = partial.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith("<form")
    assert "Tell me about the last time that you missed the bus." in body
    assert "Reads well" in body


def test_a_pattern_of_another_campaign_cannot_be_used(client_for, campaign, lead, guide):
    foreign = PromptPatternFactory(campaign=CampaignFactory(), text="Foreign pattern about {topic}?")
    page = client_for(lead).get(url("prompt_add", campaign, guide.pk), {"pattern": foreign.pk, "topic": "x"})
    assert "Foreign pattern" not in page.content.decode()


# Query budgets -----------------------------------------------------------------------------


def _make_guides(campaign, n, prompts_each=3):
    for i in range(n):
        guide = InterviewGuideFactory(campaign=campaign, title=f"Guide {i:03}")
        for j in range(prompts_each):
            PromptFactory(guide=guide, kind=Prompt.Kind.values[j % 4], position=j)


@pytest.mark.parametrize("n", [2, 40])
def test_guide_list_query_count(client_for, campaign, lead, django_assert_num_queries, n):
    _make_guides(campaign, n)
    client = client_for(lead)
    # session, user, membership+campaign, count for the paginator, the page of guides with
    # their prompt counts and authors; then the session's sliding expiry is saved (savepoint,
    # update, release)
    with django_assert_num_queries(8):
        response = client.get(url("guides", campaign))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 60])
def test_guide_page_query_count(client_for, campaign, lead, django_assert_num_queries, n):
    guide = InterviewGuideFactory(campaign=campaign)
    for j in range(n):
        PromptFactory(guide=guide, kind=Prompt.Kind.values[j % 4], position=j)
    client = client_for(lead)
    # session, user, membership+campaign, the guide, its prompts, the library patterns for
    # the fill-in form; then the session's sliding expiry is saved (savepoint, update, release)
    with django_assert_num_queries(9):
        response = client.get(url("guide", campaign, guide.pk))
    assert response.status_code == 200

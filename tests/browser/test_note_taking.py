"""Journey: an interviewer takes notes on weak Wi-Fi — notes typed offline wait in the browser,
survive a reload while the server is unreachable, and are each saved exactly once when the
network is back; a lost answer is resent without a duplicate; a session that ends mid-interview
loses nothing; and a whole interview can be run from the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews.factories import InterviewFactory, InterviewGuideFactory, PromptFactory
from interviews.models import Note, Prompt
from participants.factories import ParticipantFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SAVE = re.compile(r".*/notes/save/$")


@pytest.fixture
def interview():
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    interviewer = UserFactory(email="ivan@example.org", full_name="Ivan Brooks")
    MembershipFactory(campaign=campaign, user=interviewer, role=Role.INTERVIEWER)
    guide = InterviewGuideFactory(campaign=campaign, title="Students")
    PromptFactory(guide=guide, kind=Prompt.Kind.OPENING, position=0, text="Tell me about a usual morning.")
    PromptFactory(guide=guide, kind=Prompt.Kind.CORE, position=0, text="Tell me about the last time you missed school.")
    participant = ParticipantFactory(campaign=campaign, full_name="Secret Person", role="student")
    ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.CONSENT)
    return InterviewFactory(campaign=campaign, participant=participant, guide=guide, interviewer=interviewer)


def url(interview):
    return f"/c/absence/interviews/{interview.pk}/"


def bodies(interview):
    return sorted(Note.objects.filter(interview=interview).values_list("body", flat=True))


def status(page):
    return page.locator("#save-status")


def stored_queue(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('empathy-notes:'))"
        ".map(k => JSON.parse(localStorage.getItem(k)).queue.length).reduce((a, b) => a + b, 0)"
    )


def test_notes_typed_offline_are_kept_and_saved_exactly_once(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    first = page.get_by_label("New note for: Tell me about a usual morning.")
    second = page.get_by_label("New note for: Tell me about the last time you missed school.")

    first.fill("My mom leaves at 5:30 for her shift.")
    first.press("Control+Enter")
    expect(status(page)).to_have_text("All notes saved")

    # The network drops: notes go on being typed, and wait in the browser.
    page.context.set_offline(True)
    first.fill("I wake up my little brother.")
    first.press("Control+Enter")
    second.fill("The bus didn't come.\nI waited forty minutes.")
    second.press("Control+Enter")
    expect(status(page)).to_contain_text("Offline — notes waiting: 2")
    assert stored_queue(page) == 2

    # A reload while the server is unreachable: the notes are still there, marked as waiting.
    page.route(SAVE, lambda route: route.abort())  # before going online: the page retries at once
    page.context.set_offline(False)
    page.reload()
    expect(page.locator(".note.pending")).to_have_count(2)
    expect(page.locator(".note.pending", has_text="I waited forty minutes.")).to_be_visible()
    expect(status(page)).to_contain_text("notes waiting: 2")
    assert bodies(interview) == ["My mom leaves at 5:30 for her shift."]

    # The network is back: sent in order, once each, and the browser copy is gone.
    page.unroute(SAVE)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status(page)).to_have_text("All notes saved")
    expect(page.locator(".note.pending")).to_have_count(0)
    assert stored_queue(page) == 0
    assert bodies(interview) == [
        "I wake up my little brother.",
        "My mom leaves at 5:30 for her shift.",
        "The bus didn't come.\nI waited forty minutes.",
    ]
    notes = list(Note.objects.filter(interview=interview).order_by("created_at"))
    assert [n.body for n in notes][1:] == [
        "I wake up my little brother.",
        "The bus didn't come.\nI waited forty minutes.",
    ]

    # A save that reaches the server but whose answer is lost is sent again: still stored once.
    lost = {"n": 0}

    def lose_first_answer(route):
        if lost["n"] == 0:
            lost["n"] += 1
            route.fetch()  # the server stores it …
            route.abort()  # … but the browser never hears back
        else:
            route.continue_()

    page.route(SAVE, lose_first_answer)
    first.fill("Honestly it's normal now.")
    first.press("Control+Enter")
    expect(status(page)).to_contain_text("Offline")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status(page)).to_have_text("All notes saved")
    assert Note.objects.filter(interview=interview, body="Honestly it's normal now.").count() == 1
    assert Note.objects.filter(interview=interview).count() == 4

    # What the page shows of the participant: the code, not the name.
    expect(page.get_by_role("heading", name=re.compile(interview.participant.code))).to_be_visible()
    assert "Secret Person" not in page.content()


def test_a_session_that_ends_mid_interview_loses_nothing(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    box = page.get_by_label("New note for: Tell me about a usual morning.")
    page.context.clear_cookies()  # the session times out
    box.fill("We moved here in January.")
    box.press("Control+Enter")
    expect(status(page)).to_contain_text("Signed out — notes waiting: 1")
    assert bodies(interview) == []
    status(page).get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email").fill("ivan@example.org")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf".*/interviews/{interview.pk}/$"))
    expect(status(page)).to_have_text("All notes saved")
    assert bodies(interview) == ["We moved here in January."]
    expect(page.locator(".note", has_text="We moved here in January.")).to_have_count(1)


def test_signing_out_clears_the_browser_copy(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    page.route(SAVE, lambda route: route.abort())
    box = page.get_by_label("New note for: Tell me about a usual morning.")
    box.fill("Not sent yet")
    box.press("Control+Enter")
    expect(status(page)).to_contain_text("notes waiting: 1")
    assert stored_queue(page) == 1
    page.get_by_role("button", name="Ivan").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('empathy-notes:')).length") == 0


def test_a_whole_interview_from_the_keyboard(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    assert_accessible(page)
    page.keyboard.press("Alt+ArrowDown")  # into the first prompt's box
    page.keyboard.type("I wake up my brother.")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Alt+f")  # a follow-up: "Why?"
    page.keyboard.press("Control+Enter")
    page.keyboard.type("Because nobody else is home.")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Alt+n")  # a nonverbal cue
    page.keyboard.type("Looked away.")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Alt+ArrowDown")  # the next prompt
    page.keyboard.press("Alt+2")  # an observation
    page.keyboard.type("Talks fast about the bus.")
    page.keyboard.press("Control+Enter")
    expect(status(page)).to_have_text("All notes saved")
    notes = Note.objects.filter(interview=interview).order_by("created_at")
    opening = interview.guide.prompts.get(kind=Prompt.Kind.OPENING).pk
    core = interview.guide.prompts.get(kind=Prompt.Kind.CORE).pk
    assert [(n.kind, n.body, n.prompt_id) for n in notes] == [
        ("quote", "I wake up my brother.", opening),
        ("follow_up", "Why?", opening),
        ("quote", "Because nobody else is home.", opening),
        ("nonverbal", "Looked away.", opening),
        ("observation", "Talks fast about the bus.", core),
    ]
    assert_accessible(page)


def test_two_note_takers_see_each_other_and_a_stale_edit_shows_both_texts(
    browser_context, chromium, live_server, interview
):
    lead = UserFactory(email="lena@example.org", full_name="Lena Ortiz")
    MembershipFactory(campaign=interview.campaign, user=lead, role=Role.LEAD)
    ivan = browser_context.new_page()
    sign_in(ivan, "ivan@example.org")
    ivan.goto(url(interview))
    other = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        lena = other.new_page()
        sign_in(lena, "lena@example.org")
        lena.goto(url(interview))

        # Ivan's new note appears on Lena's page without a reload (the page polls).
        box = ivan.get_by_label("New note for: Tell me about a usual morning.")
        box.fill("The letter said court.")
        box.press("Control+Enter")
        expect(status(ivan)).to_have_text("All notes saved")
        shared = lena.locator(".note", has_text="The letter said court.")
        expect(shared).to_be_visible(timeout=12_000)

        # Lena (a lead) corrects it; Ivan, still on the old version, edits it too: refused, both shown.
        mine = ivan.locator(".note", has_text="The letter said court.")
        mine.get_by_role("button", name="Edit").click()  # Ivan starts from version 1
        shared.get_by_role("button", name="Edit").click()
        lena.locator(".note-editor textarea").fill("The second letter said court.")
        lena.keyboard.press("Escape")
        expect(status(lena)).to_have_text("All notes saved")
        ivan.locator(".note-editor textarea").fill("The letter said court, and mum cried.")
        ivan.keyboard.press("Escape")
        conflict = ivan.locator(".conflict")
        expect(conflict).to_contain_text("The second letter said court.")
        expect(conflict).to_contain_text("The letter said court, and mum cried.")
        assert Note.objects.get(interview=interview).body == "The second letter said court."
        conflict.get_by_role("button", name="Keep mine").click()
        expect(status(ivan)).to_have_text("All notes saved")
        note = Note.objects.get(interview=interview)
        assert note.body == "The letter said court, and mum cried." and note.version == 3
        assert list(note.revisions.order_by("version").values_list("body", flat=True)) == [
            "The letter said court.",
            "The second letter said court.",
        ]
    finally:
        other.close()


def queue_keys(page):
    return page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('empathy-notes:'))")


def test_signing_out_from_another_page_clears_the_browser_copy(page, interview):
    """The sign-out answer carries Clear-Site-Data: "storage", so it works from any page."""
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    page.route(SAVE, lambda route: route.abort())
    box = page.get_by_label("New note for: Tell me about a usual morning.")
    box.fill("Not sent yet")
    box.press("Control+Enter")
    expect(status(page)).to_contain_text("notes waiting: 1")
    page.goto("/")  # the dashboard: notes.js is not loaded here
    assert len(queue_keys(page)) == 1
    page.get_by_role("button", name="Ivan").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert queue_keys(page) == []


def test_another_users_queue_in_this_browser_is_never_loaded(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    page.evaluate(
        """([interviewId]) => {
            const queue = {seq: 1, user: "999999", queue: [{client_id: "11111111-1111-4111-8111-111111111111",
                body: "Someone else's unsent note", kind: "quote", prompt: "", base: 0, seq: 1}]};
            localStorage.setItem("empathy-notes:u999999:" + interviewId, JSON.stringify(queue));
            // Even under this user's own key, a queue written for another user is ignored.
            localStorage.setItem(document.getElementById("notes-app").dataset.storageKey,
                JSON.stringify(queue));
        }""",
        [interview.pk],
    )
    page.reload()
    expect(status(page)).to_have_text("All notes saved")
    assert "else's unsent note" not in page.content()
    assert bodies(interview) == []


def test_a_note_refused_for_good_is_dropped_and_a_failing_one_does_not_block_the_rest(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    box = page.get_by_label("New note for: Tell me about a usual morning.")

    def fail_first(route):
        if "Broken" in (route.request.post_data or ""):
            route.fulfill(status=500, body="oops")
        else:
            route.continue_()

    page.route(SAVE, fail_first)
    page.clock.install()
    box.fill("Broken note")
    box.press("Control+Enter")
    box.fill("Second note")
    box.press("Control+Enter")
    for _ in range(6):  # retries back off 3, 6, 12, 24 s: the fifth failure sets it aside
        page.clock.run_for(31_000)
    expect(page.locator(".note", has_text="Broken note").locator(".note-error")).to_contain_text("several tries")
    expect(page.locator(".note", has_text="Second note")).not_to_have_class(re.compile("pending"))
    assert bodies(interview) == ["Second note"]
    assert stored_queue(page) == 1  # the failing one is kept in the browser

    page.unroute(SAVE)
    page.route(
        SAVE,
        lambda route: route.fulfill(
            status=400,
            content_type="application/json",
            body='{"error": "withdrawn", "message": "P-001 withdrew from this campaign."}',
        ),
    )
    box.fill("Typed after the withdrawal")
    box.press("Control+Enter")
    expect(page.locator(".note", has_text="Typed after the withdrawal").locator(".note-error")).to_contain_text(
        "removed from this browser"
    )
    assert stored_queue(page) == 1  # only the set-aside one; the refused one is gone


def test_polling_pauses_after_25_idle_minutes_and_resumes_on_click(page, interview):
    sign_in(page, "ivan@example.org")
    page.clock.install()
    page.goto(url(interview))
    polls = []
    page.on("request", lambda request: polls.append(1) if "/notes/changes/" in request.url else None)
    page.clock.run_for(60_000)
    assert polls
    page.clock.run_for(26 * 60_000)
    paused = page.locator("#poll-paused")
    expect(paused).to_be_visible()
    count = len(polls)
    page.clock.run_for(5 * 60_000)
    assert len(polls) == count  # no more polling while nobody is here
    paused.get_by_role("button", name="Resume").click()
    expect(paused).to_be_hidden()
    page.clock.run_for(10_000)
    assert len(polls) > count


def test_each_notes_edit_and_delete_buttons_name_their_note(page, interview):
    sign_in(page, "ivan@example.org")
    page.goto(url(interview))
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.type("I wake up my brother.")
    page.keyboard.press("Control+Enter")
    page.keyboard.type("The bus was late again.")
    page.keyboard.press("Control+Enter")
    expect(status(page)).to_have_text("All notes saved")
    # A screen reader's list of buttons tells the notes apart, not "Edit, Delete, Edit, Delete".
    expect(page.get_by_role("button", name="Edit: I wake up my brother.", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Delete: The bus was late again.", exact=True)).to_have_count(1)
    # The names follow the text when the note is edited.
    page.get_by_role("button", name="Edit: The bus was late again.", exact=True).click()
    editor = page.locator(".note-editor textarea")
    editor.fill("The bus never came.")
    editor.press("Escape")
    expect(page.get_by_role("button", name="Edit: The bus never came.", exact=True)).to_be_focused()
    assert_accessible(page)

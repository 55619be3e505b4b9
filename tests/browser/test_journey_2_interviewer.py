"""Journey 2 (issue #10): an interviewer records a participant's consent on the staff consent page,
then runs the interview on the note-taking page with the keyboard only — Tab, Enter and the
page's shortcuts, never a mouse click — including notes typed while the network is down (kept in
the browser, then saved exactly once when it is back), and completes it. axe on every page."""

import pytest
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentFormFactory
from consent.models import ConsentRecord
from interviews.factories import InterviewFactory, InterviewGuideFactory, PromptFactory
from interviews.models import Interview, Note, Prompt
from participants.factories import ParticipantFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# What the focused element is called: its label, aria-label or text (enough to find a control).
FOCUSED_NAME = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "";
    const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
    return (el.getAttribute("aria-label") || label || el.textContent || el.value || "").replace(/\\s+/g, " ").trim();
}"""


def tab_to(page, name, limit=150):
    """Press Tab until the focused control's name starts with `name` (as a keyboard user would)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate(FOCUSED_NAME)
        if current.startswith(name):
            return
        seen.append(current)
    pytest.fail(f"Tab never reached {name!r}; went through {seen[:40]}…")


def stored_queue(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('empathy-notes:'))"
        ".map(k => JSON.parse(localStorage.getItem(k)).queue.length).reduce((a, b) => a + b, 0)"
    )


@pytest.fixture
def interview():
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    ivan = UserFactory(email="ivan@example.org", full_name="Ivan Brooks")
    MembershipFactory(campaign=campaign, user=ivan, role=Role.INTERVIEWER)
    ConsentFormFactory(campaign=campaign, title="Taking part: chronic absence")
    guide = InterviewGuideFactory(campaign=campaign, title="Families")
    PromptFactory(guide=guide, kind=Prompt.Kind.OPENING, position=0, text="Tell me about a usual morning.")
    PromptFactory(guide=guide, kind=Prompt.Kind.CORE, position=0, text="Tell me about the last letter from school.")
    participant = ParticipantFactory(campaign=campaign, full_name="Marisol Vega", role="family", is_minor=False)
    participant.assigned_interviewers.add(ivan)
    return InterviewFactory(campaign=campaign, participant=participant, guide=guide, interviewer=ivan)


def test_interviewer_records_consent_then_runs_and_completes_the_interview_by_keyboard(page, interview):
    code = interview.participant.code
    sign_in(page, "ivan@example.org")

    # The note-taking page refuses notes until consent is recorded.
    page.goto(f"/c/absence/interviews/{interview.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Notes cannot be saved for this participant.")
    expect(page.get_by_role("button", name="Start interview")).to_be_disabled()
    assert_accessible(page)

    # Record the consent given on paper, on the staff consent page.
    page.goto(f"/c/absence/consent/p/{code}/")
    expect(page.get_by_role("heading", name=f"{code} · Marisol Vega")).to_be_visible()
    expect(page.get_by_text("No interview or note can be recorded yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("How it was given").select_option(label="Written (signed paper form)")
    page.get_by_label("May be quoted in reports (without their name)").check()
    page.get_by_label("Role only (e.g. “a 9th-grade student”)").check()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Recorded.")).to_be_visible()
    history = page.locator("section[aria-labelledby=history-heading]")
    expect(history).to_contain_text("may be quoted")
    expect(history).to_contain_text("recorded by Ivan")
    expect(page.get_by_text("No interview or note can be recorded yet.")).to_have_count(0)
    assert_accessible(page)
    record = ConsentRecord.objects.get(participant=interview.participant)
    assert (record.kind, record.method, record.may_quote, record.recorded_by.email) == (
        "consent",
        "written",
        True,
        "ivan@example.org",
    )

    # From here on: keyboard only.
    page.goto(f"/c/absence/interviews/{interview.pk}/")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert_accessible(page)
    tab_to(page, "Start interview")
    page.keyboard.press("Enter")
    expect(page.locator("h1 .badge")).to_have_text("In progress")
    assert_accessible(page)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.IN_PROGRESS

    status = page.locator("#save-status")
    page.keyboard.press("Alt+ArrowDown")  # into the first prompt's box
    expect(page.get_by_label("New note for: Tell me about a usual morning.")).to_be_focused()
    page.keyboard.type("My mom leaves at 5:30 for her shift.")
    page.keyboard.press("Control+Enter")
    expect(status).to_have_text("All notes saved")

    # The network drops: the notes go on being typed and wait in the browser.
    page.context.set_offline(True)
    page.keyboard.press("Alt+n")  # a nonverbal cue
    page.keyboard.type("Looks at the floor.")
    page.keyboard.press("Control+Enter")
    page.keyboard.press("Alt+ArrowDown")  # the next prompt
    expect(page.get_by_label("New note for: Tell me about the last letter from school.")).to_be_focused()
    page.keyboard.type("The letter said court.\nI didn't sleep that night.")
    page.keyboard.press("Control+Enter")
    expect(status).to_contain_text("Offline — notes waiting: 2")
    expect(page.locator(".note.pending")).to_have_count(2)
    assert stored_queue(page) == 2
    assert list(Note.objects.filter(interview=interview).values_list("body", flat=True)) == [
        "My mom leaves at 5:30 for her shift."
    ]
    assert_accessible(page)  # the offline state is announced and readable too

    # Back online: the browser says so by itself, and each waiting note is saved exactly once.
    page.context.set_offline(False)
    expect(status).to_have_text("All notes saved")
    expect(page.locator(".note.pending")).to_have_count(0)
    assert stored_queue(page) == 0
    notes = list(Note.objects.filter(interview=interview).order_by("created_at", "id"))
    opening = interview.guide.prompts.get(kind=Prompt.Kind.OPENING).pk
    core = interview.guide.prompts.get(kind=Prompt.Kind.CORE).pk
    assert [(n.kind, n.body, n.prompt_id) for n in notes] == [
        ("quote", "My mom leaves at 5:30 for her shift.", opening),
        ("nonverbal", "Looks at the floor.", opening),
        ("quote", "The letter said court.\nI didn't sleep that night.", core),
    ]

    # Completing it: Tab to the debrief, type it, Tab to "Save and mark interview complete", Enter.
    tab_to(page, "Top three things we heard")
    page.keyboard.type("Mornings are a relay.\nThe letter scared them.")
    tab_to(page, "Save and mark interview complete")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Interview completed. Thank you — the debrief is saved.")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Completed")
    expect(page.get_by_role("button", name="Save and mark interview complete")).to_have_count(0)
    assert_accessible(page)

    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED
    assert interview.debrief_top_three.splitlines() == ["Mornings are a relay.", "The letter scared them."]
    # Every note exists exactly once, after the offline stretch and the completion.
    bodies = list(Note.objects.filter(interview=interview).values_list("body", flat=True))
    assert sorted(bodies) == sorted(n.body for n in notes) and len(bodies) == 3
    for body in bodies:
        expect(page.locator(".note", has_text=body.split("\n")[0])).to_have_count(1)

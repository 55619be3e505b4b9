"""Accessibility checks of issue #10 beyond axe, on the main pages:

(a) focus is never trapped: Tab walks forward through every focusable element of the page, one
    after another, and leaves the page after the last one; menus and editors that open close
    with Escape and give focus back to what opened them;
(b) colour is never the only signal: with every colour forced to black on white, status badges,
    under-heard groups, prompt-coach warnings, stale and flagged highlights, waiting notes and
    form errors still say what they mean in words;
(c) charts have a text or table equivalent, with the same numbers as the database: the coverage
    bars, the fishbone, and the whose-voices breakdown of the board and the theme page.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role
from consent.factories import ConsentRecordFactory
from consent.selectors import consent_status
from interviews.factories import InterviewFactory, InterviewGuideFactory, NoteFactory, PromptFactory
from interviews.models import Interview, Prompt
from interviews.prompt_coach import RULES
from participants.models import DimensionValue, EquityDimension, Participant, ParticipantValue
from participants.services import participant_set_status, participants_create
from synthesis.factories import HighlightFactory, RootCauseFactory, TagFactory, ThemeFactory
from synthesis.models import Highlight, RootCause

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MAIN_PAGES = [
    "overview",
    "participants",
    "coverage",
    "guide",
    "note-taking",
    "board",
    "theme",
    "root-causes",
    "search",
    "exports",
]

# Every element the keyboard should reach, marked in document order (one radio per group: Tab
# enters a group once). Elements not rendered (closed <details>, collapsed menus) are left out.
MARK_TABBABLE = """() => {
    const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]),'
        + ' select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const groups = new Set();
    const marked = [];
    for (const el of document.querySelectorAll(selector)) {
        if (!el.getClientRects().length || !el.checkVisibility({visibilityProperty: true})) continue;
        if (insideClosedDetails(el)) continue;
        if (el.closest("[inert]") || (el.tabIndex < 0 && !el.matches("summary"))) continue;
        if (el.type === "radio" && el.name) {
            const group = (el.form ? "f" : "d") + el.name;
            if (groups.has(group)) continue;
            groups.add(group);
        }
        el.dataset.tabExpect = String(marked.length);
        marked.push(describe(el));
    }
    return marked;
    function insideClosedDetails(el) {
        for (let d = el.closest("details:not([open])"); d; d = d.parentElement.closest("details:not([open])")) {
            const summary = d.querySelector(":scope > summary");
            if (!(summary && summary.contains(el))) return true;
        }
        return false;
    }
    function describe(el) {
        const name = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
            || el.textContent || el.value || "";
        return el.tagName.toLowerCase() + " " + name.replace(/\\s+/g, " ").trim().slice(0, 50);
    }
}"""

# The element that has focus now: a stable id for the walk (null when focus left the page).
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    if (!el.dataset.tabWalk) {
        window.__tabWalk = (window.__tabWalk || 0) + 1;
        el.dataset.tabWalk = String(window.__tabWalk);
    }
    const name = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
        || el.textContent || el.value || "";
    return {walk: el.dataset.tabWalk, expect: el.dataset.tabExpect ?? null,
            desc: el.tagName.toLowerCase() + " " + name.replace(/\\s+/g, " ").trim().slice(0, 50),
            radio: el.type === "radio"};
}"""

# Colour off: everything black on white, so only words, shapes and layout are left to read.
NO_COLOUR = """
/* Two never-used ids outweigh the classes of Bootstrap's own !important colour helpers. */
:not(#no-colour-1):not(#no-colour-2), :not(#no-colour-1):not(#no-colour-2)::before,
:not(#no-colour-1):not(#no-colour-2)::after {
    color: #000 !important; background: #fff !important; border-color: #000 !important;
    outline-color: #000 !important; box-shadow: none !important; fill: #000 !important; stroke: #000 !important;
    text-decoration-color: #000 !important;
}
"""


@pytest.fixture
def world():
    """A campaign with something on every page: a dimension with shares (Spanish under-heard),
    interviews with notes, highlights on a theme (one stale, one starred, one dissenting), a
    weak prompt for the coach, root causes for the fishbone."""
    campaign = CampaignFactory(title="Chronic absence", slug="absence")
    lead = UserFactory(email="lena@example.org", full_name="Lena Ortiz")
    MembershipFactory(campaign=campaign, user=lead, role=Role.LEAD)
    home = EquityDimension.objects.create(campaign=campaign, name="Home language", key="home_lang")
    spanish = DimensionValue.objects.create(
        dimension=home, label="Spanish", population_share=40, often_marginalized=True
    )
    english = DimensionValue.objects.create(dimension=home, label="English", population_share=55)
    DimensionValue.objects.create(dimension=home, label="Vietnamese", population_share=5)
    rows = [
        {"full_name": f"Person {i}", "email": f"p{i}@example.net", "role": "family" if i % 2 else "student"}
        for i in range(7)
    ]
    values = [{home.pk: english}] * 4 + [{home.pk: spanish}] * 3
    people = participants_create(campaign=campaign, by=lead, rows=rows, values=values)
    for p in people[:4]:
        participant_set_status(participant=p, status="interviewed", by=lead)
    participant_set_status(participant=people[4], status="interviewed", by=lead)  # one Spanish speaker heard
    participant_set_status(participant=people[5], status="invited", by=lead)
    Participant.objects.filter(pk=people[6].pk).update(most_directly_impacted=True, not_usually_asked=True)

    guide = InterviewGuideFactory(campaign=campaign, title="Families")
    PromptFactory(guide=guide, kind=Prompt.Kind.OPENING, position=0, text="Tell me about a usual morning.")
    PromptFactory(guide=guide, kind=Prompt.Kind.CORE, position=0, text="Do you like school?")
    PromptFactory(guide=guide, kind=Prompt.Kind.CORE, position=1, text="Don't you think the letters are unfair?")

    theme = ThemeFactory(campaign=campaign, title="Getting there", statement="The bus does not come.")
    other_theme = ThemeFactory(campaign=campaign, title="The letters", statement="Letters scare families.")
    tag = TagFactory(campaign=campaign, name="transportation")
    interviews = []
    highlights = []
    for n, person in enumerate(people[:5]):
        person.refresh_from_db()
        ConsentRecordFactory(participant=person)
        interview = InterviewFactory(
            campaign=campaign, participant=person, interviewer=lead, guide=guide, status=Interview.Status.COMPLETED
        )
        interviews.append(interview)
        note = NoteFactory(interview=interview, body=f"The bus never came, so I waited forty minutes ({n}).")
        highlights.append(HighlightFactory(note=note, theme=theme if n < 3 else other_theme, tags=[tag]))
    # The one Spanish speaker's words go on the first theme too (a second card).
    spanish_note = NoteFactory(interview=interviews[4], body="La carta decía corte. My mom cried.")
    highlights.append(HighlightFactory(note=spanish_note, theme=theme))
    Highlight.objects.filter(pk=highlights[0].pk).update(needs_review=True)
    Highlight.objects.filter(pk=highlights[1].pk).update(starred=True)
    Highlight.objects.filter(pk=highlights[2].pk).update(dissenting=True)
    # An unthemed card, to be seen on the board.
    HighlightFactory(note=NoteFactory(interview=interviews[0], body="Nobody called us back."))
    RootCauseFactory(theme=theme, category=RootCause.Category.POLICIES, statement="Bus routes were cut")
    RootCauseFactory(theme=theme, category=RootCause.Category.POLICIES, statement="Letters use legal words")
    RootCauseFactory(theme=other_theme, category=RootCause.Category.POLICIES, statement="Nobody calls first")
    live = InterviewFactory(campaign=campaign, participant=people[0], interviewer=lead, guide=guide)
    NoteFactory(interview=live, body="My mom leaves at 5:30.", author=lead)

    slug = campaign.slug
    urls = {
        "overview": reverse("campaigns:overview", args=[slug]),
        "participants": reverse("participants:list", args=[slug]),
        "coverage": reverse("participants:coverage", args=[slug]),
        "guide": reverse("interviews:guide", args=[slug, guide.pk]),
        "note-taking": reverse("interviews:detail", args=[slug, live.pk]),
        "board": reverse("synthesis:board", args=[slug]) + "?theme=",
        "theme": reverse("synthesis:theme", args=[slug, theme.pk]),
        "root-causes": reverse("synthesis:root_causes", args=[slug]) + f"?theme={theme.pk}",
        "search": reverse("synthesis:search", args=[slug]) + "?q=bus",
        "exports": reverse("exports:list", args=[slug]),
        "interviews": reverse("interviews:list", args=[slug]) + "?when=all",
        "consent": reverse("consent:overview", args=[slug]),
        "notes": reverse("synthesis:notes", args=[slug]),
        "dimension-add": reverse("participants:dimension_add", args=[slug]),
    }
    return {
        "campaign": campaign,
        "urls": urls,
        "theme": theme,
        "other_theme": other_theme,
        "highlights": highlights,
        "home": home,
        "people": people,
        "live": live,
    }


# --- (a) Focus is never trapped ---------------------------------------------------------------


def _tab_walk(page, name):
    expected = page.evaluate(MARK_TABBABLE)
    assert len(expected) > 5, f"{name}: hardly anything to focus: {expected}"
    page.locator(".skip-link").focus()  # the first stop of every page
    visited = []  # walk ids, in order
    seen_expect = set()
    descriptions = []
    first = page.evaluate(FOCUSED)
    assert first and first["expect"] == "0", f"{name}: the skip link is not the first focusable element: {first}"
    visited.append(first["walk"])
    seen_expect.add(first["expect"])
    left = False
    previous = first
    for _ in range(len(expected) + 25):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED)
        if now is None or now["walk"] == visited[0]:
            left = True  # out of the document (to the browser), or round to the start again
            break
        assert now["walk"] != previous["walk"], f"{name}: Tab does not move focus off {now['desc']!r}"
        if now["walk"] in visited:
            cycle = descriptions[visited.index(now["walk"]) - 1 :]
            pytest.fail(f"{name}: focus is trapped in a cycle of {len(cycle)} elements: {cycle}")
        visited.append(now["walk"])
        descriptions.append(now["desc"])
        if now["expect"] is not None:
            seen_expect.add(now["expect"])
        previous = now
    assert left, f"{name}: after {len(visited)} Tabs focus never left the page; last: {descriptions[-5:]}"
    # Every element meant to be reachable was reached, and the last one was the page's last.
    missed = [d for i, d in enumerate(expected) if str(i) not in seen_expect]
    assert not missed, f"{name}: Tab never reached {missed}"
    assert previous["expect"] == str(len(expected) - 1), (
        f"{name}: focus left the page from {previous['desc']!r}, not from the last element {expected[-1]!r}"
    )
    # And Shift+Tab goes back the same way (one step is enough to show it is not one-way).
    page.keyboard.press("Shift+Tab")
    back = page.evaluate(FOCUSED)
    assert back is not None and back["walk"] == visited[-1], f"{name}: Shift+Tab from outside did not return"
    return len(visited)


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_tab_walks_through_every_element_and_leaves_the_page(page, world, name):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"][name])
    expect(page.locator("main")).to_be_visible()
    page.wait_for_load_state("networkidle")
    _tab_walk(page, name)


TRAPS = {
    # A widget that swallows Tab: focus stays put.
    "stuck": """() => { const el = document.querySelectorAll("main a[href]")[1];
        el.addEventListener("keydown", e => { if (e.key === "Tab") e.preventDefault(); }); }""",
    # Two widgets that send Tab to each other: focus goes round a small loop.
    "cycle": """() => { const [a, b] = [...document.querySelectorAll("main a[href]")].slice(1, 3);
        a.addEventListener("keydown", e => { if (e.key === "Tab") { e.preventDefault(); b.focus(); } });
        b.addEventListener("keydown", e => { if (e.key === "Tab") { e.preventDefault(); a.focus(); } }); }""",
}


@pytest.mark.parametrize("trap", TRAPS)
def test_the_tab_walk_catches_a_trap(page, world, trap):
    """The check above is worth something: a planted trap makes it fail."""
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["overview"])
    page.evaluate(TRAPS[trap])
    with pytest.raises(pytest.fail.Exception if trap == "cycle" else AssertionError, match="trapped|does not move"):
        _tab_walk(page, "overview with a planted trap")


def test_menus_and_editors_close_with_escape_and_give_focus_back(page, world):
    sign_in(page, "lena@example.org")

    # The account menu (every page): opened from the keyboard, closed with Escape.
    page.goto(world["urls"]["overview"])
    toggle = page.get_by_role("button", name="Lena")
    toggle.focus()
    page.keyboard.press("Enter")
    menu = page.locator("header .dropdown-menu")
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("link", name="Password")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # An interview's "More" menu on the interviews list.
    page.goto(world["urls"]["interviews"])
    more = page.get_by_role("button", name=re.compile(r"^More")).first
    more.focus()
    page.keyboard.press("Enter")
    expect(page.locator("main .dropdown-menu.show")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(page.locator("main .dropdown-menu.show").get_by_role("link", name="Reschedule")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("main .dropdown-menu.show")).to_have_count(0)
    expect(more).to_be_focused()

    # A note's editor on the note-taking page: Escape saves, closes it, and returns to "Edit".
    page.goto(world["urls"]["note-taking"])
    note = page.locator(".note", has_text="My mom leaves at 5:30.")
    edit = note.get_by_role("button", name=re.compile("^Edit"))
    edit.focus()
    page.keyboard.press("Enter")
    editor = note.locator(".note-editor textarea")
    expect(editor).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" Then I go.")
    page.keyboard.press("Escape")
    expect(note.locator(".note-editor")).to_have_count(0)
    expect(note.get_by_role("button", name=re.compile("^Edit"))).to_be_focused()
    expect(page.locator("#save-status")).to_have_text("All notes saved")
    assert world["live"].notes.get().body == "My mom leaves at 5:30. Then I go."

    # The delete confirmation (the browser's own dialog): dismissed, nothing deleted, focus kept.
    delete = note.get_by_role("button", name=re.compile("^Delete"))
    delete.focus()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.keyboard.press("Enter")
    expect(delete).to_be_focused()
    assert world["live"].notes.filter(is_deleted=False).count() == 1


# --- (b) Colour is never the only signal ------------------------------------------------------


def _colour_off(page):
    # The pages' Content-Security-Policy refuses inline <style>; a constructed sheet is not inline.
    page.evaluate(
        "css => { const s = new CSSStyleSheet(); s.replaceSync(css);"
        " document.adoptedStyleSheets = [...document.adoptedStyleSheets, s]; }",
        NO_COLOUR,
    )
    # The page must really have lost its colours (the check is worthless otherwise).
    colours = page.evaluate(
        "() => [...document.querySelectorAll('.badge, .gap-negative, .coach-warning')].slice(0, 20)"
        ".map(el => getComputedStyle(el).color + '/' + getComputedStyle(el).backgroundColor)"
    )
    assert set(colours) <= {"rgb(0, 0, 0)/rgb(255, 255, 255)"}, colours


def test_status_badges_say_the_status_in_words(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["participants"])
    _colour_off(page)
    labels = dict(Participant.Status.choices)
    badges = page.locator("#participant-table .badge[class*=status-]")
    assert badges.count() == len(world["people"])
    for i in range(badges.count()):
        badge = badges.nth(i)
        status = re.search(r"status-(\w+)", badge.get_attribute("class")).group(1)
        expect(badge).to_have_text(str(labels[status]))
    for person in world["people"]:
        person.refresh_from_db()
        row = page.locator("#participant-table tr", has=page.get_by_role("link", name=person.code, exact=True))
        expect(row.locator(".badge[class*=status-]")).to_have_text(person.get_status_display())

    # Participant flags are words too; a derived flag says it is derived (dashed, and in words).
    flagged = page.locator("#participant-table tr", has=page.get_by_role("link", name=world["people"][6].code))
    expect(flagged.locator(".flag-impacted")).to_have_text("most impacted")
    expect(flagged.locator(".flag-unasked")).to_have_text("not usually asked")
    derived = page.locator("#participant-table tr", has=page.get_by_role("link", name=world["people"][5].code))
    expect(derived.locator(".flag-derived")).to_have_text("not usually asked (derived)")
    expect(derived.locator(".flag-derived")).to_have_attribute("title", re.compile("^Derived: "))

    page.goto(world["urls"]["interviews"])
    _colour_off(page)
    interview_labels = dict(Interview.Status.choices)
    badges = page.locator("main .badge[class*=status-]")
    assert badges.count() >= 2
    for i in range(badges.count()):
        status = re.search(r"status-(\w+)", badges.nth(i).get_attribute("class")).group(1)
        expect(badges.nth(i)).to_have_text(str(interview_labels[status]))

    # Consent: each row's state is written out, and is the participant's real state.
    page.goto(world["urls"]["consent"])
    _colour_off(page)
    for person in world["people"]:
        row = page.locator("tr", has=page.get_by_role("link", name=person.code, exact=True))
        expect(row.locator(".consent-state")).to_have_text(str(consent_status(person).state_label))


def test_under_heard_groups_are_named_in_words(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["coverage"])
    _colour_off(page)
    # 40% of those affected, 1 of 5 interviews: Spanish is under-heard, and the page says so.
    under = page.locator("ul.under-heard li")
    expect(under).to_have_count(1)
    expect(under).to_contain_text("Home language: Spanish")
    expect(under).to_contain_text("40% of the affected population, 20% of interviews (1 of 5).")
    expect(under).to_contain_text("often marginalized")
    table = page.locator("section", has=page.get_by_role("heading", name="Home language", exact=True)).locator("table")
    spanish = table.locator("tr", has=page.get_by_role("rowheader", name=re.compile("^Spanish")))
    expect(spanish.get_by_role("rowheader")).to_contain_text("under-heard")
    expect(spanish.get_by_role("rowheader")).to_contain_text("often marginalized")  # the ★ has words too
    expect(spanish.locator("td").nth(3)).to_have_text("-20")  # the gap's sign says "short"
    for label in ("English", "Vietnamese"):
        row = table.locator("tr", has=page.get_by_role("rowheader", name=re.compile(f"^{label}")))
        expect(row.get_by_role("rowheader")).not_to_contain_text("under-heard")


def test_prompt_coach_warnings_name_the_problem(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["guide"])
    _colour_off(page)
    warnings = page.locator("#prompt-groups .coach-warning")
    codes = warnings.evaluate_all("els => els.map(el => el.dataset.code)")
    assert {"yes_no", "leading"} <= set(codes)
    levels = warnings.evaluate_all("els => els.map(el => el.classList.contains('coach-tip') ? 'Tip:' : 'Warning:')")
    for i, code in enumerate(codes):
        expect(warnings.nth(i).locator(".coach-title")).to_have_text(RULES[code][0])
        expect(warnings.nth(i).locator(".coach-title")).to_be_visible()
        # A tip and a warning differ in words, not only in colour.
        expect(warnings.nth(i).locator(".coach-level")).to_have_text(levels[i], ignore_case=True)
        expect(warnings.nth(i).locator(".coach-level")).to_be_visible()
    # The coach answering as one types says it in words too.
    box = page.get_by_label("Prompt*")
    box.press_sequentially("Would you ever walk to school?", delay=10)
    coach = page.locator("#coach-add")
    expect(coach).to_contain_text("The coach has")
    expect(coach.locator(".coach-title").first).to_have_text(re.compile("Hypothetical|Yes/no question"))
    box.fill("")
    box.press_sequentially("Tell me about the last time you walked to school.", delay=10)
    expect(coach).to_contain_text("Reads well: open, short and about a real experience.")


def test_stale_and_flagged_highlights_say_so_in_words(page, world):
    stale, starred, dissenting = world["highlights"][:3]
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["board"])
    _colour_off(page)

    def card(h):
        return page.locator(f"#card-{h.pk}")

    expect(card(stale)).to_contain_text("note edited: check")
    expect(card(starred)).to_contain_text("starred")
    expect(card(dissenting)).to_contain_text("dissenting")
    for h in world["highlights"][3:]:
        expect(card(h)).not_to_contain_text("note edited: check")
        expect(card(h)).not_to_contain_text("dissenting")

    page.goto(f"/c/absence/synthesis/highlights/{starred.pk}/")
    _colour_off(page)
    expect(page.get_by_role("button", name="★ Starred")).to_have_attribute("aria-pressed", "true")
    page.goto(f"/c/absence/synthesis/highlights/{dissenting.pk}/")
    _colour_off(page)
    expect(page.get_by_role("button", name="Dissenting voice")).to_have_attribute("aria-pressed", "true")

    page.goto(world["urls"]["notes"])
    _colour_off(page)
    expect(page.locator(f"#note-{stale.note_id}")).to_contain_text("the note changed; these words are gone — review")


def test_notes_waiting_to_be_sent_say_so(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["note-taking"])
    _colour_off(page)
    page.context.set_offline(True)
    box = page.get_by_label("New note for: Tell me about a usual morning.")
    box.fill("The bus was late again.")
    box.press("Control+Enter")
    waiting = page.locator(".note.pending", has_text="The bus was late again.")
    expect(waiting).to_contain_text("waiting to send")
    expect(page.locator("#save-status")).to_contain_text("Offline — notes waiting: 1")
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text("All notes saved")
    expect(page.locator(".note", has_text="The bus was late again.")).not_to_contain_text("waiting to send")


def test_form_errors_are_written_next_to_the_field(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["dimension-add"])
    page.get_by_label("Name*", exact=True).fill("Home language")  # taken
    page.get_by_label("Column name*").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    _colour_off(page)
    assert_accessible(page)
    for field, message in (
        (page.get_by_label("Name*", exact=True), "Another dimension already uses this."),
        (page.get_by_label("Column name*"), "This field is required."),
    ):
        error_ids = (field.get_attribute("aria-describedby") or "").split()
        described = " ".join(page.locator(f"[id='{i}']").text_content() for i in error_ids if i)
        # The message is visible in words and tied to its field (read out with it).
        expect(page.get_by_text(message).first).to_be_visible()
        assert message in described, f"{message!r} is not tied to its field (aria-describedby={error_ids})"
        expect(field).to_have_attribute("aria-invalid", "true")


# --- (c) Charts have a table or text equivalent with the same numbers -------------------------


def _db_coverage(dimension):
    out = {}
    for value in dimension.values.all():
        links = ParticipantValue.objects.filter(value=value)
        out[value.label] = {
            "population": value.population_share,
            "invited": links.exclude(participant__status=Participant.Status.NOMINATED).count(),
            "interviewed": links.filter(participant__status=Participant.Status.INTERVIEWED).count(),
        }
    return out


def _numbers(text):
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def _pct(n, total):
    return f"{round(100 * n / total, 1):g}%" if total else "—"


def test_coverage_bars_have_a_table_with_the_same_numbers(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["coverage"])
    assert_accessible(page)
    db = _db_coverage(world["home"])
    invited_total = sum(v["invited"] for v in db.values())
    interviewed_total = sum(v["interviewed"] for v in db.values())
    assert (invited_total, interviewed_total) == (6, 5)
    table = page.locator("section", has=page.get_by_role("heading", name="Home language", exact=True)).locator("table")
    for label, numbers in db.items():
        row = table.locator("tbody tr", has=page.get_by_role("rowheader", name=re.compile(f"^{label}")))
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(f"{float(numbers['population']):g}%")
        expect(cells.nth(1)).to_have_text(f"{_pct(numbers['invited'], invited_total)} ({numbers['invited']})")
        expect(cells.nth(2)).to_have_text(
            f"{_pct(numbers['interviewed'], interviewed_total)} ({numbers['interviewed']})"
        )
        # The bars' own text alternative states the same shares.
        label = row.get_by_role("img").get_attribute("aria-label")
        assert re.fullmatch(r"Population [\d.]+%, invited [\d.]+%, interviewed [\d.]+%", label), label
        assert _numbers(label) == [
            float(numbers["population"]),
            round(100 * numbers["invited"] / invited_total, 1),
            round(100 * numbers["interviewed"] / interviewed_total, 1),
        ], label
    totals = page.locator(".coverage-totals")
    expect(totals).to_contain_text(f"Invited\n{invited_total}", use_inner_text=True)
    expect(totals).to_contain_text(f"Interviewed\n{interviewed_total}", use_inner_text=True)


def test_fishbone_has_the_same_causes_as_text(page, world):
    sign_in(page, "lena@example.org")
    page.goto(world["urls"]["root-causes"])
    assert_accessible(page)
    causes = list(RootCause.objects.filter(theme__campaign=world["campaign"]).select_related("theme"))
    assert len(causes) == 3
    fishbone = page.get_by_role("img", name="Fishbone diagram of root causes")
    expect(fishbone).to_be_visible()
    expect(fishbone.locator("text.head-text").nth(1)).to_have_text(f"{len(causes)} root causes")
    listing = page.locator("section[aria-labelledby=fishbone-heading] .row")
    for category, label in RootCause.Category.choices:
        column = listing.locator(".col", has=page.get_by_role("heading", name=str(label), exact=True))
        expect(column).to_have_count(1)
        mine = [c for c in causes if c.category == category]
        if mine:
            expect(column.locator("li")).to_have_count(len(mine))
            for cause in mine:
                expect(column.locator("li", has_text=cause.statement)).to_contain_text(cause.theme.title)
        else:
            expect(column).to_contain_text("None yet.")


def test_whose_voices_on_the_board_and_theme_page_match_the_data(page, world):
    theme, other = world["theme"], world["other_theme"]
    sign_in(page, "lena@example.org")

    def db_counts(t):
        highlights = Highlight.objects.filter(theme=t)
        return highlights.count(), highlights.values("participant").distinct().count()

    page.goto(world["urls"]["board"])
    for t in (theme, other):
        cards, voices = db_counts(t)
        expect(page.locator(f"#theme-head-{t.pk}")).to_contain_text(
            f"{cards} card{'s' if cards != 1 else ''} · {voices} voice{'s' if voices != 1 else ''}"
        )
    assert db_counts(theme) == (4, 4)

    page.goto(world["urls"]["theme"])
    assert_accessible(page)
    voices = page.locator("section[aria-labelledby=voices-heading]")
    people = Participant.objects.filter(highlights__theme=theme).distinct()
    roles = {str(label): people.filter(role=value).count() for value, label in Participant.Role.choices}
    expect(voices).to_contain_text(f"Heard from {people.count()} participants:")
    for label, n in roles.items():
        if n:
            expect(voices).to_contain_text(f"{label} {n}")
    voices.locator("summary", has_text="Home language").click()  # the breakdown opens on demand
    table = voices.locator("table", has=page.locator("caption", has_text="Home language"))
    total = people.count()
    for value in world["home"].values.all():
        n = ParticipantValue.objects.filter(value=value, participant__in=people).count()
        row = table.locator("tbody tr", has=page.get_by_role("rowheader", name=re.compile(f"^{value.label}")))
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(str(n))
        expect(cells.nth(1)).to_have_text(f"{round(100 * n / total, 1)}%")
        expect(cells.nth(2)).to_have_text(f"{float(value.population_share):g}%")
        label = row.get_by_role("img").get_attribute("aria-label")
        assert re.fullmatch(r"[\d.]+% heard, [\d.]+% of population", label), label
        assert _numbers(label) == [round(100 * n / total, 1), float(value.population_share)], label
    # The group nobody on this theme speaks for is named in words, not only tinted.
    expect(voices).to_contain_text("No one whose home language is Vietnamese")

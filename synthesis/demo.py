"""Demo synthesis for the attendance campaign: highlights of the interviews demo's notes, tags,
themes, a why-chain, root causes on the fishbone, a published theme and marked predictions.

Runs after interviews' demo (INSTALLED_APPS order). Idempotent: it finds what it made before.
Words that are not in the notes (the interviews demo changed) are skipped, never invented.
"""

from interviews.models import Note, Prediction

from . import services
from .models import Highlight, RootCause, Tag, Theme

TAGS = {
    "transportation": "Getting to school: buses, stops, rides.",
    "caregiving": "Looking after siblings, grandparents or a parent.",
    "letters": "Attendance letters and what families make of them.",
    "fear of court": "The word 'court' and what families fear it means.",
    "language access": "Communication not in the family's language.",
    "health": "Illness, asthma, hospital stays.",
    "shame": "Being singled out, walking in late, feeling stupid.",
    "belonging": "Feeling noticed and welcome at school.",
    "work": "Students or parents working hours that clash with school.",
    "falling behind": "Missing class leads to being lost, which leads to missing more.",
    "automated contact": "Robocalls and form letters instead of a person.",
}

THEMES = [
    (
        "Letters frighten instead of help",
        "Families read the attendance letter as a threat — to their housing, to their family — and it arrives "
        "in English, after excused absences, with no person behind it.",
    ),
    ("Getting there is fragile", "Route changes, far stops and no car mean one missed bus is a missed day."),
    (
        "Family comes first",
        "Students and grandparents carry the care of the household; school waits when someone is sick.",
    ),
    (
        "Coming back is the hardest part",
        "After an absence, lateness or being behind turns into shame, and shame into more absence.",
    ),
    ("One adult who notices", "A single caring adult who reaches out makes students want to come back."),
]

# (words in a note, tags, theme title or None, starred, dissenting)
HIGHLIGHTS = [
    ("The letter said I could go to court. My mom cried.", ["letters", "fear of court"], 0, True, False),
    ("She thought they would take us away from my aunt's place.", ["fear of court"], 0, False, False),
    ("The letter came in English and my dad reads Spanish.", ["letters", "language access"], 0, True, False),
    ("I kind of left out the court part", ["fear of court", "language access"], 0, False, False),
    ("Then a second one came with the word 'court' and I was scared.", ["fear of court", "letters"], 0, True, False),
    ("When something official arrives, you think the worst.", ["fear of court"], 0, False, False),
    ("I sent a doctor's note and they still sent the letter.", ["letters", "health"], 0, True, False),
    ("It felt like a machine sends these out.", ["automated contact", "letters"], 0, False, False),
    (
        "the calls come at like 10am when my mom is at work, and the message is a robot voice",
        ["automated contact"],
        0,
        False,
        False,
    ),
    (
        "Last Tuesday the bus didn't come to our stop because we're on the edge of the route.",
        ["transportation"],
        1,
        True,
        False,
    ),
    ("Now the closest one is across the highway", ["transportation"], 1, False, False),
    ("If she cannot, he stays home. I work at 6 and do not have a car.", ["transportation", "work"], 1, False, False),
    ("I'm seventy-one and I don't drive anymore.", ["transportation", "caregiving"], 1, False, False),
    ("If he's sick I can't leave him.", ["caregiving"], 2, True, False),
    ("I'm kind of the morning parent.", ["caregiving"], 2, False, False),
    ("I missed Monday because I worked a double on Sunday.", ["work"], 2, False, False),
    ("I feel like I'm choosing between my family and my grades.", ["work", "caregiving"], 2, True, False),
    ("If I'm sick, she's home with me.", ["caregiving", "health"], 2, False, False),
    (
        "When I came back nobody asked if I was okay, they just gave me a tardy slip.",
        ["shame", "belonging"],
        3,
        True,
        False,
    ),
    ("So sometimes if I'm late I just don't go at all.", ["shame"], 3, False, False),
    ("I felt stupid, so I stopped going to math.", ["falling behind", "shame"], 3, True, False),
    ("It felt like school was a train and I fell off and it kept going.", ["falling behind"], 3, True, False),
    ("Ms. R. texts me 'we missed you' and that makes me want to come back.", ["belonging"], 4, True, False),
    ("The nurse is the only one who gets it.", ["belonging", "health"], 4, False, False),
    (
        "That someone calls me in Spanish and asks what is happening, before sending a paper.",
        ["language access", "belonging"],
        4,
        True,
        False,
    ),
    (
        "a teacher said in front of the class 'nice of you to join us' and she cried the whole evening",
        ["shame", "belonging"],
        4,
        False,
        False,
    ),
    ("I have asthma and in winter the cold air makes it bad.", ["health"], None, False, False),
    ("If first period started later I'd make it every day.", ["work"], None, False, True),
    ("Honestly it's normal now.", ["caregiving"], None, False, True),
    ("I like art and I like lunch.", [], None, False, False),
]

WHY_CHAIN = [
    ("The letter names court before anyone has talked with the family.", [0, 4]),
    ("Letters go out automatically, even after a doctor's note excused the days.", [6, 7]),
    ("The policy triggers a letter at 10% of days missed, whatever the reason, and only in English.", [6, 2]),
]

ROOT_CAUSES = [
    (RootCause.Category.POLICIES, "Letters triggered at 10% absence, excused or not", 0, [6]),
    (RootCause.Category.POLICIES, "Court named in the first letter", 0, [0, 4]),
    (RootCause.Category.PRACTICES, "Letters and calls only in English", 0, [2, 24]),
    (RootCause.Category.PRACTICES, "Robocalls during parents' working hours", 0, [8]),
    (RootCause.Category.PEOPLE, "No adult assigned to check in after an absence", 3, [18]),
    (RootCause.Category.RESOURCES, "Bus stops cut at the edge of the route in October", 1, [9]),
    (RootCause.Category.BELIEFS, "Attendance treated as a number, not a student", 0, [7]),
    (RootCause.Category.BELIEFS, "Lateness met with public remarks, not welcome", 3, [25, 19]),
    (RootCause.Category.PLACE, "Nearest stop is across a highway", 1, [10]),
]

PREDICTION_MARKS = {
    "Families see the letters as a threat, not as help": (
        Prediction.Status.CONFIRMED,
        "Every family who got a letter read 'court' as a threat to their housing.",
    ),
    "Older students miss school to care for younger siblings": (Prediction.Status.CONFIRMED, "P-001, P-008."),
    "Students who are behind in class avoid school to avoid feeling lost": (
        Prediction.Status.CONFIRMED,
        "“School was a train and I fell off.”",
    ),
    "Mornings fall apart when a parent works a night shift": (
        Prediction.Status.CONTRADICTED,
        "Early-morning shifts, not night shifts: parents leave at 5:30 or 6.",
    ),
    "Students will say no adult at school noticed they were gone": (
        Prediction.Status.CONFIRMED,
        "And one adult who noticed made the difference.",
    ),
}


def load(*, campaigns, users):
    campaign = next((c for c in campaigns if c.slug == "attendance-policy"), None)
    if campaign is None:
        return
    analyst, lead = users["analyst"], users["lead"]
    for name, description in TAGS.items():
        if not Tag.objects.filter(campaign=campaign, name__iexact=name).exists():
            services.tag_create(campaign=campaign, name=name, description=description, user=analyst)
    themes = []
    for title, statement in THEMES:
        theme = Theme.objects.filter(campaign=campaign, title=title).first()
        themes.append(theme or services.theme_create(campaign=campaign, title=title, statement=statement, user=analyst))
    notes = list(Note.objects.live().for_campaign(campaign))
    made = []
    for words, tags, theme_index, starred, dissenting in HIGHLIGHTS:
        note = next((n for n in notes if words in n.body), None)
        if note is None:
            made.append(None)
            continue
        highlight = Highlight.objects.filter(note=note, quote=words).first()
        if highlight is None:
            highlight = services.highlight_create(note=note, user=analyst, quote=words, new_tags=tags)
            if theme_index is not None:
                services.highlight_move(highlight_id=highlight.pk, campaign=campaign, theme=themes[theme_index])
            if starred:
                services.highlight_toggle(highlight=highlight, field="starred")
            if dissenting:
                services.highlight_toggle(highlight=highlight, field="dissenting")
            if words.startswith("It felt like school was a train"):
                services.memo_add(
                    user=analyst,
                    highlight=highlight,
                    body="The clearest image we have of how absences compound. Use in the report.",
                )
        made.append(highlight)
    if not any(made):
        return
    letters = themes[0]
    if not letters.why_steps.exists():
        for answer, cited in WHY_CHAIN:
            ids = [made[i].pk for i in cited if made[i] is not None]
            if ids:
                services.why_step_add(theme=letters, answer=answer, highlight_ids=ids, user=analyst)
    if not RootCause.objects.filter(theme__campaign=campaign).exists():
        for category, statement, theme_index, cited in ROOT_CAUSES:
            ids = [made[i].pk for i in cited if made[i] is not None]
            if ids:
                services.root_cause_add(
                    theme=themes[theme_index], category=category, statement=statement, highlight_ids=ids, user=analyst
                )
    if not letters.is_published:
        from consent.selectors import scopes_by_participant

        candidates = list(letters.highlights.filter(starred=True).order_by("id"))
        scopes = scopes_by_participant({h.participant_id for h in candidates})
        quotable = [h.pk for h in candidates if scopes.get(h.participant_id) and scopes[h.participant_id].may_quote]
        services.theme_publish(theme=letters, highlight_ids=quotable[:3], user=lead)
    for text, (status, note) in PREDICTION_MARKS.items():
        prediction = Prediction.objects.filter(campaign=campaign, text=text, status=Prediction.Status.OPEN).first()
        if prediction is not None:
            services.prediction_mark(prediction=prediction, status=status, note=note)
    if not letters.issue_statements.exists() and campaign.issue_statements.exists():
        current = campaign.issue_statements.first()
        services.issue_statement_refine_from(
            campaign=campaign,
            text=current.text.rstrip(".")
            + ", and our letters — automatic, in English and naming court — push away the families they mean to reach.",
            rationale="What families told us about the letters (theme: Letters frighten instead of help).",
            author=lead,
            themes=[letters],
            root_causes=list(letters.root_causes.all()[:2]),
        )

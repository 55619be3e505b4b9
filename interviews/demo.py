"""Demo guides, a campaign pattern, predictions, and interviews with notes (idempotent: safe to run again)."""

# ruff: noqa: E501  (the demo notes are long sentences, kept one per line)

from .models import InterviewGuide, Prediction, Prompt, PromptPattern
from .services import KIND_ORDER, guide_create, pattern_create, prompt_add

STUDENT_GUIDE = {
    "title": "Students: getting to school",
    "introduction": (
        "Thank you for talking with me. I'm from the district, and we're listening to students before we "
        "change the attendance policy. There are no right or wrong answers, and you can skip any question "
        "or stop at any time. I'll take notes, but your name won't be in anything we share."
    ),
    "prompts": [
        (Prompt.Kind.OPENING, "How did you first come to this school?"),
        (Prompt.Kind.OPENING, "Tell me about a usual morning before school."),
        (Prompt.Kind.CORE, "Tell me about the last time you missed school."),
        (Prompt.Kind.CORE, "Walk me through what happened when the attendance letter came home."),
        (Prompt.Kind.CORE, "Do you like school?"),
        (Prompt.Kind.CORE, "What feelings came up when you last walked in late?"),
        (Prompt.Kind.CORE, "Would you come more often if the MTSS team called home?"),
        (Prompt.Kind.FOLLOW_UP, "What was that like for you?"),
        (Prompt.Kind.CLOSING, "What advice would you give a new student about getting to school?"),
        (Prompt.Kind.CLOSING, "What else should we know about school and mornings?"),
    ],
}
FAMILY_GUIDE = {
    "title": "Families: the attendance letters",
    "introduction": "Thank you for making time. We want to understand how the attendance letters land at home.",
    "prompts": [
        (Prompt.Kind.OPENING, "Tell me a little about your family and your child's school."),
        (Prompt.Kind.CORE, "Tell me about the last time a letter about absences came home."),
        (Prompt.Kind.CORE, "Who do you turn to when your child cannot get to school?"),
        (Prompt.Kind.CLOSING, "What is most important to you about your child's school?"),
    ],
}
MEETING_GUIDE = {
    "title": "Families: school meetings",
    "introduction": "Thank you for talking with us about school meetings and events.",
    "prompts": [
        (Prompt.Kind.OPENING, "Tell me about your child and their school."),
        (Prompt.Kind.CORE, "Tell me about the last time you went to a meeting at school."),
        (Prompt.Kind.CORE, "Why don't you come to PTA meetings?"),
        (Prompt.Kind.CLOSING, "What advice would you give the school about welcoming families?"),
    ],
}
CAMPAIGN_PATTERN = (
    "What do you wish your teachers knew about {topic}?",
    "Students open up when they can speak to someone who is not in the room.",
)
PREDICTIONS = {
    "lead": [
        "Transportation is the biggest barrier for students far from school",
        "Families see the letters as a threat, not as help",
        "Older students miss school to care for younger siblings",
    ],
    "interviewer": [
        "Students who are behind in class avoid school to avoid feeling lost",
        "Mornings fall apart when a parent works a night shift",
    ],
    "analyst": [
        "Absence is mostly about health (asthma, anxiety)",
        "Students will say no adult at school noticed they were gone",
    ],
}
CHECKED = {
    "Transportation is the biggest barrier for students far from school": (
        Prediction.Status.CONFIRMED,
        "Heard from most students in temporary housing.",
    ),
    "Absence is mostly about health (asthma, anxiety)": (
        Prediction.Status.CONTRADICTED,
        "Health came up, but school feeling unwelcoming came up far more.",
    ),
}


def _guide(campaign, spec, user):
    guide = InterviewGuide.objects.filter(campaign=campaign, title=spec["title"]).first()
    if guide is None:
        guide = guide_create(campaign=campaign, title=spec["title"], introduction=spec["introduction"], by=user)
        for kind, text in spec["prompts"]:
            prompt_add(guide=guide, kind=kind, text=text)
    return guide


def load(*, campaigns, users):
    by_slug = {campaign.slug: campaign for campaign in campaigns}
    attendance = by_slug.get("attendance-policy")
    family = by_slug.get("family-engagement")
    lead = users["lead"]
    if attendance is not None:
        _guide(attendance, STUDENT_GUIDE, lead)
        _guide(attendance, FAMILY_GUIDE, lead)
        text, why = CAMPAIGN_PATTERN
        if not PromptPattern.objects.filter(campaign=attendance, text=text).exists():
            pattern_create(campaign=attendance, text=text, kind=Prompt.Kind.CORE, why=why, by=lead)
        # Attendance is interviewing, so its predictions are locked; they are written here
        # directly, as the team wrote them in planning, and some are already checked.
        for role, lines in PREDICTIONS.items():
            for position, line in enumerate(lines):
                prediction, created = Prediction.objects.get_or_create(
                    campaign=attendance, author=users[role], text=line, defaults={"position": position}
                )
                if created and line in CHECKED:
                    prediction.mark(*CHECKED[line])
        _interviews(attendance, users)
    if family is not None:
        _guide(family, MEETING_GUIDE, lead)
        Prediction.objects.get_or_create(
            campaign=family,
            author=users["interviewer"],
            text="Families who work evenings cannot come to meetings",
        )


# Interviews and notes ------------------------------------------------------------------------
# (prompt index in the guide, or None; kind; text). Quotes are the participant's own words.
Q, OBS, NV, FU, S = "quote", "observation", "nonverbal", "follow_up", "summary"
STUDENT_NOTES = {
    "P-001": [
        (
            0,
            Q,
            "We moved here in January because my mom found a room with my aunt. This is my third school since fifth grade.",
        ),
        (
            1,
            Q,
            "My alarm is my mom's phone but she leaves at 5:30 for her shift, so I wake up my little brother and we get dressed.\nIf he's sick I can't leave him.",
        ),
        (1, FU, "What was that like for you?"),
        (1, Q, "Honestly it's normal now. I'm kind of the morning parent."),
        (
            2,
            Q,
            "Last Tuesday the bus didn't come to our stop because we're on the edge of the route. I waited 40 minutes and then just went home.",
        ),
        (2, NV, "Looked down at the table, voice got quieter when talking about waiting for the bus."),
        (2, FU, "Tell me more about the edge of the route."),
        (
            2,
            Q,
            "They changed the stops in October. Now the closest one is across the highway and my mom doesn't want me crossing it in the dark.",
        ),
        (
            3,
            Q,
            "The letter said I could go to court. My mom cried. She thought they would take us away from my aunt's place.",
        ),
        (3, OBS, "Student brought up the letter before we asked about it."),
        (
            8,
            Q,
            "Find one teacher who notices you. Ms. R. texts me 'we missed you' and that makes me want to come back.",
        ),
        (
            None,
            S,
            "Transport (route change in October) plus caring for a sibling; the letter was read as a threat about housing, not an offer of help.",
        ),
    ],
    "P-002": [
        (
            1,
            Q,
            "I have asthma and in winter the cold air makes it bad. Some mornings I can't breathe right until I use my inhaler twice.",
        ),
        (
            2,
            Q,
            "I missed three days in a row in December. When I came back nobody asked if I was okay, they just gave me a tardy slip.",
        ),
        (2, NV, "Shrugged and laughed a little when saying 'nobody asked'."),
        (2, FU, "Why?"),
        (2, Q, "I think they just see a number. Like, my attendance percent, not me."),
        (
            5,
            Q,
            "Walking in late is the worst part. Everybody turns around and looks at you. So sometimes if I'm late I just don't go at all.",
        ),
        (5, OBS, "'If I'm late I just don't go' — lateness turns into a full-day absence."),
        (6, Q, "Maybe? But the calls come at like 10am when my mom is at work, and the message is a robot voice."),
        (9, Q, "The nurse is the only one who gets it. Her office should be where you can go when you come in late."),
        (None, S, "Health (asthma) plus the shame of walking in late; automated calls don't reach a working parent."),
    ],
    "P-003": [
        (0, Q, "I've been here since kindergarten. I used to love it."),
        (4, Q, "I like art and I like lunch. I don't like math because I'm behind and the teacher goes too fast."),
        (4, OBS, "The guide's yes/no prompt got a yes/no answer at first; the follow-up opened it up."),
        (4, FU, "Tell me more about being behind."),
        (
            4,
            Q,
            "After I missed a week when my grandma was in the hospital, I came back and everyone was on a new unit. I felt stupid, so I stopped going to math.",
        ),
        (4, NV, "Long pause, picked at sleeve. Eyes welled up when mentioning grandma."),
        (7, Q, "It felt like school was a train and I fell off and it kept going."),
        (8, Q, "Tell someone when you're lost. I didn't, and it got worse."),
        (
            None,
            S,
            "Missing school after a family illness led to feeling lost in class, which led to skipping the class — absences compound.",
        ),
    ],
    "P-008": [
        (
            1,
            Q,
            "I work at my uncle's restaurant until 11 on weekends and sometimes on school nights. I'm tired in the morning, like really tired.",
        ),
        (2, Q, "I missed Monday because I worked a double on Sunday. We need the money, the rent went up again."),
        (2, FU, "What was that like for you?"),
        (2, Q, "Stressful. I feel like I'm choosing between my family and my grades."),
        (
            3,
            Q,
            "The letter came in English and my dad reads Spanish. I translated it for him and I kind of left out the court part.",
        ),
        (3, NV, "Smiled nervously when admitting he softened the letter for his father."),
        (3, OBS, "Letters home only in English; students translate them and filter them."),
        (9, Q, "If first period started later I'd make it every day. Everybody I know who works is late to first."),
        (None, S, "Work to support family, rent increases; letters in English mediated by the student himself."),
    ],
}
FAMILY_NOTES = {
    "P-029": [
        (
            0,
            Q,
            "We are four at home, my two kids, my husband and me. My son is in eighth grade. (Interview in Spanish; notes translated by the note-taker.)",
        ),
        (
            1,
            Q,
            "The letter arrived and I did not understand all of it. My son read it to me. Then a second one came with the word 'court' and I was scared.",
        ),
        (1, NV, "Held her hands together tightly; spoke more slowly."),
        (1, FU, "Tell me more about being scared."),
        (1, Q, "We are renting and we have had problems before. When something official arrives, you think the worst."),
        (
            2,
            Q,
            "My neighbour drives him when the bus does not come. If she cannot, he stays home. I work at 6 and do not have a car.",
        ),
        (
            3,
            Q,
            "That they treat him with respect. That someone calls me in Spanish and asks what is happening, before sending a paper.",
        ),
        (
            None,
            OBS,
            "Mother asked twice whether the interview would be shared with the attendance office; reassured her with the transparency statement.",
        ),
        (
            None,
            S,
            "Letters in English and the word 'court' frighten families in unstable housing; a person calling in the home language would help.",
        ),
    ],
    "P-030": [
        (0, Q, "I'm raising my granddaughter. She's in sixth grade. I'm seventy-one and I don't drive anymore."),
        (
            1,
            Q,
            "The letter said she'd missed 10% of days. I knew that. She had pneumonia. I sent a doctor's note and they still sent the letter.",
        ),
        (1, NV, "Frustrated tone; tapped the letter on the table."),
        (1, FU, "Why?"),
        (1, Q, "I don't think anyone read the note. It felt like a machine sends these out."),
        (2, Q, "Nobody, really. Her mom is not in the picture. If I'm sick, she's home with me."),
        (
            3,
            Q,
            "That she feels like she belongs. Last year a teacher said in front of the class 'nice of you to join us' and she cried the whole evening.",
        ),
        (
            None,
            S,
            "Excused absences still trigger letters; grandparent caregivers have no backup; a shaming comment made school feel unwelcoming.",
        ),
    ],
}
DEBRIEFS = {
    "P-001": (
        "1. The October route change put her stop across a highway.\n2. She is the 'morning parent' for her brother.\n"
        "3. The letter was read as a threat to their housing.",
        "How quickly she raised the letter herself; how much one teacher's text matters.",
        "Matter-of-fact about caregiving; quiet and ashamed about waiting for the bus.",
    ),
    "P-003": (
        "1. Missing a week during a family illness.\n2. Coming back to a new unit and feeling lost.\n3. Skipping math to avoid it.",
        "That absences in one class came from shame about being behind, not from not caring.",
        "Sadness about grandma; embarrassment about math.",
    ),
    "P-029": (
        "1. Letters only in English.\n2. 'Court' frightens families who rent.\n3. Rides depend on a neighbour.",
        "She had never been called by the school, only written to.",
        "Fear, then relief when we explained how the notes are used.",
    ),
}
UPCOMING = [
    # (code, days from now, hour, mode, place, with note-taker)
    ("P-015", 2, 9, "in_person", "Lincoln Middle, counselling office (room 104)", True),
    ("P-019", 3, 17, "phone", "Phone — she asked for a call after work", False),
    ("P-036", 5, 14, "video", "https://meet.example.org/attendance-p036", True),
]
PAST = [("P-001", 21), ("P-002", 19), ("P-003", 16), ("P-008", 14), ("P-029", 12), ("P-030", 9)]


def _interviews(campaign, users):
    import datetime
    import uuid
    import zoneinfo

    from django.conf import settings
    from django.utils import timezone

    from .models import Interview, Note

    if Interview.objects.filter(campaign=campaign).exists():
        return
    lead, interviewer = users["lead"], users["interviewer"]
    guides = {g.title: g for g in InterviewGuide.objects.filter(campaign=campaign)}
    student_guide, family_guide = guides.get(STUDENT_GUIDE["title"]), guides.get(FAMILY_GUIDE["title"])
    people = {p.code: p for p in campaign.participants.all()}
    tz_name = settings.TIME_ZONE
    tz = zoneinfo.ZoneInfo(tz_name)
    today = timezone.localdate()

    def at(days, hour):
        day = today + datetime.timedelta(days=days)
        return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=tz)

    for code, days_ago in PAST:
        participant = people.get(code)
        if participant is None:
            continue
        is_family = code in FAMILY_NOTES
        guide = family_guide if is_family else student_guide
        start = at(-days_ago, 15 if is_family else 10)
        interview = Interview.objects.create(
            campaign=campaign,
            participant=participant,
            guide=guide,
            scheduled_at=start,
            time_zone=tz_name,
            mode=Interview.Mode.IN_PERSON if not is_family else Interview.Mode.PHONE,
            place_or_link="Lincoln Middle, library study room" if not is_family else "Phone",
            language=participant.preferred_language,
            interviewer=interviewer,
            note_taker=lead,
            status=Interview.Status.COMPLETED,
            started_at=start,
            completed_at=start + datetime.timedelta(minutes=45),
            created_by=lead,
        )
        if code in DEBRIEFS:
            top, surprises, emotions = DEBRIEFS[code]
            Interview.objects.filter(pk=interview.pk).update(
                debrief_top_three=top, debrief_surprises=surprises, debrief_emotions=emotions
            )
        participant.assigned_interviewers.add(interviewer)
        prompts = list(guide.prompts.order_by("kind", "position", "id")) if guide else []
        # The guide's order: opening, core, follow-up, closing.
        ordered = dict(enumerate(sorted(prompts, key=lambda p: (KIND_ORDER.index(p.kind), p.position))))
        for n, (index, kind, body) in enumerate((FAMILY_NOTES if is_family else STUDENT_NOTES)[code]):
            when = start + datetime.timedelta(minutes=2 + n * 3)
            note = Note.objects.create(
                interview=interview,
                campaign=campaign,
                participant=participant,
                prompt=ordered.get(index) if index is not None else None,
                kind=kind,
                body=body,
                author=lead if kind in (OBS, NV) else interviewer,
                edited_by=lead if kind in (OBS, NV) else interviewer,
                client_id=uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{campaign.slug}:{code}:{n}"),
            )
            Note.objects.filter(pk=note.pk).update(created_at=when, updated_at=when)
    for code, days, hour, mode, place, with_note_taker in UPCOMING:
        participant = people.get(code)
        if participant is None:
            continue
        Interview.objects.create(
            campaign=campaign,
            participant=participant,
            guide=family_guide if participant.role == "family" else student_guide,
            scheduled_at=at(days, hour),
            time_zone=tz_name,
            mode=mode,
            place_or_link=place,
            language=participant.preferred_language,
            interviewer=interviewer,
            note_taker=lead if with_note_taker else None,
            created_by=lead,
        )
        participant.assigned_interviewers.add(interviewer)

"""Demo guides, a campaign pattern and predictions (idempotent: safe to run again)."""

from .models import InterviewGuide, Prediction, Prompt, PromptPattern
from .services import guide_create, pattern_create, prompt_add

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
    if family is not None:
        _guide(family, MEETING_GUIDE, lead)
        Prediction.objects.get_or_create(
            campaign=family,
            author=users["interviewer"],
            text="Families who work evenings cannot come to meetings",
        )

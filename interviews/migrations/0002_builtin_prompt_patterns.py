"""The built-in prompt library: the method's good question shapes.

Rows without a campaign are shared by every campaign; admins can refine them in the Django
admin, and leads add campaign-specific ones in the app.
"""

from django.db import migrations

BUILTIN_PATTERNS = [
    ("Tell me about the last time that you {topic}.", "core",
     "Anchors the answer in one real, recent moment instead of a general opinion."),
    ("What is most important to you about {topic}?", "core",
     "Surfaces what people value, in their own words."),
    ("What advice would you give someone else about {topic}?", "closing",
     "Lets people share hard-won knowledge without having to talk about themselves."),
    ("What feelings came up when {topic} last occurred?", "core",
     "Invites emotion tied to a specific occurrence."),
    ("Walk me through what happens when {topic}.", "core",
     "Brings out the steps, the people involved and where things get stuck."),
    ("Who do you turn to when {topic}?", "core",
     "Shows the people and supports around them, and the gaps."),
    ("Tell me about a time when {topic} went well.", "core",
     "Balances the hard stories and shows what already works."),
    ("What was that like for you when {topic}?", "follow_up",
     "A gentle follow-up that keeps the focus on their experience."),
    ("Tell me more about {topic}.", "follow_up",
     "The simplest follow-up: it asks for more without suggesting an answer."),
    ("How did you first come to {topic}?", "opening",
     "An easy, concrete start that lets people settle in."),
    ("What else should we know about {topic}?", "closing",
     "An open door at the end, instead of a yes/no “Is there anything else?”"),
]


def load(apps, schema_editor):
    PromptPattern = apps.get_model("interviews", "PromptPattern")
    for position, (text, kind, why) in enumerate(BUILTIN_PATTERNS):
        PromptPattern.objects.get_or_create(
            campaign=None, text=text, defaults={"kind": kind, "why": why, "position": position}
        )


def unload(apps, schema_editor):
    PromptPattern = apps.get_model("interviews", "PromptPattern")
    PromptPattern.objects.filter(campaign=None, text__in=[text for text, _kind, _why in BUILTIN_PATTERNS]).delete()


class Migration(migrations.Migration):
    dependencies = [("interviews", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

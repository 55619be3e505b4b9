"""The prompt coach's rules, each with prompts it must flag and real prompts it must leave alone.

Pure functions: no database needed.
"""

import pytest

from interviews.prompt_coach import MAX_WORDS, check_prompt


def codes(text, kind=None):
    return [w.code for w in check_prompt(text, kind=kind)]


# Good prompts, in the method's style, from real guides: the coach says nothing.
GOOD_PROMPTS = [
    "Tell me about the last time you missed school.",
    "Tell me about the last time that you got a letter about absences.",
    "What is most important to you about coming to school?",
    "What advice would you give someone else about getting to school on time?",
    "What feelings came up when the attendance letter last arrived?",
    "Walk me through what happens on a morning when the bus doesn't come.",
    "Who do you turn to when you can't get to school?",
    "How did you first come to this school?",
    "What was that like for you?",
    "Can you tell me about your morning before school?",
    "Could you describe the day the attendance clerk called?",
    "What do you and your friends do when the bus is late?",
    "Tell me about a time when school felt hard and what helped.",
    "What else should we know about mornings at your house?",
    "Tell me about your IEP (your learning plan) meeting last spring.",
    "Describe what happened the last time you were marked tardy.",
    "How did you feel when the letter arrived?",
]


@pytest.mark.parametrize("text", GOOD_PROMPTS)
def test_good_prompts_get_no_warnings(text):
    assert check_prompt(text) == []


def test_empty_text_gets_no_warnings():
    assert check_prompt("") == []
    assert check_prompt("   ") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Do you like school?", "Do you"),
        ("Is it hard to get to school?", "Is it"),
        ("Did the letter make a difference?", "Did the"),
        ("Have you ever missed the bus?", "Have you"),
        ("Are mornings stressful at home?", "Are mornings"),
        ("Does your family get the attendance letters?", "Does your"),
        ("Can your parents drive you when the bus is late?", "Can your"),
        ("Was the attendance clerk kind to you?", "Was the"),
        ("So, did anyone at school notice you were gone?", "did anyone"),
        ("Tell me about your mornings. Do you eat breakfast?", "Do you"),
        ("Is there anything else you'd like to tell us?", "Is there"),
    ],
)
def test_yes_no_openers(text, found):
    warnings = {w.code: w for w in check_prompt(text)}
    assert "yes_no" in warnings
    assert warnings["yes_no"].found == found


@pytest.mark.parametrize(
    "text",
    [
        "Can you tell me about the last time you missed school?",
        "Could you walk me through a usual morning?",
        "What do you do when you miss the bus?",  # "do" is not the opener
        "How is it for you when the bus is late?",
        "Tell me what you did the last time you were late.",
    ],
)
def test_yes_no_false_positives(text):
    assert "yes_no" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "Would you come to school more if the bus came earlier?",
        "If you could change one thing about the attendance policy, what would it be?",
        "Imagine you are the principal. What would you change?",
        "Suppose the school called your family every morning; what then?",
        "What if school started an hour later?",
        "How would you feel if your teacher called home?",
        "If you had a magic wand, what would school look like?",
        "Would it help to have a friend to walk with?",
    ],
)
def test_hypotheticals(text):
    assert "hypothetical" in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "What advice would you give someone else about getting to school on time?",
        "Tell me about the last time you could not get to school.",
        "What did you imagine school would be like before you started?",
        "Could you tell me about the bus ride?",
    ],
)
def test_hypothetical_false_positives(text):
    assert "hypothetical" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "Don't you think the letters are unfair?",
        "Wouldn't you agree that mornings are the hardest part?",
        "Isn't it true that the bus is always late?",
        "The letters help families understand the rules, right?",
        "How frustrating was it when the letter came?",
        "Surely the attendance calls help?",
        "Doesn't the new policy make things worse?",
    ],
)
def test_leading_questions(text):
    assert "leading" in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "How did you feel when the letter came?",
        "What do you think happened after the call?",
        "Tell me about the last time you talked with your teacher about being absent.",
        "What was the hardest part of that morning?",
    ],
)
def test_leading_false_positives(text):
    assert "leading" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "What happened that morning, and how did you feel?",
        "What happened? How did you feel?",
        "Where do you live and do you walk to school?",
        "Tell me about your mornings and how do your parents help?",
        "When did the letter come and what did your family do?",
    ],
)
def test_two_questions_in_one(text):
    assert "double" in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "What do you and your family do when the bus is late?",
        "Tell me about a time when school felt hard and what helped.",
        "Tell me about the last time you and your mom talked about school.",
        "What happens between waking up and getting to class?",
    ],
)
def test_two_questions_false_positives(text):
    assert "double" not in codes(text)


def test_too_long_counts_words():
    long_prompt = (
        "Thinking about the mornings when getting out the door is hard for your family and the bus is late "
        "or doesn't come at all, what happens then at your house?"
    )
    warnings = {w.code: w for w in check_prompt(long_prompt)}
    assert "too_long" in warnings
    assert int(warnings["too_long"].found) > MAX_WORDS


def test_exactly_25_words_is_fine():
    text = " ".join(["Tell me about the last time you missed school because"] + ["something"] * 15) + "."
    assert len(text.split()) == MAX_WORDS
    assert "too_long" not in codes(text)
    assert "too_long" in codes(text.replace(".", " again."))


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Tell me about the last time the MTSS team met with you.", ["MTSS"]),
        ("What has PBIS been like in your classroom?", ["PBIS"]),
        ("Tell me about your last IEP meeting.", ["IEP"]),
        ("What do stakeholders need to know about chronic absenteeism?", ["stakeholders", "chronic absenteeism"]),
        ("Tell me about the tier 2 interventions at your school.", ["tier 2", "interventions"]),
    ],
)
def test_jargon(text, terms):
    warnings = {w.code: w for w in check_prompt(text)}
    assert "jargon" in warnings
    assert warnings["jargon"].found == ", ".join(terms)
    # Each term comes with everyday words to use instead.
    assert all(plain for _term, plain in warnings["jargon"].alternatives)


@pytest.mark.parametrize(
    "text",
    [
        "Tell me about your IEP (your learning plan) meeting.",
        "Tell me about a time your teacher helped you catch up.",
        "What is your tie-breaking tip for getting up early?",  # "tie" is not "tier"
        "Tell me about the last time you felt part of a team at school.",
        "Tell me about the ADAPTED schedule.",  # "ADA" only as a whole word
        "What does your mom do when the school calls?",
    ],
)
def test_jargon_false_positives(text):
    assert "jargon" not in codes(text)


@pytest.mark.parametrize(
    "text",
    ["Why did you miss school last week?", "Why is mornings hard?", "How come you stopped taking the bus?"],
)
def test_why_as_an_opener(text):
    assert "why_opener" in codes(text)


def test_why_is_fine_as_a_follow_up():
    assert codes("Why?", kind="follow_up") == []
    assert "why_opener" not in codes("Why did that feel unfair?", kind="follow_up")
    assert "why_opener" in codes("Why did that feel unfair?", kind="core")


@pytest.mark.parametrize(
    "text",
    ["What made you choose that?", "Tell me why the morning went that way.", "What do you think is why they call?"],
)
def test_why_false_positives(text):
    assert "why_opener" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "In general, how do you feel about school?",
        "What do you think about the attendance policy?",
        "What is your opinion on the attendance letters?",
        "How do you usually feel about homework?",
    ],
)
def test_not_concrete(text):
    warnings = {w.code: w for w in check_prompt(text)}
    assert "not_concrete" in warnings
    assert warnings["not_concrete"].level == "tip"


@pytest.mark.parametrize(
    "text",
    [
        "Tell me about the last time you thought about the attendance policy.",
        "What did you think about the letter when it came last week?",
        "What is most important to you about school?",
        "How did you feel about school this morning?",
    ],
)
def test_not_concrete_false_positives(text):
    assert "not_concrete" not in codes(text)


def test_every_warning_explains_itself_with_a_better_pattern():
    text = "Why don't you think that, in general, the MTSS letters and PBIS help? Would you agree?"
    warnings = check_prompt(text)
    assert {w.code for w in warnings} >= {"why_opener", "jargon", "double", "hypothetical", "not_concrete"}
    for warning in warnings:
        assert warning.title and warning.explanation and warning.better
        assert warning.better != warning.explanation


def test_curly_apostrophes_are_understood():
    assert "leading" in codes("Don’t you think the letters are unfair?")
    assert check_prompt("Tell me about the last time you couldn’t get a ride.") == []

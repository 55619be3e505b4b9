"""The prompt coach: plain, tested rules for empathy-interview prompts.

The method asks for prompts that are concise, open-ended and about concrete experiences.
`check_prompt(text, kind=...)` returns a list of `CoachWarning`s, each with a code, a plain
explanation and a better pattern. Warnings advise; they never block saving.

Pure Python on purpose (no Django, no database, no external service), so the rules are cheap
to run on every keystroke and on every prompt of a guide page, and easy to test. Messages are
marked with `gettext_noop` and translated where they are shown (`{% translate warning.title %}`).
"""

import re
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages finds it); templates translate it."""
    return message


MAX_WORDS = 25
FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class CoachWarning:
    code: str
    title: str
    explanation: str
    better: str
    found: str = ""
    level: str = "warning"  # "warning", or "tip" for the softer, heuristic rules
    alternatives: tuple = ()  # (term, everyday words) pairs, for jargon


# Words that open a question answerable with "yes" or "no".
YES_NO_OPENERS = frozenset(
    [
        "do",
        "does",
        "did",
        "is",
        "are",
        "am",
        "was",
        "were",
        "have",
        "has",
        "had",
        "can",
        "could",
        "will",
        "should",
        "shall",
        "may",
        "might",
        "must",
    ]
)
# "Can you tell me about…" is a polite request, not a yes/no question.
POLITE_REQUEST = re.compile(
    r"^(?:can|could|will|would)\s+you\s+(?:please\s+)?"
    r"(?:tell|describe|walk|share|talk|explain|say|give|show|help me understand)\b"
)
NEGATIVE_OPENERS = frozenset(
    [
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "wouldn't",
        "won't",
        "can't",
        "couldn't",
        "shouldn't",
        "haven't",
        "hasn't",
    ]
)
QUESTION_WORDS = frozenset(["what", "how", "why", "when", "where", "who", "whom", "whose", "which"])
AUXILIARIES = YES_NO_OPENERS | frozenset({"would", "'s"})
# Fillers that may precede the real opener: "So, do you…", "And why…".
FILLERS = re.compile(r"^(?:(?:so|and|but|okay|ok|now|well|first|also|then|great|thanks|thank you)\b[,\s]*)+")

HYPOTHETICAL_OPENERS = re.compile(
    r"^(?:would(?:n't)?\s+(?:you|it|that|they|your)\b|imagine\b|suppose\b|pretend\b|picture\b|what if\b"
    r"|if\s+(?:you|we|they|your|the|there)\b.*\b(?:could|were|was|had|would)\b|let's say\b|say you\b)"
)
HYPOTHETICAL_ANYWHERE = re.compile(
    r"\bif you (?:could|were|had the chance|had a magic)\b|\bmagic wand\b|\b(?:ideal|perfect) world\b"
    r"|\bhow would (?:you|it|that|they) (?:feel|react|respond|handle|be)\b"
    r"|\bwhat would (?:you|they) do if\b|\bwould you (?:ever|consider|be willing|want|like to see)\b"
)

LEADING_ANYWHERE = re.compile(
    r"\b(?:wouldn't|don't|do not|would not) you (?:agree|think|feel|say)\b|\byou(?:'d| would) agree\b"
    r"|\bisn't it true\b|\bsurely\b|\bobviously\b|\bagree that\b"
    r"|\bhow much do you (?:love|hate|like|enjoy|dislike)\b"
)
LEADING_TAG = re.compile(
    r",\s*(?:right|correct|yes|no|isn't it|don't you|didn't you|wasn't it|aren't you|doesn't it|won't you)\s*\?*\s*$"
)
# "How hard was it…" assumes it was hard.
LEADING_PRESUPPOSING = re.compile(
    r"^how (?:hard|difficult|frustrating|stressful|annoying|upsetting|scary|bad|unfair|great|good|helpful|easy)"
    r" (?:was|is|were|are|has|have|did)\b"
)

WHY_OPENER = re.compile(r"^(?:why|how come)\b")

# Everyday words for the jargon the district uses (case-sensitive acronyms, case-insensitive phrases).
JARGON_ACRONYMS = {
    "MTSS": "extra help at school",
    "PBIS": "the school's behavior rules and rewards",
    "RTI": "extra help at school",
    "IEP": "your learning plan (special education)",
    "BIP": "your behavior plan",
    "SST": "a meeting about how school is going",
    "SEL": "learning about feelings and getting along",
    "ELL": "students learning English",
    "ELD": "English class for students learning English",
    "SARB": "the attendance review board",
    "LCAP": "the district's spending plan",
    "ESSA": "federal school rules",
    "ADA": "daily attendance",
    "FRL": "free or reduced-price lunch",
    "SIS": "the school's records system",
}
JARGON_PHRASES = {
    r"chronic(?:ally)? absen(?:teeism|t|ces?)": "missing a lot of school",
    r"stakeholders?": "people (students, families, staff)",
    r"truan(?:cy|t)": "missing school without an excuse",
    r"tiered (?:supports?|interventions?|systems?)": "extra help at school",
    r"tier (?:1|2|3|one|two|three|i|ii|iii)\b": "extra help at school",
    r"interventions?": "help or support",
    r"504 plan": "a plan for support at school",
    r"social[- ]emotional learning": "learning about feelings and getting along",
    r"data[- ]driven": "based on what we see",
    r"learning loss": "falling behind",
    r"achievement gaps?": "differences in how students are doing",
    r"attendance rates?": "how often students come",
    r"engagement (?:metrics|strategies|levels?)": "how involved people are",
    r"wrap-?around (?:services|supports)": "help for the whole family",
    r"restorative (?:practices|justice)": "talking things through after a problem",
    r"pedagog(?:y|ical)": "teaching",
    r"differentiated instruction": "teaching in different ways",
    r"equity lens": "fairness",
}
_ACRONYM_RE = re.compile(r"\b(" + "|".join(JARGON_ACRONYMS) + r")s?\b(?!\s*\()")
_PHRASE_RE = re.compile(r"\b(" + "|".join(JARGON_PHRASES) + r")(?!\s*\()", re.IGNORECASE)

CONCRETE_CUES = re.compile(
    r"\b(?:tell me|tell us|last time|a time (?:when|that|you)|the time|describe|walk me through|what happened"
    r"|remember|recent(?:ly)?|yesterday|today|this (?:morning|week|month|year|semester)"
    r"|last (?:week|month|year|semester|night)|for example|an example|story|when you|the day)\b"
)
ABSTRACT_CUES = re.compile(
    r"\b(?:in general|generally|usually|typically|overall|in your opinion"
    r"|what do you think (?:about|of)|how do you feel about"
    r"|what (?:is|are) your (?:opinion|view|thoughts|perspective)s?"
    r"|your (?:opinion|thoughts|views?|perspective) (?:on|about)|do you believe|the importance of)\b"
)

WORD_RE = re.compile(r"[\w'’-]+")
SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+")


RULES = {
    "yes_no": (
        gettext_noop("Yes/no question"),
        gettext_noop(
            "It can be answered with a single “yes” or “no”, which ends the story before it starts. "
            "Open questions invite people to tell you what happened."
        ),
        gettext_noop(
            "Ask what or how, or invite a story: “Tell me about the last time that you…”, “What is it like when…?”"
        ),
    ),
    "hypothetical": (
        gettext_noop("Hypothetical"),
        gettext_noop(
            "People are poor predictors of what they would do or want; a hypothetical invites guesses "
            "instead of experience."
        ),
        gettext_noop(
            "Ask about something that happened: “Tell me about the last time that you…”, “What happened when…?”"
        ),
    ),
    "leading": (
        gettext_noop("Leading"),
        gettext_noop(
            "It suggests the answer you expect, so people tend to agree instead of telling you what they think."
        ),
        gettext_noop("Ask neutrally: “How did you feel about…?”, “What was that like for you?”"),
    ),
    "double": (
        gettext_noop("Two questions in one"),
        gettext_noop("People answer one of the two (usually the last) and the other is lost."),
        gettext_noop("Split it into two prompts, or keep the second one as a follow-up."),
    ),
    "too_long": (
        gettext_noop("Too long"),
        gettext_noop(
            "Long prompts are hard to hold in mind when heard aloud, and people answer only part of them. "
            "Aim for 25 words or fewer."
        ),
        gettext_noop("Keep one idea per prompt; move background to the guide's introduction."),
    ),
    "jargon": (
        gettext_noop("Jargon"),
        gettext_noop(
            "Words that are everyday at the district office are not everyday at home; people may not "
            "understand them, or may feel talked down to."
        ),
        gettext_noop("Use everyday words, or explain the term in brackets right after it."),
    ),
    "why_opener": (
        gettext_noop("“Why” as an opener"),
        gettext_noop(
            "An opening “why” can sound like a demand to justify yourself and invites a tidy explanation. "
            "It works best as a follow-up, once the story has been told."
        ),
        gettext_noop("Open with the experience (“Tell me about the last time…”), then ask “Why?” as a follow-up."),
    ),
    "not_concrete": (
        gettext_noop("Not about a concrete experience"),
        gettext_noop("It asks for a general opinion; people give their theory rather than what actually happened."),
        gettext_noop("Anchor it in a real moment: “Tell me about the last time that you…”, “What happened when…?”"),
    ),
}


def check_prompt(text: str, *, kind: str | None = None) -> list[CoachWarning]:
    """All the coach's warnings for one prompt, in a stable order; [] means it reads well."""
    text = (text or "").strip()
    if not text:
        return []
    normalized = text.replace("’", "'").replace("‘", "'")
    lowered = normalized.lower()
    sentences = [_opening(s) for s in SENTENCE_SPLIT.split(lowered) if s.strip()]
    findings = {
        "yes_no": _yes_no(sentences, normalized),
        "hypothetical": _original_words(normalized, _hypothetical(sentences, lowered)),
        "leading": _original_words(normalized, _leading(sentences, lowered)),
        "double": _original_words(normalized, _double(sentences, lowered)),
        "too_long": _too_long(normalized),
        "jargon": _jargon(normalized),
        "why_opener": "" if kind == FOLLOW_UP else _original_words(normalized, _why_opener(sentences)),
        "not_concrete": _original_words(normalized, _not_concrete(lowered)),
    }
    warnings = []
    for code, found in findings.items():
        if found:
            title, explanation, better = RULES[code]
            level = "tip" if code == "not_concrete" else "warning"
            alternatives = ()
            if code == "jargon":
                alternatives = tuple((term, plain_words_for(term)) for term in found.split(", "))
            warnings.append(
                CoachWarning(code, title, explanation, better, found=found, level=level, alternatives=alternatives)
            )
    return warnings


def _opening(sentence: str) -> str:
    """The sentence without leading quotes, fillers and punctuation: what the listener hears first."""
    sentence = sentence.strip().lstrip("\"“'([-–— ")
    return FILLERS.sub("", sentence).strip()


def _words(sentence: str) -> list[str]:
    return WORD_RE.findall(sentence)


def _original_words(original: str, lowered_phrase: str) -> str:
    """`lowered_phrase` as written in the original text (for quoting it back)."""
    if not lowered_phrase:
        return ""
    index = original.lower().find(lowered_phrase)
    return original[index : index + len(lowered_phrase)] if index >= 0 else lowered_phrase


def _yes_no(sentences, original) -> str:
    for sentence in sentences:
        words = _words(sentence)
        if not words or words[0] not in YES_NO_OPENERS or POLITE_REQUEST.match(sentence):
            continue
        return _original_words(original, " ".join(words[:2]))
    return ""


def _hypothetical(sentences, lowered) -> str:
    for sentence in sentences:
        match = HYPOTHETICAL_OPENERS.match(sentence)
        if match and not POLITE_REQUEST.match(sentence):
            return " ".join(_words(match.group(0))[:3])
    match = HYPOTHETICAL_ANYWHERE.search(lowered)
    return match.group(0) if match else ""


def _leading(sentences, lowered) -> str:
    for sentence in sentences:
        words = _words(sentence)
        if words and words[0] in NEGATIVE_OPENERS:
            return " ".join(words[:3])
        match = LEADING_PRESUPPOSING.match(sentence)
        if match:
            return match.group(0)
    for pattern in (LEADING_ANYWHERE, LEADING_TAG):
        match = pattern.search(lowered)
        if match:
            return match.group(0).strip(" ,?")
    return ""


def _double(sentences, lowered) -> str:
    if lowered.count("?") >= 2:
        return "??"
    first_words = _words(sentences[0]) if sentences else []
    direct_question = bool(first_words) and (first_words[0] in QUESTION_WORDS or first_words[0] in AUXILIARIES)
    for match in re.finditer(r"\band\s+(?:also\s+|then\s+)?(\w+)\s+('s|\w+)", lowered):
        joined, following = match.group(1), match.group(2)
        if joined in QUESTION_WORDS and (direct_question or following in AUXILIARIES):
            return match.group(0)
        if joined in AUXILIARIES and following in {"you", "they", "it", "he", "she", "we", "your", "there"}:
            return match.group(0)
    return ""


def _too_long(text) -> str:
    count = len(_words(text))
    return f"{count}" if count > MAX_WORDS else ""


def _jargon(text) -> str:
    found = [m.group(1) for m in _ACRONYM_RE.finditer(text)]
    found += [m.group(1) for m in _PHRASE_RE.finditer(text)]
    seen = []
    for term in found:
        if term.lower() not in (s.lower() for s in seen):
            seen.append(term)
    return ", ".join(seen)


def plain_words_for(term: str) -> str:
    """An everyday alternative for a jargon term the coach found ("" if none is known)."""
    if term.upper() in JARGON_ACRONYMS:
        return JARGON_ACRONYMS[term.upper()]
    for pattern, plain in JARGON_PHRASES.items():
        if re.fullmatch(pattern, term, re.IGNORECASE):
            return plain
    return ""


def _why_opener(sentences) -> str:
    for sentence in sentences:
        match = WHY_OPENER.match(sentence)
        if match:
            return match.group(0)
    return ""


def _not_concrete(lowered) -> str:
    if CONCRETE_CUES.search(lowered):
        return ""
    match = ABSTRACT_CUES.search(lowered)
    return match.group(0) if match else ""

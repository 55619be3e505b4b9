"""Scrubbing a participant's own identity out of free text, and making cells safe for spreadsheets.

`Scrubber(full_name, email, phone)` replaces, case-insensitively and on word boundaries, the
participant's full name, each part of it (the first name alone included), their email address
and their phone number (whatever separators it is written with) by "[name]", "[email]" and
"[phone]". `scrub_with_map` also says where each old offset landed, so highlight positions
stay right in the scrubbed text (REFI-QDA selections point into it).

Most texts name no one, so `scrub` first asks whether the text can match at all: for an ASCII
text (most notes), whether it holds, lower-cased, a fragment that a match must contain
(`ascii_needles`, worked out with the regular expression engine itself, so a name written in
another case, or with a letter that case-folds to ASCII, such as the Kelvin sign, is still
found), or the phone number's digits once separators are taken out (`ascii_phone`); any other
text goes to the pattern directly.

`safe_cell` neutralizes spreadsheet formula injection: a text cell starting with =, +, -, @,
a tab or a carriage return gets a leading apostrophe, so Excel and LibreOffice show it as text.
"""

import bisect
import re
from functools import cached_property, lru_cache

NAME, EMAIL, PHONE = "[name]", "[email]", "[phone]"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_NAME_PART = 2


FORMULA_FIRST = frozenset(FORMULA_STARTS)


def safe_cell(value):
    # Called for every cell of every export: keep it to one type check and one set lookup.
    if type(value) is str and value[:1] in FORMULA_FIRST:
        return "'" + value
    return value


# What may stand between the digits of a phone number, and its ASCII characters (asked of the
# regular expression engine: \s holds more than the space, the tab and the line breaks).
PHONE_SEPARATORS = r"[\s().\-/]*"
_WITHOUT_PHONE_SEPARATORS = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if re.fullmatch(PHONE_SEPARATORS, chr(c)))
)


_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _is_word(char: str) -> bool:
    """An ASCII word character (what \\w matches in an ASCII text)."""
    return char in _WORD


def _as_word(needle: str, text: str) -> bool:
    """`needle` is in the ASCII `text` with no word character right before or after it."""
    end = len(text)
    at = text.find(needle)
    while at >= 0:
        after = at + len(needle)
        if (at == 0 or not _is_word(text[at - 1])) and (after == end or not _is_word(text[after])):
            return True
        at = text.find(needle, at + 1)
    return False


def _same(text: str) -> str:
    return text


_ASCII = [chr(c) for c in range(128)]


@lru_cache(maxsize=4096)
def _ascii_fold_char(char: str) -> str | None:
    """The lower-case ASCII character a case-insensitive pattern `char` matches, or None if it
    matches none. Asked of the regular expression engine itself (Kelvin sign → "k", long s → "s",
    dotless i → "i"); a character matching two different ones gives "" (a fragment that is in any
    text: the pattern is always run, never skipped wrongly)."""
    if char.isascii():
        return char.lower()
    matches = re.compile(re.escape(char), re.IGNORECASE).fullmatch
    found = {a.lower() for a in _ASCII if matches(a)}
    if not found:
        return None
    return found.pop() if len(found) == 1 else ""


def _ascii_fold(fragment: str) -> str | None:
    """`fragment` as it would be found in a lower-cased ASCII text, or None if it cannot be."""
    if fragment.isascii():
        return fragment.lower()
    out = []
    for char in fragment:
        folded = _ascii_fold_char(char)
        if folded is None:
            return None
        if folded == "":
            return ""
        out.append(folded)
    return "".join(out)


class Scrubber:
    def __init__(self, full_name: str = "", email: str = "", phone: str = ""):
        self.full_name = " ".join((full_name or "").split())
        self.email = (email or "").strip()
        self.phone = (phone or "").strip()

    @cached_property
    def _digits(self) -> str:
        return re.sub(r"\D", "", self.phone)

    @cached_property
    def ascii_needles(self) -> tuple[tuple[str, bool], ...]:
        """(fragment, bounded) pairs: at least one fragment is in any ASCII text (lower-cased)
        that the email or name alternatives of the pattern can match, and where `bounded`, only
        where no letter, digit or "_" comes right before or after it. A cheap test that spares
        the regex for the many notes that name no one.

        One fragment per alternative: the email, the longest part of the full name, each name
        part. A name part is matched as a word (\\b), also inside the full name (between spaces):
        its fragment is bounded when it starts and ends with a word character. A fragment with a
        character that matches no ASCII character (case-insensitively) means that alternative
        can never match an ASCII text: it needs no fragment."""
        out = []
        if self.email:
            out.append((_ascii_fold(self.email), False))
        parts = self.full_name.split()
        names = [max(parts, key=len)] if parts else []
        names += [p for p in parts if len(p) >= MIN_NAME_PART]
        for name in names:
            folded = _ascii_fold(name)
            out.append((folded, bool(folded) and _is_word(folded[0]) and _is_word(folded[-1])))
        return tuple(dict.fromkeys((f, b) for f, b in out if f is not None))

    @cached_property
    def ascii_phone(self) -> str | None:
        """The digits every match of the phone alternatives holds once their separators are
        taken out (the last ten: the number may be written without its country code), or None
        when there is no phone alternative or it cannot match an ASCII text."""
        if len(self._digits) < 7:
            return None
        return _ascii_fold(self._digits[-10:])

    @cached_property
    def _alternatives(self) -> list[tuple[str, str]]:
        alternatives = []  # (regex, replacement), longest first so the full name wins over a part
        if self.email:
            alternatives.append((re.escape(self.email), EMAIL))
        digits = self._digits
        # The number with any separators between its digits (and optional +), also without a
        # country code: "+1 (555) 123-4567" is found as "555.123.4567" too.
        for number in dict.fromkeys([digits, digits[-10:]] if len(digits) > 10 else [digits]):
            if len(number) >= 7:
                body = PHONE_SEPARATORS.join(re.escape(d) for d in number)
                alternatives.append((r"(?<![\w+])\+?" + body + r"(?!\w)", PHONE))
        if self.full_name:
            alternatives.append((r"\b" + r"\s+".join(re.escape(p) for p in self.full_name.split()) + r"\b", NAME))
            parts = sorted({p for p in self.full_name.split() if len(p) >= MIN_NAME_PART}, key=len, reverse=True)
            alternatives += [(r"\b" + re.escape(p) + r"\b", NAME) for p in parts]
        return alternatives

    @cached_property
    def pattern(self):
        alternatives = self._alternatives
        if not alternatives:
            return None
        self.replacements = [r for _a, r in alternatives]
        return re.compile("|".join(f"({a})" for a, _r in alternatives), re.IGNORECASE)

    def _replacement(self, match) -> str:
        return self.replacements[match.lastindex - 1] if match.lastindex else NAME

    def scrub(self, text: str) -> str:
        return self.function(text or "")

    @cached_property
    def function(self):
        """`scrub` as one function (text → text, `text` a str), for the exports' row loops.

        No identifying strings: the text as it is. An ASCII text that holds none of the needles
        (lower-cased) and not the phone number's digits (separators taken out): as it is. Any
        other text: the pattern's substitution. The pattern is compiled when first needed (most
        participants' notes never name them)."""
        if not (self.email or self.full_name or len(self._digits) >= 7):
            return _same  # no alternatives (see _alternatives): nothing to scrub
        needles, phone = self.ascii_needles, self.ascii_phone
        last = phone[-1:] if phone else None

        def sub(text: str) -> str:
            return self.pattern.sub(self._replacement, text)

        def scrub(text: str) -> str:
            if not text.isascii():
                return sub(text)
            if needles:
                lower = text.lower()
                for needle, bounded in needles:
                    if needle in lower and (not bounded or _as_word(needle, lower)):
                        return sub(text)
            if last and last in text and phone in text.translate(_WITHOUT_PHONE_SEPARATORS):
                return sub(text)
            return text

        return scrub

    @cached_property
    def function_all(self):
        """`function` over a list of texts (str) at once: a list of the same texts, scrubbed.

        The quick test is asked once of all of them, joined by a NUL (no word character, no
        phone separator): a fragment, a bounded fragment or the phone digits in one text are
        there in the joined text too, so when the joined text holds none, no text does and the
        list comes back as it is. Otherwise (or when any text is not ASCII) each text goes to
        `function`, so the result is always `[function(t) for t in texts]`."""
        one = self.function
        if one is _same:
            return _same
        needles, phone = self.ascii_needles, self.ascii_phone
        last = phone[-1:] if phone else None

        def scrub_all(texts: list) -> list:
            joined = "\x00".join(texts)
            if joined.isascii():
                lower = joined.lower()
                for needle, bounded in needles:
                    if needle in lower and (not bounded or _as_word(needle, lower)):
                        break
                else:
                    if not (last and last in joined and phone in joined.translate(_WITHOUT_PHONE_SEPARATORS)):
                        return texts
            return [one(text) for text in texts]

        return scrub_all

    def scrub_with_map(self, text: str):
        """(scrubbed text, position map): `map(p)` (or `map(p, end=True)` for a span's end) is where
        old offset `p` is in the new text."""
        if not text or self.pattern is None:
            return text or "", lambda p, end=False: p
        pieces, spans, last = [], [], 0
        for m in self.pattern.finditer(text):
            pieces.append(text[last : m.start()])
            replacement = self._replacement(m)
            pieces.append(replacement)
            spans.append((m.start(), m.end(), len(replacement)))
            last = m.end()
        pieces.append(text[last:])
        starts = [s for s, _e, _n in spans]

        def position(p: int, *, end: bool = False) -> int:
            shift = 0
            for s, e, n in spans[: bisect.bisect_right(starts, p)]:
                if p == s:
                    return s + shift
                if p < e:  # inside a replaced span: a start snaps before it, an end after it
                    return s + shift + (n if end else 0)
                shift += n - (e - s)
            return p + shift

        return "".join(pieces), position

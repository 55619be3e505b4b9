"""Scrubbing a participant's own identity out of free text, and making cells safe for spreadsheets.

`Scrubber(full_name, email, phone)` replaces, case-insensitively and on word boundaries, the
participant's full name, each part of it (the first name alone included), their email address
and their phone number (whatever separators it is written with) by "[name]", "[email]" and
"[phone]". `scrub_with_map` also says where each old offset landed, so highlight positions
stay right in the scrubbed text (REFI-QDA selections point into it).

`safe_cell` neutralizes spreadsheet formula injection: a text cell starting with =, +, -, @,
a tab or a carriage return gets a leading apostrophe, so Excel and LibreOffice show it as text.
"""

import bisect
import re
from functools import cached_property

NAME, EMAIL, PHONE = "[name]", "[email]", "[phone]"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_NAME_PART = 2


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def safe_cell(value):
    # Called for every cell of every export: keep it to one type check and one set lookup.
    if type(value) is str and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return value


class Scrubber:
    def __init__(self, full_name: str = "", email: str = "", phone: str = ""):
        self.full_name = " ".join((full_name or "").split())
        self.email = (email or "").strip()
        self.phone = (phone or "").strip()

    @cached_property
    def needles(self) -> tuple[str, ...]:
        """Lower-case fragments at least one of which is in any text the pattern can match: a
        cheap `in` test spares the regex for the many notes that name no one."""
        out = []
        if self.email:
            out.append(self.email.lower())
        digits = re.sub(r"\D", "", self.phone)
        if len(digits) >= 7:
            out.append(digits[-2:])
        out += [p.lower() for p in self.full_name.split() if len(p) >= MIN_NAME_PART]
        return tuple(out)

    def _may_match(self, text: str) -> bool:
        lower = text.lower()
        return any(n in lower for n in self.needles)

    @cached_property
    def pattern(self):
        alternatives = []  # (regex, replacement), longest first so the full name wins over a part
        if self.email:
            alternatives.append((re.escape(self.email), EMAIL))
        digits = re.sub(r"\D", "", self.phone)
        # The number with any separators between its digits (and optional +), also without a
        # country code: "+1 (555) 123-4567" is found as "555.123.4567" too.
        for number in dict.fromkeys([digits, digits[-10:]] if len(digits) > 10 else [digits]):
            if len(number) >= 7:
                body = r"[\s().\-/]*".join(re.escape(d) for d in number)
                alternatives.append((r"(?<![\w+])\+?" + body + r"(?!\w)", PHONE))
        if self.full_name:
            alternatives.append((r"\b" + r"\s+".join(re.escape(p) for p in self.full_name.split()) + r"\b", NAME))
            parts = sorted({p for p in self.full_name.split() if len(p) >= MIN_NAME_PART}, key=len, reverse=True)
            alternatives += [(r"\b" + re.escape(p) + r"\b", NAME) for p in parts]
        if not alternatives:
            return None
        self.replacements = [r for _a, r in alternatives]
        return re.compile("|".join(f"({a})" for a, _r in alternatives), re.IGNORECASE)

    def _replacement(self, match) -> str:
        return self.replacements[match.lastindex - 1] if match.lastindex else NAME

    def scrub(self, text: str) -> str:
        if not text or not self._may_match(text) or self.pattern is None:
            return text or ""
        return self.pattern.sub(self._replacement, text)

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

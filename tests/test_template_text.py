"""
A lint for user-visible template text left out of translation.

Everything a reader sees must go through {% translate %} / {% blocktranslate %} (or come from a
variable that Python already translated). This strips what is not visible text — comments,
scripts, styles, translate blocks, variables, tags, HTML markup, entities, punctuation and digits —
and fails on any word left over. It also checks the attributes people read (alt, title,
placeholder, aria-label): their values must be empty or come from a translate tag or a variable.

It is a heuristic, not a parser: it is deliberately simple so a failure is easy to read.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.catalog import DONE_PATHS, in_scope

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]

# Words that may stand in a template untranslated, each for a reason.
ALLOWLIST = {
    "empathy",  # the product's name, the same in every language
    "v",  # the version prefix before a number ("v3"), the same in Spanish
}
# Pseudonym codes in examples ("P-012"): codes are data, never translated.
_CODE = re.compile(r"^[A-Z]-\d+$")

_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_COMMENT_LINE = re.compile(r"{#.*?#}", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.S | re.I)
_STYLE = re.compile(r"<style\b.*?</style\s*>", re.S | re.I)
# Keys to press (<kbd>Ctrl</kbd>+<kbd>Enter</kbd>, <kbd>Alt+N</kbd>) are named as printed on the keyboard
# and bound by the page's script: not text to translate.
_KBD = re.compile(r"<kbd\b[^>]*>[^<]*</kbd\s*>", re.S | re.I)
_BLOCKTRANS = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
# Blocks named *_class hold CSS classes for a parent layout, not text.
_CLASS_BLOCK = re.compile(r"{%\s*block\s+\w+_class\s*%}.*?{%\s*endblock\b.*?%}", re.S)
_TAG = re.compile(r"{%.*?%}", re.S)
_VAR = re.compile(r"{{.*?}}", re.S)
_HTML = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&[#\w]+;")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ATTR = re.compile(r"""\b(alt|title|placeholder|aria-label)\s*=\s*(["'])(.*?)\2""", re.S | re.I)


def _blank(match):
    """Replace a match by as many newlines as it spans, so line numbers stay right."""
    return "\n" * match.group(0).count("\n")


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in ALLOWLIST and not _CODE.match(w)]


def unmarked_text(source: str):
    """Yield (line, text) for visible words that are not marked for translation."""
    text = source
    for pattern in (_COMMENT_BLOCK, _COMMENT_LINE, _SCRIPT, _STYLE, _KBD, _BLOCKTRANS, _CLASS_BLOCK):
        text = pattern.sub(_blank, text)
    # Attributes first (their values are checked on their own), then the rest of the markup.
    text = _ATTR.sub(_blank, text)
    for pattern in (_TAG, _VAR, _HTML, _ENTITY):
        text = pattern.sub(lambda m: " " + "\n" * m.group(0).count("\n"), text)
    for number, line in enumerate(text.splitlines(), start=1):
        words = _words(line)
        if words:
            yield number, " ".join(words)


def unmarked_attributes(source: str):
    """Yield (line, attribute, value) for readable attributes holding literal text."""
    for match in _ATTR.finditer(source):
        value = match.group(3)
        rest = _VAR.sub(" ", _TAG.sub(" ", _BLOCKTRANS.sub(" ", value)))
        words = _words(rest)
        if words:
            line = source.count("\n", 0, match.start()) + 1
            yield line, match.group(1), value


def templates_in_scope():
    for base in TEMPLATE_DIRS:
        for path in sorted(base.rglob("*")):
            if path.suffix not in {".html", ".txt"} or not path.is_file():
                continue
            relative = path.relative_to(settings.BASE_DIR).as_posix()
            if in_scope(relative):
                yield relative, path


def test_scope_is_not_empty():
    assert DONE_PATHS
    assert list(templates_in_scope())


@pytest.mark.parametrize(
    "source, expected",
    [
        ("<p>Hello {{ name }}</p>", [(1, "Hello")]),
        ("<p>{% translate 'Hello' %} {{ name }}</p>", []),
        ("{% blocktranslate %}Hi {{ x }}{% endblocktranslate %}\n<b>left</b>", [(2, "left")]),
        ("{# note #}{% comment %}text{% endcomment %}<script>var a;</script>", []),
        ("<p>&nbsp;· 42 – {{ n }}</p>", []),
        ("<kbd>Ctrl</kbd>+<kbd>Enter</kbd> {% translate 'save' %} <kbd>Alt+{{ n }}</kbd>", []),
        ("<kbd>Esc</kbd> stop", [(1, "stop")]),
    ],
)
def test_lint_finds_unmarked_text(source, expected):
    assert list(unmarked_text(source)) == expected


def test_lint_finds_unmarked_attributes():
    source = '<img alt="A chart">\n<input placeholder="{% translate \'Search\' %}" title="{{ t }}" alt="">'
    assert list(unmarked_attributes(source)) == [(1, "alt", "A chart")]


def test_every_visible_template_word_is_marked_for_translation():
    problems = []
    for relative, path in templates_in_scope():
        source = path.read_text(encoding="utf-8")
        problems += [f"{relative}:{line}: {text}" for line, text in unmarked_text(source)]
        problems += [f"{relative}:{line}: {attr}={value!r}" for line, attr, value in unmarked_attributes(source)]
    assert not problems, "Text not marked for translation:\n" + "\n".join(problems)

import re

import pytest
from django import forms

from empathy.widgets import QuickSelect

CHOICES = [
    ("", "Any"),
    ("Home language", [(1, "English"), (2, "Español & <b>")]),
    ("Grade", [(3, "K–5")]),
    ("flat", "A value outside any group"),
]


def _normalized(html):
    return re.sub(r">\s+<", "><", str(html).strip())


@pytest.mark.parametrize("value", ["", "2", 3, None, "flat", "not a choice"])
def test_quick_select_draws_exactly_what_djangos_select_draws(value):
    attrs = {"class": "form-select form-select-sm", "id": "id_value", "required": True, "disabled": False}
    expected = forms.Select(attrs=attrs, choices=CHOICES).render("value", value)
    drawn = QuickSelect(attrs=attrs, choices=CHOICES).render("value", value)
    assert _normalized(drawn) == _normalized(expected)


def test_labels_and_group_names_are_escaped():
    drawn = str(QuickSelect(choices=CHOICES).render("value", ""))
    assert "Español &amp; &lt;b&gt;" in drawn
    assert "<b>" not in drawn

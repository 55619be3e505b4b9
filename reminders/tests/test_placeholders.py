import pytest
from django.core.exceptions import ValidationError

from reminders import placeholders
from reminders.models import Kind


def test_unknown_placeholders_are_refused_with_the_allowed_list():
    with pytest.raises(ValidationError) as info:
        placeholders.validate("Hello {name}, {password} {{ user }}", Kind.REMINDER_PARTICIPANT)
    message = " ".join(info.value.messages)
    assert "{password}" in message and "{when}" in message


def test_django_template_code_is_refused():
    for text in ("{% load static %}", "{{ campaign }}", "{campaign.secret}", "{ name }", "a } b"):
        with pytest.raises(ValidationError):
            placeholders.validate(text, Kind.REMINDER_PARTICIPANT)
    placeholders.validate("Hello {name}: {when} at {place}", Kind.REMINDER_PARTICIPANT)


def test_values_are_escaped_in_html_and_plain_in_text():
    out = placeholders.render(
        "Hi {name}",
        "Hello {name} <b>&</b>\n\nJoin: {link}\nPlace: {place}",
        {"name": "<script>x</script>", "link": "https://example.org/p/a?b=1&c=2", "place": "Room 1"},
    )
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in out.html  # the lead's own markup is text too
    assert '<a href="https://example.org/p/a?b=1&amp;c=2">' in out.html
    assert out.html.count("<p>") == 2 and "<br>" in out.html
    assert "<script>x</script>" in out.text and out.subject == "Hi <script>x</script>"


def test_a_link_placeholder_with_a_non_http_value_is_not_a_link():
    out = placeholders.render("s", "{link}", {"link": "javascript:alert(1)"})
    assert "<a" not in out.html

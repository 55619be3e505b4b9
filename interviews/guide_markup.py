"""The guide page's repeated markup — one <li> per prompt, and the coach's warnings — in Python.

A guide holds a dozen prompts or so, each with the coach's warnings. Through the template engine
each prompt cost an {% include %} of the warnings (translate tags per warning), four
{% blocktranslate %} with truncatewords and four {% url %}, which made the guide page the slowest
of the editing pages (issue 9). Here whatever is the same for every prompt (translated labels,
the URLs' shape, the CSRF field) is worked out once per request, and each prompt is one f-string.

`WarningsMarkup` is the one implementation of the coach's warning list: the guide page uses it
per prompt and templates/interviews/_warnings.html (the prompt form's live coach) renders
through it with the {% coach_warnings %} tag, so both show the same markup.

Every value that comes from the database, a person or a translation goes through `escape`; the
strings around them hold only markup. static/js/interviews-guides.js reads this markup (ids,
classes, data-attributes: #prompt-groups, .prompt-item, data-prompt-id, data-refocus, …) and the
browser tests check it: keep them in step.
"""

from html import escape

from django.core.exceptions import ImproperlyConfigured
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

# The guide's two ends: nothing moves above the first opening prompt or below the last closing
# one (services.prompt_move refuses), so those two buttons are disabled.
FIRST_KIND, LAST_KIND = "opening", "closing"


class WarningsMarkup:
    """The coach's warnings for one prompt, as _warnings.html showed them (build once per request)."""

    def __init__(self):
        self.tip = escape(_("Tip:"))
        self.warning = escape(_("Warning:"))
        self.better = escape(_("Better:"))
        self.two_question_marks = escape(_("two question marks"))
        self.words = escape(_("%(n)s words"))
        self.alternative = escape(_("“%(term)s” → “%(plain)s”"))

    def found(self, w) -> str:
        if not w.found:
            return ""
        if w.code == "too_long":
            shown = f"{self.words % {'n': escape(str(w.found))}}\n          "
        elif w.code == "double" and w.found == "??":
            shown = f"{self.two_question_marks}\n          "
        else:
            shown = f"“{escape(str(w.found))}”"
        return f'<span class="coach-found">\n          {shown}</span>'

    def alternatives(self, w) -> str:
        if not w.alternatives:
            return ""
        items = "".join(
            f"<li>{self.alternative % {'term': escape(str(term)), 'plain': escape(str(plain))}}</li>"
            for term, plain in w.alternatives
            if plain
        )
        return f'<ul class="coach-alternatives mb-1">\n        {items}\n      </ul>\n      '

    def warning_item(self, w, open_details=False) -> str:
        level = escape(w.level)
        # The rules' messages are marked with gettext_noop in prompt_coach and translated here.
        title, explanation, better = escape(_(w.title)), escape(_(w.explanation)), escape(_(w.better))
        return (
            f'\n  <li class="coach-warning coach-{level}" data-code="{escape(w.code)}">\n'
            f"    <details{' open' if open_details else ''}>\n"
            "      <summary>\n"
            f'        <span class="coach-level">{self.tip if w.level == "tip" else self.warning}</span>\n'
            f'        <span class="coach-title">{title}</span>\n'
            f"        {self.found(w)}\n"
            "      </summary>\n"
            f'      <p class="mb-1">{explanation}</p>\n'
            f'      <p class="mb-1"><span class="fw-semibold">{self.better}</span> {better}</p>\n'
            f"      {self.alternatives(w)}\n"
            "    </details>\n"
            "  </li>\n"
        )

    def render(self, warnings, open_details=False) -> SafeString:
        """The <ul> of warnings (an empty list for none); `open_details` expands every explanation."""
        items = "".join([self.warning_item(w, open_details) for w in warnings])
        return mark_safe(f'<ul class="coach-warnings list-unstyled mb-0">\n{items}\n</ul>\n')  # all escaped


class GuideMarkup:
    """The prompts' <li>s for one guide page: build it once per request (it holds the language and CSRF token)."""

    def __init__(self, request, campaign, guide, *, can_edit, moved_id=None, moved_direction=None):
        self.can_edit = can_edit
        self.moved_id = moved_id
        self.moved_direction = moved_direction
        self.warnings = WarningsMarkup()
        if not can_edit:
            return
        # One reversed URL gives the shape of all three per-prompt URLs (prompt id 0, then split).
        edit = escape(reverse("interviews:prompt_edit", args=[campaign.slug, guide.pk, 0]))
        start, end = edit.split("/prompts/0/")
        self.url_start = f"{start}/prompts/"
        if end != "edit/":  # the move and delete URLs differ from it only in this last part
            raise ImproperlyConfigured(f"interviews:prompt_edit no longer ends in /prompts/<id>/edit/: {edit}")
        self.csrf_field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        self.drag = escape(_("Drag to reorder"))
        self.move = escape(_("Move"))
        self.edit = escape(_("Edit"))
        self.delete = escape(_("Delete"))
        self.move_up = escape(_("Move up: %(text)s"))
        self.move_down = escape(_("Move down: %(text)s"))
        self.edit_text = escape(_("Edit: %(text)s"))
        self.delete_text = escape(_("Delete: %(text)s"))

    def actions(self, prompt, *, first, last) -> str:
        """The move, edit and delete controls, each named after the prompt for screen readers."""
        pk = prompt.pk
        short = {"text": escape(Truncator(prompt.text).words(8, truncate=" …"))}
        move_url = f"{self.url_start}{pk}/move/"
        moved = pk == self.moved_id
        up_disabled = "disabled" if first else ""
        down_disabled = "disabled" if last else ""
        up_refocus = "data-refocus" if moved and self.moved_direction == "up" else ""
        down_refocus = "data-refocus" if moved and self.moved_direction == "down" else ""
        return (
            '\n        <div class="prompt-actions">\n'
            f'          <form method="post" action="{move_url}"\n'
            f'                hx-post="{move_url}" hx-target="#prompt-groups" hx-swap="outerHTML"\n'
            f'                class="btn-group btn-group-sm" role="group" aria-label="{self.move}">\n'
            f"            {self.csrf_field}\n"
            '            <button class="btn btn-outline-secondary" type="submit" name="direction" value="up"\n'
            f"                    {up_disabled}\n"
            f"                    {up_refocus}>\n"
            '              <span aria-hidden="true">↑</span>'
            f'<span class="visually-hidden">{self.move_up % short}</span></button>\n'
            '            <button class="btn btn-outline-secondary" type="submit" name="direction" value="down"\n'
            f"                    {down_disabled}\n"
            f"                    {down_refocus}>\n"
            '              <span aria-hidden="true">↓</span>'
            f'<span class="visually-hidden">{self.move_down % short}</span></button>\n'
            "          </form>\n"
            f'          <a class="btn btn-sm btn-outline-secondary" href="{self.url_start}{pk}/edit/">'
            f'<span aria-hidden="true">{self.edit}</span>'
            f'<span class="visually-hidden">{self.edit_text % short}</span></a>\n'
            f'          <a class="btn btn-sm btn-outline-danger" href="{self.url_start}{pk}/delete/">'
            f'<span aria-hidden="true">{self.delete}</span>'
            f'<span class="visually-hidden">{self.delete_text % short}</span></a>\n'
            "        </div>\n"
            "        "
        )

    def prompt(self, prompt, *, first=False, last=False) -> SafeString:
        """One prompt's <li>: its text, the coach's warnings and (for leads) its controls.

        `first`/`last`: the prompt opens the first group or closes the last, so it cannot move further.
        """
        pk = prompt.pk
        warnings = prompt.coach_warnings
        if self.can_edit:
            draggable = ' draggable="true"'
            drag = f'<span class="drag-handle" aria-hidden="true" title="{self.drag}">⠿</span>'
            actions = self.actions(prompt, first=first, last=last)
        else:
            draggable = drag = actions = ""
        return mark_safe(  # every value escaped
            f'<li class="prompt-item" id="prompt-{pk}" data-prompt-id="{pk}"{draggable}>\n'
            f"        {drag}\n"
            '        <div class="prompt-body">\n'
            f'          <p class="prompt-text mb-1">{escape(prompt.text)}</p>\n'
            f"          {self.warnings.render(warnings) if warnings else ''}\n"
            "        </div>\n"
            f"        {actions}\n"
            "      </li>"
        )

    def groups(self, groups) -> list[tuple[str, str, list[SafeString]]]:
        """services.guide_groups' [(kind, label, prompts)] with each prompt as its markup."""
        return [
            (
                kind,
                label,
                [
                    self.prompt(
                        p,
                        first=kind == FIRST_KIND and i == 0,
                        last=kind == LAST_KIND and i == len(prompts) - 1,
                    )
                    for i, p in enumerate(prompts)
                ],
            )
            for kind, label, prompts in groups
        ]

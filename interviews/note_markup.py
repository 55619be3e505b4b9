"""The note-taking page's repeated markup — one section and composer per prompt, one <li> per note — in Python.

An interview holds about a hundred notes under a dozen prompts. Through the template engine each
note cost an {% include %}, a {% url %}, a get_kind_display and a dozen filtered variables, and
that made the page several times slower than the others (issue 9). Here whatever is the same for
every note (translated labels, the history URL's shape, the time zone) is worked out once per
request, and each note is one f-string.

Every value that comes from the database or a person goes through `escape`; the strings around
them hold only markup. static/js/notes.js reads this markup (ids, classes, data-attributes) and builds
notes that arrive later from the page's <template id="note-template">: keep the three in step.
"""

from html import escape

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import services
from .models import Note

KIND_CHOICE = (
    '\n    <input class="btn-check" type="radio" name="kind-{key}" id="kind-{key}-{value}" value="{value}"{checked}>'
    '\n    <label class="btn btn-sm btn-outline-secondary" for="kind-{key}-{value}">{label}'
    ' <kbd class="d-none d-lg-inline">Alt+{number}</kbd></label>'
)

COMPOSER = (
    '<div class="composer" data-prompt-id="{prompt_id}">\n'
    '  <fieldset class="kind-picker">\n'
    '    <legend class="visually-hidden">{kind_legend}</legend>{kind_choices}\n'
    "  </fieldset>\n"
    '  <label class="visually-hidden" for="composer-{key}">{box_label}</label>\n'
    '  <textarea class="form-control composer-text" id="composer-{key}" rows="2"'
    ' aria-describedby="shortcut-hint count-{key}" placeholder="{placeholder}"></textarea>\n'
    '  <div class="composer-actions d-flex flex-wrap align-items-center gap-1 mt-1">\n'
    '    <button type="button" class="btn btn-sm btn-primary composer-save">{save}'
    ' <kbd class="d-none d-lg-inline">Ctrl+Enter</kbd></button>{follow_ups}\n'
    '    <button type="button" class="btn btn-sm btn-outline-primary composer-nonverbal">{nonverbal}'
    ' <kbd class="d-none d-lg-inline">Alt+N</kbd></button>\n'
    '    <span class="ms-auto small text-body-secondary char-count" id="count-{key}"></span>\n'
    "  </div>\n"
    '  <p class="composer-error small text-danger-emphasis mb-0 mt-1" role="alert" hidden></p>\n'
    "</div>"
)

# A slot in the composer's markup, filled per prompt (NUL: never in markup or translations).
SLOT = {name: f"\0{name}\0" for name in ("key", "prompt_id", "box_label")}

FOLLOW_UP = (
    '\n    <button type="button" class="btn btn-sm btn-outline-primary composer-followup"'
    ' data-text="{text}">{text}</button>'
)


# What the page reads of each note (a values_list row, named): no model instances for a hundred notes.
NOTE_FIELDS = (
    "id",
    "prompt_id",
    "kind",
    "body",
    "version",
    "client_id",
    "created_at",
    "author_id",
    "author__full_name",
    "author__email",
)


def author_short_name(note) -> str:
    """The note's author's short name, as User.get_short_name gives it, from the row's two fields."""
    return get_user_model()(full_name=note.author__full_name or "", email=note.author__email or "").get_short_name()


class NoteMarkup:
    """Markup for one page: build it once per request (it holds that request's language and time zone)."""

    def __init__(self, campaign, interview, membership, *, author_names, follow_ups):
        self.membership = membership
        self.kind_labels = {value: escape(str(label)) for value, label in Note.Kind.choices}
        history = reverse("interviews:note_history", args=[campaign.slug, interview.pk, 0])
        # Split where notes.js puts a note's id into data-history-url / data-delete-url.
        start, end = escape(history).split("/notes/0/")
        self.history_url_start, self.history_url_end = f"{start}/notes/", f"/{end}"
        self.history = escape(_("history"))
        someone = escape(_("a team member"))
        self.someone = someone
        self.author_names = {pk: escape(name) or someone for pk, name in author_names.items()}
        self.time_zone = timezone.get_current_timezone()
        # The composer is the same under every prompt but for three slots: build the rest once and
        # keep it as [text, slot name, text, slot name, …, text].
        kind_choices = "".join(
            KIND_CHOICE.format(
                key=SLOT["key"],
                value=escape(value),
                checked=" checked" if number == 1 else "",
                label=self.kind_labels[value],
                number=number,
            )
            for number, (value, _label) in enumerate(Note.Kind.choices, start=1)
        )
        self.composer_parts = COMPOSER.format(
            key=SLOT["key"],
            prompt_id=SLOT["prompt_id"],
            box_label=SLOT["box_label"],
            kind_choices=kind_choices,
            kind_legend=escape(_("Kind of note")),
            placeholder=escape(_("Type what you hear. Ctrl+Enter saves and starts a new note.")),
            save=escape(_("Save note")),
            nonverbal=escape(_("Nonverbal cue")),
            follow_ups="".join(FOLLOW_UP.format(text=escape(str(text))) for text in follow_ups),
        ).split("\0")
        self.new_note_for = _("New note for: %(prompt)s")
        self.new_note = escape(_("New note"))
        self.notes_for_prompt = escape(_("Notes for this prompt"))

    def note(self, note) -> str:
        """One note's <li> (the markup notes.js reads, and builds itself from <template id="note-template">)."""
        created = note.created_at.astimezone(self.time_zone)
        client_id = str(note.client_id)  # a UUID: hex digits and hyphens
        kind = escape(note.kind)
        author_id = note.author_id
        if author_id is None:
            author_id, author = "", self.someone
        else:
            author = self.author_names.get(author_id, self.someone)
        editable = "1" if services.may_edit_note(self.membership, note) else "0"
        body = escape(note.body.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")
        return (
            f'<li class="note note-{kind}" id="note-{client_id}" data-client-id="{client_id}"'
            f' data-note-id="{note.id}" data-version="{note.version}" data-kind="{kind}"'
            f' data-author="{author_id}" data-editable="{editable}">\n'
            f'  <span class="note-kind badge kind-{kind}">{self.kind_labels.get(note.kind) or kind}</span>\n'
            f'  <div class="note-body">{body}</div>\n'
            f'  <div class="note-meta small text-body-secondary">\n'
            f'    <span class="note-author">{author}</span>\n'
            f'    · <time datetime="{created.isoformat()}">{created.hour:02d}:{created.minute:02d}</time>\n'
            f'    <a class="note-history{" d-none" if note.version < 2 else ""}"'
            f' href="{self.history_url_start}{note.id}{self.history_url_end}">{self.history}</a>\n'
            "  </div>\n"
            "</li>\n"
        )

    def notes(self, notes) -> SafeString:
        return mark_safe("".join([self.note(n) for n in notes]))  # every value escaped in note()

    def section(self, prompt, group, notes, *, composer) -> SafeString:
        """A prompt's section: its heading, its notes and (for those who write) its composer."""
        pk = prompt.id
        text = escape(prompt.text)
        composer = self.composer(key=pk, prompt_id=pk, prompt_text=prompt.text) if composer else ""
        return mark_safe(  # every value escaped
            f'<section class="prompt-section" id="prompt-{pk}" data-prompt-id="{pk}" aria-labelledby="prompt-h-{pk}">\n'
            f'    <h2 class="h6 prompt-heading" id="prompt-h-{pk}"><span class="badge text-bg-light border me-1">'
            f"{escape(group)}</span> {text}</h2>\n"
            f'    <ol class="note-list" data-prompt-id="{pk}" aria-label="{self.notes_for_prompt}">\n'
            f"      {self.notes(notes)}\n"
            "    </ol>\n"
            f"    {composer}\n"
            "  </section>\n"
        )

    def composer(self, *, key, prompt_id="", prompt_text="") -> SafeString:
        """The box (with its kind picker and follow-up buttons) that adds a note under one prompt."""
        slots = {
            "key": escape(str(key)),
            "prompt_id": escape(str(prompt_id)),
            "box_label": escape(self.new_note_for % {"prompt": prompt_text}) if prompt_text else self.new_note,
        }
        parts = self.composer_parts
        return mark_safe(  # every value escaped above
            "".join([slots[part] if i % 2 else part for i, part in enumerate(parts)])
        )

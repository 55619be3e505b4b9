"""Starting text for a campaign's first statement and form, so a lead edits rather than starts blank.

Called under translation.override(language): the text comes out in that language when we have
a translation, else in English for the lead to translate.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _


def default_statement_text(campaign) -> dict:
    return {
        "why": _(
            "The school district is deciding about “%(title)s”. Before it decides, we want to hear from the "
            "people it affects most, in their own words, about their experiences."
        )
        % {"title": campaign.title},
        "data_use": _(
            "What you tell us helps the district understand the problem and choose what to change. We share "
            "what we learn as themes, not as stories about one person. Nothing you say will affect your grades, "
            "services or your family's standing with the school."
        ),
        "raw_notes_access": _(
            "Only the interview team (the interviewer, the note-taker and the project lead) reads the notes "
            "from your interview."
        ),
        "captures_identifying_data": True,
        "identifying_data": _(
            "Your name and how to reach you, kept apart from the notes. Notes carry a code instead of your name."
        ),
        "anonymization": _(
            "Notes use a code, not your name. We remove details that could point to you before anything is "
            "shared, and we report what groups of people said."
        ),
        "retain_until": timezone.localdate() + timedelta(days=365),
        "retention": "",
    }


def default_form_text(campaign) -> dict:
    return {
        "title": _("Taking part in an interview: %(title)s") % {"title": campaign.title},
        "body": _(
            "Taking part is your choice. You can skip any question, stop at any time, and withdraw later; if you "
            "withdraw, what you said is removed from everything we share. The interview takes about 30 minutes."
        ),
        "guardian_text": _(
            "As the parent or guardian, you agree that your child may be interviewed. We will also ask your "
            "child, and they can say no."
        ),
        "assent_text": _(
            "We want to hear about your experience at school. You do not have to talk to us, and you can stop "
            "any time. Nobody will be upset if you say no."
        ),
    }

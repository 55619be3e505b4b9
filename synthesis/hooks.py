"""Synthesis's part when a participant's data is removed (consent.hooks).

- PURGE (a withdrawn participant, removed for good): their highlights go, and with them their
  tags' links, memos on those highlights, why-step and root-cause citations and published
  quotes (all cascade). Themes, tags and root causes themselves stay.
- RETENTION (the campaign's retention date): pseudonymized synthesis stays; nothing here is
  deleted.

The contract with interviews (which owns notes): `Highlight.note` is a CASCADE foreign key, so a
retention hook that deleted Note rows would delete the highlights with them. Interviews' retention
hook must keep the Note rows that highlights point to (blanking or scrubbing other notes is fine);
see docs/synthesis.md.
"""

from consent.hooks import PURGE, register_purge_hook


def purge_highlights(*, participants, reason, by=None):
    from .models import Highlight

    if reason != PURGE:
        return {}
    deleted, by_model = Highlight.objects.filter(participant__in=participants).delete()
    return {"highlights": by_model.get("synthesis.Highlight", 0)}


def register():
    register_purge_hook(purge_highlights)

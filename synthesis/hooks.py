"""Synthesis's part when a participant's data is removed (consent.hooks).

- PURGE (a withdrawn participant, removed for good): their highlights go, and with them their
  tags' links, memos on those highlights, why-step and root-cause citations and published
  quotes (all cascade). Themes, tags and root causes themselves stay. The campaign's cached
  page pieces (synthesis.fragments) are deleted too.
- RETENTION (the campaign's retention date): pseudonymized synthesis stays; nothing here is
  deleted.

The contract with interviews (which owns notes): `Highlight.note` is a CASCADE foreign key, so a
retention hook that deleted Note rows would delete the highlights with them. Interviews' retention
hook must keep the Note rows that highlights point to (blanking or scrubbing other notes is fine);
see docs/synthesis.md.
"""

from consent.hooks import PURGE, register_purge_hook


def purge_highlights(*, participants, reason, by=None):
    from django.db import transaction

    from .fragments import forget
    from .models import Highlight

    if reason != PURGE:
        return {}
    campaign_ids = set(participants.values_list("campaign_id", flat=True))
    deleted, by_model = Highlight.objects.filter(participant__in=participants).delete()
    # Rendered pages' pieces (synthesis.fragments) may hold their words: delete the campaigns'
    # pieces now and again once the purge is committed (a page rendered in between, from the
    # rows not yet deleted, would otherwise keep them in the cache until its keys expire).
    forget(campaign_ids)
    transaction.on_commit(lambda: forget(campaign_ids))
    return {"highlights": by_model.get("synthesis.Highlight", 0)}


def register():
    register_purge_hook(purge_highlights)

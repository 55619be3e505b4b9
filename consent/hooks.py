"""Extension points for removing a participant's data, so apps built later can add their part.

Two removals exist, both in consent.services:
- ``participant_purge``: a lead removes a withdrawn participant's raw data for good.
- ``campaign_retention_apply``: a campaign's retention date has come; identifying data and
  raw notes go, pseudonymized synthesis stays.

After scrubbing the participants' own identifying fields, both call every registered hook inside
the same transaction. An app registers one in its ``AppConfig.ready()``::

    from consent.hooks import register_purge_hook

    @register_purge_hook
    def purge_notes(*, participants, reason, by):
        # reason is "purge" (withdrawn participant: remove everything they said)
        # or "retention" (remove raw notes; keep pseudonymized highlights and themes)
        deleted, _ = Note.objects.filter(interview__participant__in=participants).delete()
        return {"notes": deleted}

``participants`` is a Participant queryset; the returned dict (counts, not content) is stored
in the audit event. A hook that raises rolls the whole removal back.
"""

from collections.abc import Callable

PURGE = "purge"
RETENTION = "retention"

_purge_hooks: list[Callable] = []


def register_purge_hook(func: Callable) -> Callable:
    if func not in _purge_hooks:
        _purge_hooks.append(func)
    return func


def run_purge_hooks(*, participants, reason: str, by=None) -> dict:
    detail = {}
    for hook in list(_purge_hooks):
        result = hook(participants=participants, reason=reason, by=by) or {}
        detail.update({f"{hook.__module__}.{hook.__name__}": result})
    return detail


# --- What a participant sees about themselves -------------------------------------------------
# The participant's own link lists what is held about them. Apps that keep more (interviews,
# notes) add a section: a function taking the participant and returning a list of
# (label, value) pairs about that participant only — counts and dates, never other people.

_held_data_sections: list[Callable] = []


def register_held_data(func: Callable) -> Callable:
    if func not in _held_data_sections:
        _held_data_sections.append(func)
    return func


def held_data(participant) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for section in list(_held_data_sections):
        rows.extend(section(participant) or [])
    return rows


# --- Withdrawal -------------------------------------------------------------------------------
# consent.services.participant_withdraw calls these inside its transaction, after the withdrawal
# is recorded, with the participant and the acting user (None for the participant's own link).
# Apps stop what is still planned for the person (interviews cancels their active interviews).

_withdraw_hooks: list[Callable] = []


def register_withdraw_hook(func: Callable) -> Callable:
    if func not in _withdraw_hooks:
        _withdraw_hooks.append(func)
    return func


def run_withdraw_hooks(*, participant, by=None) -> None:
    for hook in list(_withdraw_hooks):
        hook(participant=participant, by=by)

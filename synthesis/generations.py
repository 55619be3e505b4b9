"""What a synthesis page computed, cached under its campaign's generation.

The board, a theme page and search read a dozen or more queries' worth of rows to draw pieces
that change only when someone writes to the campaign. Database triggers (migration 0006) move
`CampaignGeneration.generation` in the same transaction as every write to those rows — a card
moved, a tag renamed, a note edited, a participant's consent withdrawn, from any code path — so
a page caches its pieces under (campaign, generation, the request's own parts) and reads them
back with one small query and one cache read while nothing has changed.

Why this is never stale: the generation is read *before* the rows. Under READ COMMITTED each
later query sees at least what was committed when the generation was read, so what is stored
under generation g is at least as new as g; a write commits with g + 1, and every reader after
it computes afresh. What a request might still roll back is never stored (`_may_roll_back`).

The keys carry the campaign's prefix in `synthesis.fragments`, so a purge (`fragments.forget`)
deletes these too; unused generations expire after TIMEOUT.
"""

from django.core.cache import cache
from django.db import connection

from . import fragments

TIMEOUT = 10 * 60
KEPT_ON = ("postgresql", "sqlite")  # the databases migration 0006 installs its triggers on


def current(campaign_id) -> tuple[int, int]:
    """The campaign's (generation, text_generation): one primary-key read ((0, 0) before its
    first watched write). `text_generation` alone moves when only notes' words change."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generation, text_generation FROM synthesis_campaigngeneration WHERE campaign_id = %s",
            [campaign_id],
        )
        row = cursor.fetchone()
    return tuple(row) if row else (0, 0)


def _may_roll_back() -> bool:
    """Inside a transaction the code opened: what it reads there may never be committed. (A
    test case's own wrapping transactions are marked `_from_testcase` by Django.)"""
    if not connection.in_atomic_block and not connection.get_autocommit():
        return True  # a transaction opened with set_autocommit(False)
    return any(not block._from_testcase for block in connection.atomic_blocks)


def cached(campaign, name: str, parts: tuple, build, *, shows_note_text: bool = False):
    """`build()`'s value for this campaign, from the cache when it was built at the current
    generation with the same `parts` (everything else the value depends on: the reader's
    role, the page, the filters, the path links return to; the language is added here).
    `shows_note_text`: the value shows notes' own words (search), so an edit of them alone
    makes a new key too. The value must pickle: plain data and rendered HTML, not querysets."""
    if connection.vendor not in KEPT_ON or _may_roll_back():
        return build()
    generation, text_generation = current(campaign.pk)
    stamp = (generation, text_generation) if shows_note_text else generation
    key = fragments.key_for(campaign.pk, f"generation:{name}", (stamp, parts))
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


class _OnePage:
    """What a Paginator pages over when only the count and one page's items were kept."""

    def __init__(self, count: int, items: list):
        self._count, self._items = count, items

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, _slice):
        return self._items


def page_of(items: list, count: int, number: int, per_page: int):
    """A `Page` (numbers, links, `object_list`) rebuilt from what was kept of one: its items
    (ids), the total count and its number, for the pagination template and the tests."""
    from django.core.paginator import Paginator

    return Paginator(_OnePage(count, items), per_page).page(number)

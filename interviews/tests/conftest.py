import importlib

import pytest

from interviews.models import PromptPattern

builtin = importlib.import_module("interviews.migrations.0002_builtin_prompt_patterns")


@pytest.fixture
def builtin_patterns(db):
    """The built-in library, as the data migration loads it (a transactional test elsewhere
    may have flushed the migration's rows)."""
    for position, (text, kind, why) in enumerate(builtin.BUILTIN_PATTERNS):
        PromptPattern.objects.get_or_create(
            campaign=None, text=text, defaults={"kind": kind, "why": why, "position": position}
        )
    return PromptPattern.objects.filter(campaign=None)

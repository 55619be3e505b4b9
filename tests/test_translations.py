"""
The Spanish catalog is complete, current and compiled.

- Current: the messages extracted from the source now (makemessages, run on a copy of the project
  so the repository is never written) are exactly the ones in the committed catalog(s).
- Complete: every message used by a finished part (DONE_PATHS in tests/catalog.py) has a
  non-empty, non-fuzzy Spanish translation.
- Compiled: the committed .mo says what the .po says (compiled again with msgfmt and compared as
  catalogs, not bytes).

Needs GNU gettext (msgfmt, xgettext, msgmerge): under CI its absence fails, elsewhere it skips.
"""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.catalog import (
    DONE_PATHS,
    PENDING_APP_CATALOGS,
    PROJECT_CATALOG,
    app_catalogs,
    catalogs,
    extract,
    in_scope,
    read_po,
)

ROOT = Path(settings.BASE_DIR)
UPDATE = (
    "Run `.venv/bin/python manage.py makemessages -l es --ignore=.venv --ignore=bench "
    "--ignore=staticfiles`, translate, then `manage.py compilemessages` (docs/translations.md)."
)


@pytest.fixture(scope="module")
def gettext_tools():
    missing = [tool for tool in ("msgfmt", "xgettext", "msgmerge") if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext is not installed ({', '.join(missing)} missing): apt-get install gettext"
        if os.environ.get("CI"):
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def extracted(gettext_tools, tmp_path_factory):
    """The project copied and run through makemessages: its root."""
    return extract(ROOT, tmp_path_factory.mktemp("messages"))


def _label(key):
    context, msgid = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def test_one_catalog_for_the_project():
    assert (ROOT / PROJECT_CATALOG).exists()
    apps = [p.relative_to(ROOT).parts[0] for p in app_catalogs(ROOT)]
    assert set(apps) <= PENDING_APP_CATALOGS, f"merge these apps' catalogs into {PROJECT_CATALOG}: {apps}"


def test_catalogs_are_not_stale(extracted):
    problems = []
    for committed in catalogs(ROOT):
        fresh = read_po(extracted / committed.relative_to(ROOT))
        old = read_po(committed)
        for key in sorted(fresh.keys() - old.keys(), key=str):
            problems.append(f"{committed.relative_to(ROOT)}: new message {_label(key)} from {fresh[key].references}")
        for key in sorted(old.keys() - fresh.keys(), key=str):
            problems.append(f"{committed.relative_to(ROOT)}: message no longer in the source {_label(key)}")
        for key in sorted(fresh.keys() & old.keys(), key=str):
            if fresh[key].msgid_plural != old[key].msgid_plural:
                problems.append(f"{committed.relative_to(ROOT)}: plural changed for {_label(key)}")
    assert not problems, "The Spanish catalog is stale. " + UPDATE + "\n" + "\n".join(problems)


def test_every_message_of_a_finished_part_is_translated():
    entries = read_po(ROOT / PROJECT_CATALOG)
    missing = [
        f"{_label(key)} ({', '.join(e.references)})"
        for key, e in sorted(entries.items(), key=lambda item: str(item[0]))
        if any(in_scope(path) for path in e.paths) and not e.translated
    ]
    assert not missing, (
        f"{len(missing)} messages used in {', '.join(DONE_PATHS)} have no Spanish (or only a fuzzy one):\n"
        + "\n".join(missing)
    )


def test_the_committed_compiled_catalog_matches_the_po(gettext_tools, tmp_path):
    for po in catalogs(ROOT):
        committed_mo = po.with_suffix(".mo")
        assert committed_mo.exists(), f"{committed_mo.relative_to(ROOT)} is missing. " + UPDATE
        fresh_mo = tmp_path / "django.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", fresh_mo, po], check=True, capture_output=True)
        with committed_mo.open("rb") as committed, fresh_mo.open("rb") as fresh:
            committed_catalog = gettext.GNUTranslations(committed)._catalog
            fresh_catalog = gettext.GNUTranslations(fresh)._catalog
        # The header holds creation dates that change with every run; the messages must not.
        committed_catalog.pop("", None)
        fresh_catalog.pop("", None)
        differ = sorted(str(k) for k in committed_catalog.keys() ^ fresh_catalog.keys()) + sorted(
            str(k) for k in committed_catalog.keys() & fresh_catalog.keys() if committed_catalog[k] != fresh_catalog[k]
        )
        assert not differ, f"{committed_mo.relative_to(ROOT)} is out of date. " + UPDATE + "\n" + "\n".join(differ[:50])


def test_the_reader_understands_plurals_contexts_and_fuzzy(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        '#: a/views.py:1 templates/a/x.html:2\nmsgid "One"\nmsgstr "Uno"\n\n'
        '#, fuzzy\nmsgid "Two"\nmsgstr "Dos"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr ""\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s día"\nmsgstr[1] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr "Viejo"\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert set(entries) == {(None, "One"), (None, "Two"), ("month", "May"), (None, "%(n)s day")}
    assert entries[(None, "One")].translated and entries[(None, "One")].paths == ["a/views.py", "templates/a/x.html"]
    assert not entries[(None, "Two")].translated, "fuzzy is not translated"
    assert not entries[("month", "May")].translated
    assert not entries[(None, "%(n)s day")].translated, "every plural form is needed"

"""
The Spanish catalog's checks share this: which parts of the code base are fully translated, shared by the catalog check
(tests/test_translations.py) and the template lint (tests/test_template_text.py).

A path here must have every message translated in locale/es and no unmarked template text.
Extend it as each app is finished; when it covers everything, the checks cover everything.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

DONE_PATHS = [
    "accounts/",
    "audit/",
    "campaigns/",
    "consent/",
    "empathy/",
    "exports/",
    "interviews/",
    "participants/",
    "reminders/",
    "synthesis/",
    "templates/",
]


def in_scope(path: str) -> bool:
    """True when a repository-relative path (as in a .po `#:` reference) is in DONE_PATHS."""
    return any(path == done or (done.endswith("/") and path.startswith(done)) for done in DONE_PATHS)


# --- Reading a .po file (just what the checks need; gettext's own tools do the writing) ------


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)

    @property
    def paths(self) -> list[str]:
        """Source files this message comes from (the `#:` references without line numbers)."""
        return [ref.rsplit(":", 1)[0] if ref.rsplit(":", 1)[-1].isdigit() else ref for ref in self.references]


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path) -> dict:
    """{(msgctxt, msgid): Entry} for the live entries of a .po file (header and obsolete `#~` left out)."""
    entries = {}
    for block in re.split(r"\n\s*\n", Path(path).read_text(encoding="utf-8")):
        entry, field_name = Entry(msgid=""), None
        has_msgid = False
        for line in block.splitlines():
            if line.startswith("#~") or not line.strip():
                continue
            if line.startswith("#:"):
                entry.references += line[2:].split()
            elif line.startswith("#,"):
                entry.fuzzy = entry.fuzzy or "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, field_name, _unquote(line))
            else:
                keyword, _space, rest = line.partition(" ")
                field_name = keyword
                has_msgid = has_msgid or keyword == "msgid"
                if keyword.startswith("msgstr["):
                    entry.msgstr.append("")
                elif keyword == "msgstr":
                    entry.msgstr = [""]
                elif keyword == "msgctxt":
                    entry.msgctxt = ""
                _append(entry, field_name, _unquote(rest))
        if has_msgid and entry.msgid:
            entries[entry.key] = entry
    return entries


def _append(entry: Entry, field_name: str | None, text: str) -> None:
    if field_name == "msgid":
        entry.msgid += text
    elif field_name == "msgid_plural":
        entry.msgid_plural += text
    elif field_name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif field_name and field_name.startswith("msgstr"):
        entry.msgstr[-1] += text


# --- Extracting the messages the source has now ---------------------------------------------

# What makemessages must not walk (virtualenv, generated files, data, the benchmark harness).
IGNORED = [".venv", "bench", "staticfiles", "var", "test-artifacts", "docs", "node_modules"]


# Apps that still keep a catalog of their own while they are being written. makemessages sends
# their Python messages there (their templates' go to the project catalog), so such a catalog is
# never complete; the checks leave it out until it is merged into the project's (second pass).
PENDING_APP_CATALOGS = set()


def app_catalogs(root: Path) -> list[Path]:
    """Spanish catalogs that apps keep of their own (there should be none but the pending ones)."""
    return sorted(p for p in root.glob(f"*/{APP_CATALOG}") if p.relative_to(root).parts[0] not in IGNORED)


def catalogs(root: Path) -> list[Path]:
    """The Spanish catalogs the checks hold to account: the project's and any unexpected app one."""
    found = [root / PROJECT_CATALOG]
    found += [p for p in app_catalogs(root) if p.relative_to(root).parts[0] not in PENDING_APP_CATALOGS]
    return [p for p in found if p.exists()]


PROJECT_CATALOG = "locale/es/LC_MESSAGES/django.po"
APP_CATALOG = "locale/es/LC_MESSAGES/django.po"


def extract(root: Path, workdir: Path) -> Path:
    """Run makemessages on a copy of the project in `workdir` (so the repository is never
    touched, app catalogs included) and return the copy's root."""
    copy = workdir / "src"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(*IGNORED, ".git", "__pycache__", "*.sqlite3", "*.mo", "static", "*.png"),
    )
    command = [sys.executable, "manage.py", "makemessages", "-l", "es", "-v0"]
    command += [f"--ignore={name}" for name in IGNORED]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "empathy.settings", "PYTHONPATH": str(copy)}
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"makemessages failed ({result.returncode}):\n{result.stderr}")
    return copy

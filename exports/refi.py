"""REFI-QDA 1.0 interchange: the codebook (.qdc) and the whole project (.qdpx).

- `.qdc`: a `CodeBook` (urn:QDA-XML:codebook:1.0) with one `Code` per tag (its description too).
- `.qdpx`: a zip holding `project.qde` (a `Project`, urn:QDA-XML:project:1.0) and every note as
  `sources/<guid>.txt`. Each note is a `TextSource` whose highlights are `PlainTextSelection`s
  (startPosition/endPosition are the highlight's character offsets into that text) coded with
  the tags (`Coding`/`CodeRef`); memos become `Notes` referenced from their highlight or code;
  each participant is a `Case` referencing their notes; team members are `Users`.

GUIDs are derived from the campaign and the object (uuid5), so exporting twice gives the same
GUIDs and a QDA tool can recognise what it has seen before. The rules for words leaving the
product apply (exports.tables.ExportContext): withdrawn participants' notes are not there; in
an anonymized project, notes of participants who did not agree to be quoted are left out and
the others are scrubbed of the participant's name and contacts — selection offsets are moved
with the scrubbing so they still point at the same words.

`codebook_import(campaign, data, user)` reads a `.qdc` (or a project's CodeBook) and creates
the tags it does not have yet, all or nothing.
"""

import datetime
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "empathy"
MAX_IMPORT_BYTES = 5 * 2**20


def guid(campaign, kind: str, pk) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"empathy:campaign:{campaign.pk}:{kind}:{pk}"))


def _dt(value) -> str:
    return (value or timezone.now()).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tags_with_memos(campaign):
    from synthesis.models import Memo, Tag

    tags = list(Tag.objects.for_campaign(campaign).order_by("name"))
    memos: dict = {}
    for m in Memo.objects.filter(tag__campaign=campaign).order_by("created_at", "id"):
        memos.setdefault(m.tag_id, []).append(m)
    return tags, memos


def codebook_xml(campaign) -> bytes:
    from synthesis.models import Tag

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=ORIGIN)
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for tag in Tag.objects.for_campaign(campaign).order_by("name"):
        code = etree.SubElement(
            codes, f"{{{CODEBOOK_NS}}}Code", guid=guid(campaign, "tag", tag.pk), name=tag.name, isCodable="true"
        )
        if tag.description:
            etree.SubElement(code, f"{{{CODEBOOK_NS}}}Description").text = tag.description
    if not len(codes):
        # The schema needs at least one Code; an empty codebook says so in a non-codable one.
        etree.SubElement(
            codes, f"{{{CODEBOOK_NS}}}Code", guid=guid(campaign, "empty", 0), name=_("(no tags yet)"), isCodable="false"
        )
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(campaign, path) -> int:
    data = codebook_xml(campaign)
    with open(path, "wb") as f:
        f.write(data)
    from synthesis.models import Tag

    return Tag.objects.for_campaign(campaign).count()


def _p(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def write_qdpx(ctx, path, progress=None) -> int:
    """Write the project; returns the number of sources (notes) in it.

    Streamed: project.qde is written element by element (lxml's incremental `xmlfile`) to a
    temporary file and each note's text goes into the zip as it is read, so memory does not grow
    with the number of notes. Cases come before Sources in the schema, so the participants and
    their notes are read first (ids only)."""
    import os
    import tempfile

    from campaigns.models import Membership
    from interviews.models import Note
    from synthesis.models import Highlight, HighlightTag, Memo

    from .tables import notes_queryset

    campaign = ctx.campaign
    tags, tag_memos = _tags_with_memos(campaign)
    tag_guid = {t.pk: guid(campaign, "tag", t.pk) for t in tags}
    users = {m.user_id: m.user for m in Membership.objects.filter(campaign=campaign).select_related("user")}
    user_guid = {pk: guid(campaign, "user", pk) for pk in users}

    def included(pid) -> bool:
        return pid in ctx.people and not (ctx.anonymized and not ctx.may_quote(pid))

    notes = notes_queryset(campaign).order_by("interview_id", "created_at", "id")
    cases: dict = {}
    for note_id, pid in notes.values_list("pk", "participant_id").iterator(chunk_size=5000):
        if included(pid):
            cases.setdefault(pid, []).append(note_id)
    total = sum(len(v) for v in cases.values()) or 1
    highlights: dict = {}
    for h in (
        Highlight.objects.visible()
        .filter(campaign=campaign, needs_review=False)
        .only("pk", "note_id", "start", "end", "quote", "note_version", "created_at", "created_by_id")
        .order_by("note_id", "start")
    ):
        highlights.setdefault(h.note_id, []).append(h)
    hl_tags: dict = {}
    for hid, tid in HighlightTag.objects.filter(highlight__campaign=campaign).values_list("highlight_id", "tag_id"):
        hl_tags.setdefault(hid, []).append(tid)
    hl_memos: dict = {}
    for m in Memo.objects.filter(highlight__campaign=campaign).order_by("created_at", "id"):
        hl_memos.setdefault(m.highlight_id, []).append(m)
    memo_notes = []  # (guid, text, author, created): the <Notes> section, written last

    def memo_note(kind, memo, text):
        g = guid(campaign, kind, memo.pk)
        memo_notes.append((g, text, memo.author_id, memo.created_at))
        return g

    fd, qde = tempfile.mkstemp(suffix=".qde")
    os.close(fd)
    written = 0
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with etree.xmlfile(qde, encoding="utf-8") as xf:
                xf.write_declaration()
                attrs = {"name": campaign.title, "origin": ORIGIN, "creationDateTime": _dt(None)}
                with xf.element(_p("Project"), attrs, nsmap={None: PROJECT_NS}):
                    if users:
                        el = etree.Element(_p("Users"))
                        for pk, user in users.items():
                            name = user.full_name or user.email.split("@")[0]
                            etree.SubElement(el, _p("User"), guid=user_guid[pk], name=name)
                        xf.write(el)
                    if tags:
                        book = etree.Element(_p("CodeBook"))
                        codes = etree.SubElement(book, _p("Codes"))
                        for t in tags:
                            code = etree.SubElement(
                                codes, _p("Code"), guid=tag_guid[t.pk], name=t.name, isCodable="true"
                            )
                            if t.description:
                                etree.SubElement(code, _p("Description")).text = t.description
                            for memo in tag_memos.get(t.pk, []):
                                etree.SubElement(code, _p("NoteRef"), targetGUID=memo_note("tagmemo", memo, memo.body))
                        xf.write(book)
                    if cases:
                        el = etree.Element(_p("Cases"))
                        for pid, note_ids in cases.items():
                            case = etree.SubElement(
                                el, _p("Case"), guid=guid(campaign, "participant", pid), name=ctx.people[pid].code
                            )
                            for note_id in note_ids:
                                etree.SubElement(case, _p("SourceRef"), targetGUID=guid(campaign, "note", note_id))
                        xf.write(el)
                        del el
                    if cases:
                        with xf.element(_p("Sources")):
                            for note in notes.only(
                                "pk", "participant_id", "kind", "body", "version", "created_at", "author_id"
                            ).iterator(chunk_size=2000):
                                pid = note.participant_id
                                if not included(pid):
                                    continue
                                xf.write(
                                    _source(
                                        ctx,
                                        campaign,
                                        note,
                                        archive,
                                        user_guid,
                                        tag_guid,
                                        highlights,
                                        hl_tags,
                                        hl_memos,
                                        memo_note,
                                        Note,
                                    )
                                )
                                written += 1
                                if progress and written % 500 == 0:
                                    progress(int(90 * written / total))
                    if memo_notes:
                        el = etree.Element(_p("Notes"))
                        for g, text, author, created in memo_notes:
                            note_el = etree.SubElement(
                                el, _p("Note"), guid=g, name=_("Memo"), creationDateTime=_dt(created)
                            )
                            if author in user_guid:
                                note_el.set("creatingUser", user_guid[author])
                            etree.SubElement(note_el, _p("PlainTextContent")).text = text
                        xf.write(el)
            archive.write(qde, "project.qde")
    finally:
        os.unlink(qde)
    return written


def _source(ctx, campaign, note, archive, user_guid, tag_guid, highlights, hl_tags, hl_memos, memo_note, Note):
    """One note as a TextSource element (its text written into the archive)."""
    pid = note.participant_id
    if ctx.anonymized:
        text, move = ctx.scrubber(pid).scrub_with_map(note.body)
    else:
        text, move = note.body, (lambda p, end=False: p)
    source_guid = guid(campaign, "note", note.pk)
    archive.writestr(f"sources/{source_guid}.txt", text.encode("utf-8"))
    source = etree.Element(
        _p("TextSource"),
        guid=source_guid,
        name=f"{ctx.people[pid].code} · {Note.Kind(note.kind).label} · {note.pk}",
        plainTextPath=f"internal://{source_guid}.txt",
        creationDateTime=_dt(note.created_at),
    )
    if note.author_id in user_guid:
        source.set("creatingUser", user_guid[note.author_id])
    for h in highlights.get(note.pk, []):
        if h.note_version != note.version or note.body[h.start : h.end] != h.quote:
            continue  # stale offsets: synthesis re-anchors them; never point at other words
        start, end = move(h.start), move(h.end, end=True)
        selection = etree.SubElement(
            source,
            _p("PlainTextSelection"),
            guid=guid(campaign, "highlight", h.pk),
            name=text[start:end][:200],
            startPosition=str(start),
            endPosition=str(end),
            creationDateTime=_dt(h.created_at),
        )
        if h.created_by_id in user_guid:
            selection.set("creatingUser", user_guid[h.created_by_id])
        for tid in hl_tags.get(h.pk, []):
            if tid in tag_guid:
                coding = etree.SubElement(selection, _p("Coding"), guid=guid(campaign, f"coding{tid}", h.pk))
                etree.SubElement(coding, _p("CodeRef"), targetGUID=tag_guid[tid])
        for memo in hl_memos.get(h.pk, []):
            etree.SubElement(
                selection, _p("NoteRef"), targetGUID=memo_note("memo", memo, ctx.free_text(pid, memo.body))
            )
    return source


# --- Import ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list
    existing: list


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(_("This is not a readable XML file: %(error)s") % {"error": exc}) from exc


def _codes_from(root) -> list[tuple[str, str]]:
    """(name, description) of every Code, nested ones too (named "parent / child")."""
    ns = root.tag.split("}")[0].lstrip("{") if root.tag.startswith("{") else ""
    if (ns, etree.QName(root).localname) == (CODEBOOK_NS, "CodeBook"):
        codes = root.find(f"{{{ns}}}Codes")
    elif (ns, etree.QName(root).localname) == (PROJECT_NS, "Project"):
        book = root.find(f"{{{ns}}}CodeBook")
        codes = book.find(f"{{{ns}}}Codes") if book is not None else None
    else:
        raise ValidationError(
            _("This file is not a REFI-QDA codebook: its root element is %(root)s, expected CodeBook in %(ns)s.")
            % {"root": etree.QName(root).localname, "ns": CODEBOOK_NS}
        )
    if codes is None:
        raise ValidationError(_("The codebook has no Codes element."))
    out = []

    def walk(parent, prefix):
        for n, code in enumerate(parent.findall(f"{{{ns}}}Code"), 1):
            name = " ".join((code.get("name") or "").split())
            if not name:
                raise ValidationError(
                    _("Code number %(n)s under “%(parent)s” has no name.") % {"n": n, "parent": prefix or "Codes"}
                )
            full = f"{prefix} / {name}" if prefix else name
            description = (code.findtext(f"{{{ns}}}Description") or "").strip()
            if code.get("isCodable", "true").lower() in ("true", "1"):
                out.append((full, description))
            walk(code, full)

    walk(codes, "")
    return out


def codebook_import(*, campaign, data: bytes, user) -> ImportResult:
    """Create a tag for every code the campaign does not have yet (names compared without case).
    Any error and nothing is created; the error says which code is wrong."""
    from synthesis.models import Tag
    from synthesis.services import tag_create

    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    codes = _codes_from(_parse(data))
    if not codes:
        raise ValidationError(_("The codebook has no codes to import."))
    errors, seen = [], set()
    name_max = Tag._meta.get_field("name").max_length
    for name, _description in codes:
        if len(name) > name_max:
            errors.append(_("“%(name)s” is longer than %(n)s characters.") % {"name": name[:40] + "…", "n": name_max})
        if name.lower() in seen:
            errors.append(_("“%(name)s” appears twice in the file.") % {"name": name})
        seen.add(name.lower())
    if errors:
        raise ValidationError(errors)
    have = {n.lower() for n in Tag.objects.for_campaign(campaign).values_list("name", flat=True)}
    created, existing = [], []
    with transaction.atomic():
        for name, description in codes:
            if name.lower() in have:
                existing.append(name)
                continue
            created.append(tag_create(campaign=campaign, name=name, description=description[:2000], user=user))
    return ImportResult(created=created, existing=existing)

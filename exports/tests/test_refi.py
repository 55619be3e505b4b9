"""REFI-QDA: the produced .qdc and .qdpx are validated against the official 1.0 schemas in
../shared/refi-qda/ (never copied into the repo), and a codebook can be imported back."""

import os
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from lxml import etree

from exports.refi import CODEBOOK_NS, PROJECT_NS, codebook_import
from synthesis.models import Memo, Tag

pytestmark = pytest.mark.django_db
SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "refi-qda"


@pytest.fixture(scope="module")
def schema():
    if not SCHEMAS.is_dir():
        message = f"The REFI-QDA schemas are not at {SCHEMAS}; cannot validate the interchange files."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        print(message)
        pytest.skip(message)

    def load(name):
        return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))

    return {"project": load("Project.xsd"), "codebook": load("Codebook.xsd")}


def _valid(xsd, root):
    if not xsd.validate(root):
        raise AssertionError("\n".join(str(e) for e in xsd.error_log))


def test_codebook_qdc_is_valid_and_holds_every_tag(world, run_export, schema):
    job = run_export(world.campaign, kind="codebook", format="qdc")
    root = etree.fromstring(job.file.open("rb").read())
    _valid(schema["codebook"], root)
    codes = root.findall(f"{{{CODEBOOK_NS}}}Codes/{{{CODEBOOK_NS}}}Code")
    assert {c.get("name") for c in codes} == {"transportation", "letters home"}
    assert codes[0].findtext(f"{{{CODEBOOK_NS}}}Description").startswith("About ")


def test_project_qdpx_is_valid_with_sources_selections_codes_and_memos(world, run_export, schema, analyst):
    Memo.objects.create(highlight=world.highlights["ben"], body="Ben's brother too: a family pattern.", author=analyst)
    job = run_export(world.campaign, kind="project", format="qdpx")
    with zipfile.ZipFile(job.file.open("rb")) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        _valid(schema["project"], root)
        ns = {"q": PROJECT_NS}
        codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:CodeBook/q:Codes/q:Code", ns)}
        sources = root.findall(".//q:Sources/q:TextSource", ns)
        found = {}
        for source in sources:
            path = source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(f"sources/{path}").decode("utf-8")
            for sel in source.iterfind("q:PlainTextSelection", ns):
                words = text[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
                tags = [codes[ref.get("targetGUID")] for ref in sel.iterfind("q:Coding/q:CodeRef", ns)]
                found[words] = tags
        everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
    # Offsets point at the highlighted words (moved where Ana's name was scrubbed before them).
    assert found["The bus comes too early"] == ["transportation"]
    assert found["[name] misses the bus"] == ["transportation"]
    assert found["I cannot read the letters from school"] == ["letters home"]
    # Unquotable and withdrawn participants' notes are not sources; no names anywhere.
    assert "I mark them absent" not in everything and "nobody asks why" not in everything
    assert "Ana María López" not in everything and "ana.lopez@example.net" not in everything
    # The memo is a Note (scrubbed of the participant's name too), referenced from its selection;
    # participants are Cases.
    memo = root.find(".//q:Notes/q:Note", ns)
    assert memo.findtext("q:PlainTextContent", namespaces=ns) == "[name]'s brother too: a family pattern."
    assert root.find(f".//q:PlainTextSelection/q:NoteRef[@targetGUID='{memo.get('guid')}']", ns) is not None
    assert {c.get("name") for c in root.iterfind(".//q:Cases/q:Case", ns)} >= {world.people["ben"].code}


def _qdc(*codes, ns=CODEBOOK_NS):
    body = "".join(codes)
    return f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{ns}"><Codes>{body}</Codes></CodeBook>'.encode()


def _code(name, guid="0b3f1f9e-6a1e-4b39-9d3f-3c1c1c1c1c1c", inner="", description=""):
    desc = f"<Description>{description}</Description>" if description else ""
    return f'<Code guid="{guid}" name="{name}" isCodable="true">{desc}{inner}</Code>'


def test_codebook_import_creates_missing_tags_with_nested_names(world, lead):
    data = _qdc(_code("transportation"), _code("Belonging", inner=_code("Teachers"), description="Feeling welcome"))
    result = codebook_import(campaign=world.campaign, data=data, user=lead)
    assert sorted(t.name for t in result.created) == ["Belonging", "Belonging / Teachers"]
    assert result.existing == ["transportation"]
    assert Tag.objects.get(campaign=world.campaign, name="Belonging").description == "Feeling welcome"


def test_our_own_codebook_round_trips(world, run_export, other_campaign, outsider):
    job = run_export(world.campaign, kind="codebook", format="qdc")
    result = codebook_import(campaign=other_campaign, data=job.file.open("rb").read(), user=outsider)
    assert {t.name for t in result.created} == {"transportation", "letters home"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml at all", "not a readable XML file"),
        (b'<Project xmlns="urn:something:else"/>', "not a REFI-QDA codebook"),
        (_qdc(_code("")), "has no name"),
        (_qdc(_code("new one"), _code("New One")), "appears twice"),
        (_qdc(_code("new one"), _code("x" * 81)), "longer than 80"),
    ],
)
def test_codebook_import_errors_are_clear_and_nothing_is_created(world, lead, data, message):
    before = Tag.objects.count()
    with pytest.raises(ValidationError) as error:
        codebook_import(campaign=world.campaign, data=data, user=lead)
    assert message in " ".join(error.value.messages)
    assert Tag.objects.count() == before


def test_import_view_shows_errors_and_success(world, client_for, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(analyst)
    url = f"/c/{world.campaign.slug}/exports/codebook-import/"
    bad = client.post(url, {"file": SimpleUploadedFile("x.qdc", _qdc(_code("a"), _code("A")))})
    assert bad.status_code == 200 and "appears twice" in bad.content.decode()
    good = client.post(url, {"file": SimpleUploadedFile("x.qdc", _qdc(_code("Fresh code")))}, follow=True)
    assert "Imported 1 tags" in good.content.decode()

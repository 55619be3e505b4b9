"""CSV import of participants: validate every row first, then import all or nothing.

A row that matches someone already in the campaign (same email, or with no email the same
name, phone and school) and has the same name is skipped, so re-importing a file adds no one
twice. Errors name the row, the column, the value and the reason.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import BooleanField, Value
from django.utils.translation import gettext as _

from .access import membership_of
from .models import LANGUAGES, EquityDimension, Participant, phone_validator
from .services import RETENTION_MESSAGE, participants_create

BASE_COLUMNS = [
    "full_name",
    "email",
    "phone",
    "role",
    "school",
    "grade",
    "preferred_language",
    "is_minor",
    "most_directly_impacted",
    "not_usually_asked",
    "note",
]
REQUIRED_COLUMNS = {"full_name", "role"}
TRUE = {"1", "yes", "y", "true", "x", "sí", "si"}
FALSE = {"", "0", "no", "n", "false"}
MAX_ROWS = 5000
EMAIL_MAX_LENGTH = Participant._meta.get_field("email").max_length  # 254; validate_email allows 320


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, existing code)
    created: list[Participant] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_columns(campaign) -> list[str]:
    custom = campaign.dimensions.filter(source=EquityDimension.Source.CUSTOM).values_list("key", flat=True)
    return [*BASE_COLUMNS, *custom]


def template_example(campaign) -> list[str]:
    example = {
        "full_name": "Maria Lopez",
        "email": "maria.lopez@example.org",
        "phone": "555-0100",
        "role": "family",
        "school": "Lincoln Elementary",
        "grade": "3",
        "preferred_language": "es",
        "is_minor": "no",
        "most_directly_impacted": "yes",
        "not_usually_asked": "yes",
        "note": "",
    }
    dims = campaign.dimensions.filter(source=EquityDimension.Source.CUSTOM).prefetch_related("values")
    for dimension in dims:
        first = next(iter(dimension.values.all()), None)
        example[dimension.key] = first.label if first else ""
    return [example.get(column, "") for column in template_columns(campaign)]


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _norm(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def validate(campaign, text: str, membership=None) -> ImportResult:
    """Parse and check every row. Nothing is written. Queries: dimensions, values, existing people.

    `membership` is the importer's: a clash with someone whose identity they may not see names
    no code and compares no name (without one, nobody's identity counts as visible)."""
    from consent.selectors import retention_passed

    result = ImportResult()
    if retention_passed(campaign):
        result.errors.append(RowError(1, "", "", _(RETENTION_MESSAGE)))
        return result
    dimensions = list(campaign.dimensions.filter(source=EquityDimension.Source.CUSTOM).prefetch_related("values"))
    by_header = {}
    for dimension in dimensions:
        by_header[_norm(dimension.key)] = dimension
        by_header[_norm(dimension.name)] = dimension
    reader = csv.reader(io.StringIO(text))
    try:
        headers = next(reader)
    except StopIteration:
        result.errors.append(RowError(1, "", "", _("The file is empty. Start from the template.")))
        return result
    except csv.Error as error:
        result.errors.append(RowError(1, "", "", _("This is not a readable CSV file: %(e)s") % {"e": error}))
        return result
    columns = []  # (header as typed, field name or dimension)
    for header in headers:
        key = _norm(header)
        if key in BASE_COLUMNS:
            columns.append((header, key))
        elif key in by_header:
            columns.append((header, by_header[key]))
        elif key == "" or key == "code":
            columns.append((header, None))
        else:
            result.errors.append(
                RowError(1, header, header, _("Unknown column: not a participant field or one of the dimensions."))
            )
            columns.append((header, None))
    present = {c for _h, c in columns if isinstance(c, str)}
    for missing in sorted(REQUIRED_COLUMNS - present):
        result.errors.append(RowError(1, missing, "", _("This column is required.")))
    if result.errors:
        return result

    existing_by_email, existing_by_identity = {}, {}
    if membership is not None and membership.campaign_id == campaign.pk:
        existing = Participant.objects.visible_to(membership)
    else:
        existing = Participant.objects.filter(campaign=campaign).annotate(
            shows_identity=Value(False, output_field=BooleanField())
        )
    for p in existing.only("code", "full_name", "email", "phone", "school"):
        if p.email:
            existing_by_email[p.email.lower()] = p
        else:
            existing_by_identity[(p.full_name.lower(), p.phone, p.school.lower())] = p
    languages = {code for code, _label in LANGUAGES}
    language_names = {str(label).lower(): code for code, label in LANGUAGES}
    roles = {value: value for value in Participant.Role.values}
    roles.update({str(label).lower(): value for value, label in Participant.Role.choices})
    seen_emails, seen_identities = {}, {}

    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(result.rows) + len(result.skipped) >= MAX_ROWS:
                result.errors.append(
                    RowError(line, "", "", _("Import at most %(n)s rows at a time.") % {"n": MAX_ROWS})
                )
                break
            row, values, errors = {}, {}, []

            def error(column, value, reason, line=line, errors=errors):
                errors.append(RowError(line, column, value, reason))

            for (header, target), raw in zip(columns, cells, strict=False):
                value = raw.strip()
                if target is None:
                    continue
                if isinstance(target, EquityDimension):
                    if not value:
                        continue
                    match = next((v for v in target.values.all() if v.label.lower() == value.lower()), None)
                    if match is None:
                        allowed = ", ".join(v.label for v in target.values.all())
                        error(header, value, _("Unknown value for %(d)s. Use one of: %(a)s.") % {
                            "d": target.name, "a": allowed})  # fmt: skip
                    else:
                        values[target.pk] = match
                    continue
                if target == "full_name":
                    if not value:
                        error(header, value, _("A name is required."))
                    elif len(value) > 200:
                        error(header, value[:40] + "…", _("At most 200 characters."))
                    row[target] = value
                elif target == "email":
                    if len(value) > EMAIL_MAX_LENGTH:
                        error(header, value[:40] + "…", _("At most %(n)s characters.") % {"n": EMAIL_MAX_LENGTH})
                    elif value:
                        try:
                            validate_email(value)
                        except ValidationError:
                            error(header, value, _("Not a valid email address."))
                    row[target] = value
                elif target == "phone":
                    if value:
                        try:
                            phone_validator(value)
                        except ValidationError:
                            error(header, value, _("Not a valid phone number."))
                    row[target] = value
                elif target == "role":
                    if value.lower() not in roles:
                        error(header, value, _("Unknown role. Use one of: %(r)s.") % {
                            "r": ", ".join(Participant.Role.values)})  # fmt: skip
                    else:
                        row[target] = roles[value.lower()]
                elif target == "preferred_language":
                    code = value.lower()
                    if not code:
                        row[target] = "en"
                    elif code in languages:
                        row[target] = code
                    elif code in language_names:
                        row[target] = language_names[code]
                    else:
                        error(header, value, _("Unknown language. Use a code such as en, es or vi."))
                elif target in ("is_minor", "most_directly_impacted", "not_usually_asked"):
                    if value.lower() in TRUE:
                        row[target] = True
                    elif value.lower() in FALSE:
                        row[target] = False
                    else:
                        error(header, value, _("Use yes or no."))
                elif target in ("school", "grade", "note"):
                    limit = {"school": 200, "grade": 16, "note": 5000}[target]
                    if len(value) > limit:
                        error(header, value[:40], _("At most %(n)s characters.") % {"n": limit})
                    row[target] = value
            if "role" not in row and not any(e.column.lower() == "role" for e in errors):
                error("role", "", _("A role is required."))

            email = row.get("email", "").lower()
            identity = (row.get("full_name", "").lower(), row.get("phone", ""), row.get("school", "").lower())
            if email:
                if email in seen_emails:
                    error("email", row["email"], _("Duplicate in this file: row %(n)s has the same email.") % {
                        "n": seen_emails[email]})  # fmt: skip
                else:
                    seen_emails[email] = line
            elif identity[0]:
                if identity in seen_identities:
                    error("full_name", row["full_name"], _(
                        "Duplicate in this file: row %(n)s has the same name, phone and school and no email."
                    ) % {"n": seen_identities[identity]})  # fmt: skip
                else:
                    seen_identities[identity] = line
            existing = existing_by_email.get(email) if email else existing_by_identity.get(identity)
            if existing is not None and not errors:
                if not existing.shows_identity:
                    # Someone the importer may not see: no code, and no comparing names.
                    if email:
                        error("email", row["email"], _("Duplicate in this campaign: someone already has this email."))
                    else:
                        error("full_name", row["full_name"], _(
                            "Duplicate in this campaign: someone already has this name, phone and school."
                        ))  # fmt: skip
                elif existing.full_name.lower() == row.get("full_name", "").lower():
                    result.skipped.append((line, existing.code))
                    continue
                else:
                    error("email", row["email"], _("Duplicate in this campaign: %(code)s already has this email.") % {
                        "code": existing.code})  # fmt: skip
            result.errors.extend(errors)
            if not errors:
                result.rows.append(row)
                result.values.append(values)
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, "", "", _("The CSV could not be read: %(e)s") % {"e": exc}))
    return result


def import_csv(*, campaign, text: str, by, assign=None) -> ImportResult:
    """Validate the whole file; import every new row only if no row has an error."""
    result = validate(campaign, text, membership=membership_of(campaign, by))
    if result.errors or not result.rows:
        return result
    try:
        with transaction.atomic():
            result.created = participants_create(campaign=campaign, by=by, rows=result.rows, values=result.values)
    except ValidationError as exc:
        # What the row checks above did not foresee: still an error to fix, never a crash.
        for column, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            result.errors.extend(RowError(1, column if column != "__all__" else "", "", m) for m in messages)
        return result
    if assign:
        through = Participant.assigned_interviewers.through
        through.objects.bulk_create(
            [through(participant_id=p.pk, user_id=u.pk) for p in result.created for u in assign],
            ignore_conflicts=True,
        )
    return result

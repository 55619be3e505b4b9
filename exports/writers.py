"""Writing tables to files without holding them in memory.

CSV: UTF-8 with a byte-order mark (so Excel reads any script), rows written as they come.
XLSX: openpyxl's write-only workbook (rows go to a temporary file as they are appended), one
sheet per table. Both neutralize formula injection in every text cell (anonymize.safe_cell).
`progress(done_rows)` is called every PROGRESS_EVERY rows so the job can show a progress bar.
"""

import csv
import io
import re

from .anonymize import safe_cell

PROGRESS_EVERY = 2000
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _count(progress, done):
    if progress and done % PROGRESS_EVERY == 0:
        progress(done)


def csv_field(value) -> str:
    """One field as `csv.writer` (the excel dialect: QUOTE_MINIMAL, "\\r\\n") writes it in a row of
    several: quoted when it holds a comma, a quote or a line break, quotes doubled; None empty.
    For encoding rows without the writer (Table.csv_chunks); tests hold it to csv.writer."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(fileobj, table, progress=None) -> int:
    """`fileobj`: a text file opened with encoding="utf-8-sig" and newline="".

    Rows are encoded into a buffer and written PROGRESS_EVERY at a time (one encode and one
    write per chunk, not per row); a table with `csv_chunks` comes already encoded."""
    csv.writer(fileobj).writerow([safe_cell(str(h)) for h in table.header])
    done = 0
    if table.csv_chunks is not None:
        for text, n in table.csv_chunks():
            fileobj.write(text)
            done += n
            if progress:
                progress(done)
        return done
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    checked = table.free_text
    for row in table.rows:
        if checked is None:
            row = [safe_cell(v) for v in row]
        else:
            for i in checked:
                row[i] = safe_cell(row[i])
        writer.writerow(row)
        done += 1
        if done % PROGRESS_EVERY == 0:
            fileobj.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(done)
    fileobj.write(buffer.getvalue())
    return done


def _xlsx_value(value):
    if type(value) is str:
        if not value.isprintable():  # cheap test first: most cells need no cleaning
            value = _ILLEGAL_XML.sub("", value)
        return safe_cell(value)
    return value


def write_xlsx(path, tables, progress=None) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    done = 0
    used = set()
    for table in tables:
        title = re.sub(r"[\[\]:*?/\\]", " ", str(table.title))[:31] or "Sheet"
        while title in used:
            title = title[:28] + f" {len(used)}"
        used.add(title)
        sheet = workbook.create_sheet(title=title)
        sheet.append([str(h) for h in table.header])
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
            done += 1
            _count(progress, done)
    workbook.save(path)
    return done

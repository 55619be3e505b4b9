"""Reading the notes ahead on another connection (`tables._read_ahead`), as a worker does: in
autocommit (so these tests commit their data: `transaction=True`). Inside a transaction (every
other test), and on SQLite (`make run`), the rows are read on the caller's connection."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from exports import tables
from exports.models import ExportJob
from exports.services import export_run_sync
from exports.tables import ExportContext, notes_table

from .test_fast_paths import _fast_csv, _generic_csv

pytestmark = pytest.mark.django_db(transaction=True)
# Streaming is psycopg's: on SQLite `_read_ahead` reads on the caller's connection (the last test).
postgres_only = pytest.mark.skipif(not settings.IS_POSTGRES, reason="the read-ahead streams with psycopg")


@postgres_only
@pytest.mark.parametrize("anonymized", [True, False])
def test_read_ahead_csv_is_the_rows_through_csv_writer(world, anonymized, monkeypatch):
    assert not connection.in_atomic_block
    monkeypatch.setattr(tables, "CSV_FETCH", 3)  # several chunks for 11 notes
    used = []
    real = tables._stream_chunks

    def fetch(qs, size):
        used.append(threading.current_thread() is not threading.main_thread())
        yield from real(qs, size)

    monkeypatch.setattr(tables, "_stream_chunks", fetch)
    fast = _fast_csv(notes_table(ExportContext.build(world.campaign, anonymized=anonymized, heard_only=True)))
    plain = _generic_csv(notes_table(ExportContext.build(world.campaign, anonymized=anonymized, heard_only=True)))
    assert used == [True]  # the CSV's rows were streamed to the other thread
    assert fast == plain
    assert fast.count("\r\n") == 12 and "WITHDRAWN-WORDS" not in fast


@postgres_only
def test_read_ahead_gives_the_readers_error_and_stops_when_left(world, monkeypatch):
    before = threading.active_count()

    def broken(qs, size):
        yield [(1,)]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tables, "_stream_chunks", broken)
    chunks = tables._read_ahead(tables.notes_queryset(world.campaign), 10)
    assert next(chunks) == [(1,)]
    with pytest.raises(RuntimeError, match="went away"):
        next(chunks)
    monkeypatch.setattr(tables, "_stream_chunks", lambda qs, size: iter([[(n,)] for n in range(100)]))
    monkeypatch.setattr(tables, "READ_AHEAD", 1)
    chunks = tables._read_ahead(tables.notes_queryset(world.campaign), 10)
    assert next(chunks) == [(0,)]
    chunks.close()  # the reader is waiting to hand over more: it stops
    assert threading.active_count() == before


def test_worker_build_stores_the_file_on_any_database(world, lead):
    # PostgreSQL: read ahead on a second connection; SQLite (make run): on the caller's.
    job = ExportJob.objects.create(campaign=world.campaign, kind="notes", format="csv", requested_by=lead)
    _seconds, rows = export_run_sync(job)
    job.refresh_from_db()
    assert (job.status, rows, job.row_count, job.progress) == (ExportJob.Status.DONE, 11, 11, 100)
    with job.file.open("rb") as f:
        data = f.read()
    assert data.startswith(b"\xef\xbb\xbf") and b"WITHDRAWN-WORDS" not in data

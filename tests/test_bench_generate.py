"""The benchmark's data generator (bench/generate.py) and the harness's refusal to run on SQLite.

The generator runs here at a tiny size on the test database: the counts it reports are the rows
it made, and the same seed makes the same campaign (codes, names, values, statuses, note texts).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import Size, generate_campaign, get_model
from bench.run import BenchConfigError, bench_environment
from campaigns.factories import UserFactory
from participants.models import Participant, ParticipantValue, StatusChange

SMALL = Size(
    "test", participants=30, interviews=6, notes=40, highlights=12, tags=5, themes=3, root_causes=4, interviewers=2
)
ROOT = Path(__file__).resolve().parent.parent


def snapshot(campaign) -> dict:
    """What the generator decided, independent of database ids and wall-clock times."""
    people = list(
        Participant.objects.filter(campaign=campaign)
        .order_by("number")
        .values_list("code", "full_name", "email", "role", "status", "school", "preferred_language")
    )
    values = list(
        ParticipantValue.objects.filter(participant__campaign=campaign)
        .order_by("participant__number", "dimension__position")
        .values_list("participant__code", "dimension__key", "value__label")
    )
    shot = {"participants": people, "values": values}
    Note = get_model("interviews.Note")
    if Note is not None:
        text = "body" if any(f.name == "body" for f in Note._meta.fields) else "text"
        from bench.pages import campaign_lookup

        shot["notes"] = list(Note.objects.filter(**campaign_lookup(Note, campaign)).order_by("pk").values_list(text))
    return shot


@pytest.mark.django_db
def test_generator_makes_the_rows_it_reports_and_the_same_seed_makes_the_same_campaign():
    lead = UserFactory(email="bench-lead@test.org")
    first = generate_campaign(slug="bench-a", size=SMALL, seed=7, lead=lead)
    second = generate_campaign(slug="bench-b", size=SMALL, seed=7, lead=lead)
    other = generate_campaign(slug="bench-c", size=SMALL, seed=8, lead=lead)

    parts = first["parts"]
    failed = {name: part for name, part in parts.items() if part["status"] == "failed"}
    assert not failed, failed
    counts = parts["participants"]["counts"]
    campaign = first["campaign"]
    people = Participant.objects.filter(campaign=campaign)
    assert counts["participants"] == people.count() == 30
    assert counts["dimensions"] == campaign.dimensions.count() == 6
    assert counts["dimension_values"] == ParticipantValue.objects.filter(participant__campaign=campaign).count() == 180
    assert counts["status_changes"] == StatusChange.objects.filter(participant__campaign=campaign).count()
    assert people.filter(status=Participant.Status.INTERVIEWED).count() == SMALL.interviews
    if parts["interviews"]["status"] == "generated":
        Note = get_model("interviews.Note")
        assert parts["interviews"]["counts"]["interviews"] == SMALL.interviews
        assert parts["interviews"]["counts"]["notes"] == Note.objects.filter(campaign=campaign).count() == SMALL.notes
    if parts["synthesis"]["status"] == "generated":
        synthesis = parts["synthesis"]["counts"]
        assert (synthesis["tags"], synthesis["themes"], synthesis["highlights"]) == (5, 3, 12)
        assert get_model("synthesis.Highlight").objects.filter(campaign=campaign).count() == 12

    assert snapshot(first["campaign"]) == snapshot(second["campaign"])
    assert snapshot(first["campaign"]) != snapshot(other["campaign"])


def test_harness_refuses_sqlite_with_a_clear_message():
    with pytest.raises(BenchConfigError, match="PostgreSQL and Redis, not SQLite"):
        bench_environment({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    with pytest.raises(BenchConfigError, match="must contain 'bench'"):
        bench_environment({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/empathy"})
    env = bench_environment({})
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/empathy_bench"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/2"
    assert env["DEBUG"] == "False"


def test_make_bench_on_sqlite_exits_before_touching_anything():
    env = {**os.environ, "DATABASE_URL": "sqlite:////tmp/bench-refused.sqlite3"}
    done = subprocess.run([sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "refusing to run" in done.stderr and "not SQLite" in done.stderr
    assert not Path("/tmp/bench-refused.sqlite3").exists()

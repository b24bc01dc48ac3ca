"""Writers at once on one database (two workstations, or the window and the command line), an SQLite file
or a database of a PostgreSQL server (each test runs on both), never lose an update. Real processes, each
with its own store (tests/concurrency_worker.py), race as fast as they can on the same item, on different
fields of one patient, on a booster against a date of death, and on corrections typed from stale views; the
command line races as the testers did, and registers one study ID from five workstations at once.
Every acknowledged write is in the final row and in the change log, under its own user and reason;
nothing prints a traceback; a refusal is one sentence (exit code 2 on the command line)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import TEST_PASSWORD, copy_to_server, open_store, sign_in

from ari_desktop.core.dates import local_today, to_utc_text
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.store import Store

WORKER = Path(__file__).with_name("concurrency_worker.py")
TODAY = local_today()
DAY0 = TODAY - timedelta(days=160)
FIRST_AGAIN = "Soluble BCMA at D+7 is already recorded as done; a correction needs a reason."
STALE_BIRTH_YEAR = re.compile(r"The birth year of ARI-014 was changed by w\d at \d{4}-\d\d-\d\d \d\d:\d\d "
                              r"\(\d{4} → \d{4}\) since you opened it; look again and correct it if still needed\.")


# One account per writer, holding the clinical roles; the command line's session token of each.
WRITERS = ("w0", "w1", "w2", "w3", "birth", "initials", "sex", "pet", "booster", "death")
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def writers_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("writers") / "template.db"
    with open_store(path, "admin") as store:
        for login in WRITERS:
            store.accounts.add(login, f"Writer {login.capitalize()}", ["nurse", "physician", "data-manager"],
                               TEST_PASSWORD)
    with Store(path, "set-up") as store:
        for login in WRITERS:
            sign_in(store, login)
            TOKENS[login] = store.accounts.start_session()
    return path


@pytest.fixture
def db(database, writers_template) -> Path | str:
    """A database with the writers' accounts and ARI-014 registered (born 1950, initials AB, F, day 0 160 days
    ago): a file, or a server database."""
    if isinstance(database, Path):
        shutil.copyfile(writers_template, database)
    else:
        copy_to_server(writers_template, database)
    path = database
    with open_store(path) as store:
        anchors = Anchors(screening=DAY0 - timedelta(days=40), day0=DAY0)
        store.patients.add(check_new_patient("ARI-014", "AB", "F", 1950, anchors, store.protocol, TODAY))
    return path


def _workers(db: Path | str, scenario: str, users: list[str], writes: int) -> list[dict]:
    """Run one worker process per user, all started together once each has opened its store; every
    write's outcome, after checking that no worker printed anything on stderr (a traceback)."""
    start = Path(tempfile.mkdtemp(prefix="ari-start-")) / scenario
    processes = [subprocess.Popen([sys.executable, str(WORKER), str(db), user, scenario, str(writes), str(start)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for user in users]
    for process in processes:
        assert json.loads(process.stdout.readline()) == {"ready": users[processes.index(process)]}
    start.touch()
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [(process.returncode, err) for process, (_, err) in zip(processes, outputs, strict=True)] == [
        (0, "")] * len(users)
    lines = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(lines) == len(users) * writes
    acknowledged = sum("refused" not in line for line in lines)
    print(f"{scenario}: {len(users)} writers x {writes} writes, {acknowledged} acknowledged, "
          f"{len(lines) - acknowledged} refused, 0 tracebacks")
    return lines


def test_first_recordings_and_corrections_of_one_item_at_once_keep_every_acknowledged_write(db):
    lines = _workers(db, "item", ["w0", "w1", "w2", "w3"], 12)
    with open_store(db) as store:
        changes = store.changes.all("recordings")
        final = next(e.recording for e in store.schedules.of("ARI-014", TODAY)
                     if (e.item.timepoint, e.item.activity) == ("D+7", "sbcma"))
    acknowledged = [line for line in lines if "refused" not in line]
    assert sorted((a["user"], a["done_at"], a["reason"]) for a in acknowledged) == sorted(
        (c.user, c.new["done_at"], c.reason) for c in changes)
    assert [c.action for c in changes] == ["insert"] + ["update"] * (len(changes) - 1)
    assert (final.recorded_by, to_utc_text(final.done_at)) == (changes[-1].user, changes[-1].new["done_at"])
    refusals = [line for line in lines if "refused" in line]
    assert [(r["n"], r["refused"], r["field"]) for r in refusals] == [(0, FIRST_AGAIN, "reason")] * 3


def test_corrections_of_different_fields_of_one_patient_at_once_keep_every_field_and_its_reason(db):
    writes = 8
    lines = _workers(db, "field", ["birth", "initials", "sex", "pet"], writes)
    assert not [line for line in lines if "refused" in line]
    with open_store(db) as store:
        patient, changes = store.patients.get("ARI-014"), store.changes.all("patients")[1:]
        pet_ct = any(e.item.activity == "pet_ct" for e in store.schedules.of("ARI-014", TODAY))
    for user in ("birth", "initials", "sex", "pet"):
        mine = [line for line in lines if line["user"] == user]
        # Each correction wrote its one field (nothing written back) under its own reason, in order.
        assert [(c.new, c.reason) for c in changes if c.user == user] == [
            ({m["column"]: m["value"]}, m["reason"]) for m in mine]
    last = {line["column"]: line["value"] for line in lines}  # each writer's last value
    assert (patient.birth_year, patient.initials, patient.sex, int(patient.anchors.extramedullary)) == (
        last["birth_year"], last["initials"], last["sex"], last["extramedullary"])
    assert pet_ct == patient.anchors.extramedullary  # the schedule follows the last correction


def test_a_booster_and_a_date_of_death_entered_at_once_are_both_kept(db):
    lines = _workers(db, "dates", ["booster", "death"], 10)
    assert not [line for line in lines if "refused" in line]
    with open_store(db) as store:
        patient, changes = store.patients.get("ARI-014"), store.changes.all("patients")[1:]
    for user in ("booster", "death"):
        assert [c.new for c in changes if c.user == user] == [
            {line["column"]: line["value"]} for line in lines if line["user"] == user]
    assert (patient.anchors.booster.isoformat(), patient.anchors.death.isoformat()) == tuple(
        [line["value"] for line in lines if line["user"] == user][-1] for user in ("booster", "death"))


def test_corrections_typed_on_stale_views_at_once_are_refused_with_who_and_never_applied(db):
    lines = _workers(db, "stale", ["w0", "w1", "w2", "w3"], 8)
    with open_store(db) as store:
        patient, changes = store.patients.get("ARI-014"), store.changes.all("patients")[1:]
    acknowledged = [line for line in lines if "refused" not in line]
    # Each write accepted was typed on the value then stored: the log's old value is what its user saw.
    assert sorted((a["reason"], a["seen"], a["asked"]) for a in acknowledged) == sorted(
        (c.reason, c.old["birth_year"], c.new["birth_year"]) for c in changes)
    assert patient.birth_year == 1950 + len(acknowledged)
    for refusal in (line for line in lines if "refused" in line):
        assert refusal["field"] == "birth_year" and STALE_BIRTH_YEAR.fullmatch(refusal["refused"]), refusal


def _program() -> list[str]:
    """The installed command line next to this Python, or the package run by this Python."""
    program = shutil.which("ari-desktop", path=str(Path(sys.executable).parent))
    return [program] if program else [sys.executable, "-m", "ari_desktop"]


def test_the_command_line_racing_on_one_item_and_one_patient_prints_no_traceback_and_keeps_every_change(db):
    """The testers' reproducers, at once: three first recordings of one item, a birth year against
    the initials, a booster against a date of death."""
    record = ["record", "ARI-014", "--timepoint", "D+7", "--activity", "sbcma", "--done-at"]
    day7 = (DAY0 + timedelta(days=7)).isoformat()
    booster, death = DAY0 + timedelta(days=101), TODAY - timedelta(days=2)
    commands = {"w0": [*record, f"{day7}T08:00"], "w1": [*record, f"{day7}T08:01"], "w2": [*record, f"{day7}T08:02"],
                "birth": ["patient", "correct", "ARI-014", "--birth-year", "1962", "--reason", "birth year checked"],
                "initials": ["patient", "correct", "ARI-014", "--initials", "CD", "--reason", "initials swapped"],
                "booster": ["patient", "update", "ARI-014", "--booster-date", booster.isoformat()],
                "death": ["patient", "update", "ARI-014", "--death-date", death.isoformat()]}
    program = [*_program(), "--db", str(db)]
    with ThreadPoolExecutor(len(commands)) as pool:
        runs = dict(zip(commands, pool.map(
            lambda user: subprocess.run([*program, *commands[user]], capture_output=True, text=True, timeout=60,
                                        env={**os.environ, "ARI_DESKTOP_TOKEN": TOKENS[user]}), commands),
            strict=True))
    for user, done in runs.items():
        assert "Traceback" not in done.stderr
        assert (done.returncode, done.stderr) in ((0, ""), (2, f"ari-desktop: {FIRST_AGAIN}\n")), (user, done)
    assert sorted(runs[user].returncode for user in ("w0", "w1", "w2")) == [0, 2, 2]
    assert all(runs[user].returncode == 0 for user in ("birth", "initials", "booster", "death"))
    with open_store(db) as store:
        patient = store.patients.get("ARI-014")
        changes = store.changes.all("patients")[1:]
    assert (patient.birth_year, patient.initials, patient.anchors.booster, patient.anchors.death) == (
        1962, "CD", booster, death)
    assert sorted((c.user, c.reason) for c in changes) == [
        ("birth", "birth year checked"), ("booster", None), ("death", None), ("initials", "initials swapped")]


def test_the_same_study_id_registered_at_once_from_five_workstations_is_registered_once(db):
    """One registration wins; each other one is told the study ID is taken, in one sentence."""
    add = ["patient", "add", "--study-id", "ARI-020", "--initials", "CD", "--sex", "M", "--birth-year", "1955",
           "--screening-date", TODAY.isoformat()]
    program = [*_program(), "--db", str(db)]
    users = ("w0", "w1", "w2", "w3", "birth")
    with ThreadPoolExecutor(len(users)) as pool:
        runs = list(pool.map(lambda user: subprocess.run(
            [*program, *add], capture_output=True, text=True, timeout=60,
            env={**os.environ, "ARI_DESKTOP_TOKEN": TOKENS[user]}), users))
    assert sorted((done.returncode, done.stderr) for done in runs) == [(0, "")] + [
        (2, "ari-desktop: A patient with study ID ARI-020 is already registered.\n")] * 4
    with open_store(db) as store:
        assert [p.study_id for p in store.patients.all()] == ["ARI-014", "ARI-020"]
        assert len([c for c in store.changes.all("patients") if c.action == "insert"]) == 2

"""The command line under random input: every subcommand (read from the click group itself) with
random option values — dates, times, numbers, choices, texts long, empty, with control characters
or bytes that are not UTF-8, and paths that name the database, its companions, a folder, a pipe,
a missing folder or a name too long — run in-process on a copy of a small database.

Whatever is typed: no traceback, exit code 0 or 2, and on exit 2 the database and every file beside
it exactly as they were. The database, the folder and the pipe are never replaced, whatever the code.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
import tempfile
import traceback
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ari_desktop.cli import cli
from ari_desktop.core import grading
from ari_desktop.core.protocol import load_default
from ari_desktop.core.toxicity import EVENT_KINDS, EVENT_SUBTYPES

EXAMPLES = 2500
PROTOCOL = load_default()
TODAY = date.today()  # the command line runs on the real clock
TEMPLATE_PATIENTS = 4
STUDY_IDS = [f"DEMO-{n:04d}" for n in range(1, TEMPLATE_PATIENTS + 1)]

# Left out: the window (no subcommand; the group's window-only options are never given) and
# `demo`, which takes seconds even for one patient (it builds the template database instead).
LEFT_OUT = {("demo",)}


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += leaf_commands(command, (*path, name))
        elif (*path, name) not in LEFT_OUT:
            found.append(((*path, name), command))
    return found


COMMANDS = leaf_commands(cli)

# -- values ---------------------------------------------------------------------------------------

NASTY = ["", " ", "\udcff", "a\udcffb", "bell\x07", "two\nlines", "nul\x00", "tab\tbed", "x" * 81, "y" * 501,
         "z" * 2001, "w" * 100_000, "é 🙂 ñ", "'; DROP TABLE patients; --", "-", "--help"]


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


DATES = [day(0), day(-1), day(-3), day(-40), day(-120), day(1), day(400), "2025-02-30", "2025-13-01",
         "0001-01-01", "9999-12-31", "today", "2025-3-1", "20250301"]
TIMES = [f"{day(0)}T00:01", f"{day(-1)}T08:00", f"{day(-3)}T23:59", f"{day(0)}T08:00+14:00", f"{day(-1)}T08:00Z",
         f"{day(1)}T08:00", "2025-03-10T25:00", "9999-12-31T23:59", "0001-01-01T00:00", "2025-03-10"]
NUMBERS = ["0", "1", "-1", "2", "3", "4", "5", "10", "38.6", "38,6", "39.5", "41", "0.9", "72.5", "1e309", "nan", "inf",
           "-inf", "9223372036854775808", "abc"]
TEXTS = ["Consent withdrawn", "sample haemolysed", "Dr Vidal", "typed on the wrong patient", "ok"]
POOLS = {
    "study_id": [*STUDY_IDS, "NOPE-1", "demo-0002", f" {STUDY_IDS[1]} ", "X" * 33, "FZ-1", "FZ-2"],
    "timepoint": ["D+3", "D+7", "D0", "D+1", "D+14", "M3", "SCR", "B0", "D+99", "d+7"],
    "activity": [*(a.code for a in PROTOCOL.activities), "nope"],
    "initials": ["AB", "ABCD", "A", "ABCDE", "a1", "ÑÚ"],
    "sex": ["F", "M", "X", "f"],
    "kind": [*EVENT_KINDS, "sample", "assessment", "visit", "infusion", "all", "bogus"],
    "subtype": [*{s for subtypes in EVENT_SUBTYPES.values() for s in subtypes}, "bogus"],
    "oxygen": [*grading.OXYGEN_DEVICES, "bogus"],
    "consciousness": [*grading.CONSCIOUSNESS_LEVELS, "bogus"],
    "seizure": [*grading.SEIZURE_KINDS, "bogus"],
    "edema": [*grading.EDEMA_KINDS, "bogus"],
    "time": TIMES, "date": DATES, "number": NUMBERS, "text": TEXTS,
}
DATE_NAMES = {"screening_date", "infusion_date", "booster_date", "off_study", "death_date", "as_of", "on", "onset",
              "resolved"}
TIME_NAMES = {"at_text", "done_at"}
NUMBER_NAMES = {"dose", "weight", "birth_year", "seed"}


def pool_of(param: click.Parameter) -> list[str]:
    if isinstance(param.type, click.Choice):
        return [*param.type.choices, "bogus"]
    if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType) or param.name in NUMBER_NAMES:
        return POOLS["number"]
    if param.name in DATE_NAMES:
        return POOLS["date"]
    if param.name in TIME_NAMES:
        return POOLS["time"]
    return POOLS.get(param.name, POOLS["text"])


# Paths, relative to the example's folder; "{db}" is the database's own name.
PATHS = ["{db}", "{db}-wal", "{db}-shm", "{db}-journal", "./{db}", "link-to-db.pdf", "hardlink-to-db.pdf", "out.pdf",
         "old.pdf", "notes.txt", "empty.pdf", "folder", "fifo", "missing/x.pdf", "{db}/x.pdf", "n" * 300 + ".pdf",
         "a\udcffb.pdf", "", "exports", "earlier-export", "mixed-folder", "new/nested/folder", "."]


@dataclass(frozen=True)
class Case:
    database: str  # file name of the database in the example's folder
    words: tuple[str, ...]  # after the program name; paths hold "{db}" and are relative to the folder


PATH_VALUES = st.sampled_from(PATHS).map(lambda path: "@" + path)


@functools.cache
def values(param: click.Parameter) -> st.SearchStrategy[str]:
    """A path from PATHS; else mostly the option's own kind of value, now and then a nasty text."""
    if isinstance(param.type, click.Path):
        return PATH_VALUES
    own = st.sampled_from(pool_of(param))
    return st.one_of(own, own, own, st.sampled_from(NASTY), st.text(max_size=8))


@st.composite
def cases(draw) -> Case:
    database = draw(st.sampled_from(["unit.db", "schedule.csv"]))  # a database named like an export's CSV too
    path, command = draw(st.sampled_from(COMMANDS))

    words: list[str] = []
    db = "@{db}" if draw(st.integers(0, 19)) else draw(PATH_VALUES)  # now and then, a --db that is no database
    words += ["--db", db]
    if draw(st.booleans()):
        words += ["--user", draw(st.one_of(st.sampled_from(TEXTS), st.sampled_from(NASTY)))]
    words += path
    for param in command.params:
        if isinstance(param, click.Argument):
            words.append(draw(values(param)))
        elif param.is_flag:
            if draw(st.integers(0, 2)) == 0:
                words.append(draw(st.sampled_from([*param.opts, *param.secondary_opts])))
        elif param.required or draw(st.booleans()):
            words += [draw(st.sampled_from(param.opts)), draw(values(param))]
    return Case(database, tuple(words))


# -- the folder of one example ------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    path: Path
    digest: str  # of the file: every example starts from a copy


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    """A small database: demo patients at every stage, closed (no -wal left)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    result = CliRunner().invoke(cli, ["--db", str(path), "--user", "fuzz", "demo",
                                      "--patients", str(TEMPLATE_PATIENTS)])
    assert result.exit_code == 0, result.output
    return Template(path, file_digest(path))


@pytest.fixture(scope="module")
def fast_protocol():
    """Every command opens the store, which reads the shipped protocol: read it once (it is data)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("ari_desktop.store.store.load_default", functools.cache(load_default))
        yield


def prepare(folder: Path, template: Path, database: str) -> Path:
    """The example's folder: the database and, beside it, every kind of thing an output must not destroy."""
    db = folder / database
    shutil.copyfile(template, db)
    (folder / "link-to-db.pdf").symlink_to(db)
    os.link(db, folder / "hardlink-to-db.pdf")
    (folder / "old.pdf").write_bytes(b"%PDF-1.4 an earlier printout")
    (folder / "notes.txt").write_text("the unit's own notes\n")
    (folder / "empty.pdf").touch()
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    (folder / "earlier-export").mkdir()
    (folder / "earlier-export" / "patients.csv").write_text("id,study_id\n1,OLD-1\n")
    (folder / "mixed-folder").mkdir()
    (folder / "mixed-folder" / "patients.csv").write_text("Name,Date of birth\nsomeone's own sheet\n")
    return db


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_beside(folder: Path, databases: tuple[str, ...]) -> dict[str, str]:
    """Every file and folder under `folder` with its kind and content, but for the `databases`: the
    prepared one (by its other name too, compared on its own) and the one --db names, which opening
    creates when it is new; their companion files come and go with SQLite."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if any(name == db or name.startswith(db + "-") for db in databases):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            found[name] = file_digest(path)
        else:
            found[name] = stat.filemode(mode)
    return found


def run(case: Case, folder: Path, template: Template) -> str | None:
    """Run one case; what went wrong, or None."""
    db = prepare(folder, template.path, case.database)
    words = [str(folder / w[1:].format(db=case.database)) if w.startswith("@") else w for w in case.words]
    # --db comes first, and may come again after the command: the last one given is opened.
    opened = str(Path(words[len(words) - 1 - words[::-1].index("--db") + 1]).relative_to(folder))
    databases = (case.database, "hardlink-to-db.pdf", opened)
    files_before = files_beside(folder, databases)
    result = CliRunner().invoke(cli, words, env={"ARI_DESKTOP_USER": "fuzz"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "traceback:\n" + "".join(traceback.format_exception(result.exception))
    if result.exit_code not in (0, 2):
        return f"exit code {result.exit_code}: {result.output[-500:]}"
    if not stat.S_ISFIFO((folder / "fifo").lstat().st_mode) or not (folder / "folder").is_dir():
        return "a pipe or a folder was replaced"
    if db.read_bytes()[:16] != b"SQLite format 3\x00":
        return "the database was overwritten"
    if result.exit_code == 2:
        # Byte for byte, with nothing left in its write-ahead log: stricter than comparing the tables.
        wal = db.with_name(db.name + "-wal")
        if file_digest(db) != template.digest or (wal.exists() and wal.stat().st_size):
            return f"exit 2 but the database changed: {result.output[-500:]}"
        if files_beside(folder, databases) != files_before:
            return f"exit 2 but a file was written: {result.output[-500:]}"
        if not result.output.strip():
            return "exit 2 without a sentence"
    return None


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=cases())
def test_no_input_on_the_command_line_gives_a_traceback_or_changes_the_database_when_refused(
        case, template, fast_protocol, tmp_path):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        problem = run(case, folder, template)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert problem is None, f"{' '.join(case.words)[:600]}\n{problem}"


def test_the_fuzz_reaches_every_command():
    """The commands come from the click group itself: a new command is fuzzed without a change here."""
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"sheet", "labels", "worklist", "export", "record", "assess", "fraction", "event", "patient add",
            "patient update", "patient correct"} <= names

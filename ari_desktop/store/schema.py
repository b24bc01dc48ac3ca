"""The database schema, as sqlite-utils migrations, and the checks made before a file is used.

sqlite_utils (which imports pandas) is imported only when a migration has to run, so opening an
up-to-date database for the window stays fast.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..core.errors import StoreError

MIGRATION_SET = "ari_desktop"
# PRAGMA application_id marks a file as ARI Desktop's ("ARI0" in ASCII).
APPLICATION_ID = 0x41524930
# The tables of what was recorded (each but patients has a patient_id), as the export and a
# patient's history list them.
CLINICAL_TABLES = ("patients", "recordings", "assessments", "fraction_decisions", "toxicity_events", "blood_counts",
                   "tls_labs")
_SQLITE_HEADER = b"SQLite format 3\x00"


_SCHEMA_001 = (
    """
    CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        study_id TEXT NOT NULL UNIQUE,
        initials TEXT NOT NULL,
        sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
        birth_year INTEGER NOT NULL,
        extramedullary INTEGER NOT NULL DEFAULT 0,
        protocol TEXT NOT NULL,
        screening_date TEXT NOT NULL,
        day0_date TEXT,
        booster_date TEXT,
        off_study_date TEXT,
        off_study_reason TEXT,
        death_date TEXT
    )
    """,
    # Derived from the protocol and the patient's anchor dates; rebuilt when they change.
    # Labels are not stored: they come from the protocol file.
    """
    CREATE TABLE scheduled_items (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        timepoint TEXT NOT NULL,
        activity TEXT NOT NULL,
        kind TEXT NOT NULL,
        anchor TEXT NOT NULL,
        day INTEGER NOT NULL,
        target_date TEXT NOT NULL,
        window_start TEXT NOT NULL,
        window_end TEXT NOT NULL,
        window_days INTEGER NOT NULL,
        sequence INTEGER NOT NULL,
        cancelled_reason TEXT,
        held INTEGER NOT NULL DEFAULT 0,
        UNIQUE (patient_id, timepoint, activity)
    )
    """,
    """
    CREATE INDEX scheduled_items_by_window ON scheduled_items (window_days, window_start)
    """,
    """
    CREATE TABLE recordings (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        timepoint TEXT NOT NULL,
        activity TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'not_done')),
        done_at TEXT,
        reason TEXT,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (patient_id, timepoint, activity)
    )
    """,
    # Append-only: every write to a clinical table adds a row here.
    """
    CREATE TABLE change_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        table_name TEXT NOT NULL,
        row_id INTEGER NOT NULL,
        action TEXT NOT NULL,
        old_values TEXT,
        new_values TEXT NOT NULL,
        reason TEXT
    )
    """,
    """
    CREATE INDEX change_log_by_row ON change_log (table_name, row_id)
    """,
    """
    CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
        BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END
    """,
    """
    CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
        BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END
    """,
)


def _m001_initial(db) -> None:
    # One statement at a time: executescript() would commit the migration's transaction.
    for statement in _SCHEMA_001:
        db.execute(statement)


_SCHEMA_002 = (
    # One row per bedside assessment; the grades are computed from the findings when saved.
    """
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        at TEXT NOT NULL,
        assessor TEXT NOT NULL,
        temperature_c REAL NOT NULL,
        fever_masked INTEGER NOT NULL,
        hypotension INTEGER NOT NULL,
        vasopressors INTEGER NOT NULL,
        vasopressin INTEGER NOT NULL,
        oxygen TEXT NOT NULL,
        flow_l_min REAL,
        ice INTEGER,
        ice_items TEXT,
        consciousness TEXT NOT NULL,
        seizure TEXT NOT NULL,
        motor_weakness INTEGER NOT NULL,
        edema TEXT NOT NULL,
        crs_grade INTEGER NOT NULL,
        crs_reason TEXT NOT NULL,
        icans_grade INTEGER NOT NULL,
        icans_reason TEXT NOT NULL,
        tocilizumab_mg REAL NOT NULL,
        dexamethasone_mg REAL NOT NULL,
        methylprednisolone_mg REAL NOT NULL,
        anakinra_mg REAL NOT NULL,
        notes TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX assessments_by_patient ON assessments (patient_id, at)",
    # Go / hold before fractions 2 and 3, with the grades the physician saw.
    """
    CREATE TABLE fraction_decisions (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        timepoint TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('go', 'hold')),
        reason TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        crs_grade_seen INTEGER,
        icans_grade_seen INTEGER
    )
    """,
    "CREATE INDEX fraction_decisions_by_patient ON fraction_decisions (patient_id, timepoint)",
    # TLS, cytopenias, infections, IEC-HS, hypogammaglobulinaemia: CTCAE grade, onset, resolution.
    """
    CREATE TABLE toxicity_events (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        kind TEXT NOT NULL,
        grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
        grade_reason TEXT NOT NULL,
        onset_date TEXT NOT NULL,
        resolution_date TEXT,
        notes TEXT NOT NULL,
        recorded_by TEXT NOT NULL
    )
    """,
    "CREATE INDEX toxicity_events_by_patient ON toxicity_events (patient_id)",
)


def _m002_toxicity(db) -> None:
    for statement in _SCHEMA_002:
        db.execute(statement)


def _m003_protocol_in_use(db) -> None:
    # The protocol file the stored schedules were built from; a different file rebuilds them.
    db.execute("""
        CREATE TABLE protocol_in_use (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            code TEXT NOT NULL,
            version TEXT NOT NULL,
            digest TEXT NOT NULL
        )
    """)


# Text the software used to write as the reason of a go nobody gave a reason for.
_INVENTED_GO_REASON = "no active CRS or ICANS"


def _m004_fraction_gate(db) -> None:
    """The go / hold gate keeps what was seen at the decision, marks an override, and stores no
    reason where none was typed; an aliquot given keeps its dose and the patient's weight.
    Rows written before get NULL for what was not kept then."""
    # SQLite cannot drop NOT NULL from a column: the table is rebuilt, rows and ids kept.
    db.execute("""
        CREATE TABLE fraction_decisions_004 (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            timepoint TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('go', 'hold')),
            reason TEXT,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            crs_grade_seen INTEGER,
            icans_grade_seen INTEGER,
            assessment_seen INTEGER REFERENCES assessments(id),
            assessment_age_minutes INTEGER,
            override INTEGER CHECK (override IN (0, 1))
        )
    """)
    columns = "id, patient_id, timepoint, decision, reason, decided_by, decided_at, crs_grade_seen, icans_grade_seen"
    db.execute(f"INSERT INTO fraction_decisions_004 ({columns}) SELECT {columns} FROM fraction_decisions")
    db.execute("DROP TABLE fraction_decisions")
    db.execute("ALTER TABLE fraction_decisions_004 RENAME TO fraction_decisions")
    db.execute("CREATE INDEX fraction_decisions_by_patient ON fraction_decisions (patient_id, timepoint)")
    # A go stored with the software's sentence said what nobody said: it becomes no reason, and the
    # change log keeps the old text and why it went.
    invented = [row[0] for row in db.execute(
        "SELECT id FROM fraction_decisions WHERE decision = 'go' AND reason = ?", [_INVENTED_GO_REASON])]
    for row_id in invented:
        db.execute("UPDATE fraction_decisions SET reason = NULL WHERE id = ?", [row_id])
        db.execute(
            "INSERT INTO change_log (at, user, table_name, row_id, action, old_values, new_values, reason)"
            " VALUES (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), 'ARI Desktop', 'fraction_decisions', ?, 'update',"
            " ?, ?, 'the software had written this reason; no reason was typed')",
            [row_id, json.dumps({"reason": _INVENTED_GO_REASON}), json.dumps({"reason": None})])
    db.execute("ALTER TABLE recordings ADD COLUMN dose_million_cells_per_kg REAL")
    db.execute("ALTER TABLE recordings ADD COLUMN weight_kg REAL")


_SCHEMA_005 = (
    # Blood counts as a series; each value optional, at least one. Graded (and read into cytopenia
    # episodes) when read, with the protocol file's lower limits of normal.
    """
    CREATE TABLE blood_counts (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        measured_at TEXT NOT NULL,
        neutrophils REAL,
        platelets REAL,
        haemoglobin REAL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        CHECK (neutrophils IS NOT NULL OR platelets IS NOT NULL OR haemoglobin IS NOT NULL),
        UNIQUE (patient_id, measured_at)
    )
    """,
    # Tumour-lysis lab sets (SI units) with the clinical findings; Cairo-Bishop is read from them.
    """
    CREATE TABLE tls_labs (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        measured_at TEXT NOT NULL,
        uric_acid_umol_l REAL NOT NULL,
        potassium_mmol_l REAL NOT NULL,
        phosphate_mmol_l REAL NOT NULL,
        calcium_mmol_l REAL NOT NULL,
        creatinine_x_uln REAL,
        arrhythmia INTEGER NOT NULL,
        seizure INTEGER NOT NULL,
        baseline INTEGER NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (patient_id, measured_at)
    )
    """,
    # Delayed neurotoxicity's presentation, or a death's cause; NULL for the other kinds (and for
    # every event recorded before this migration).
    "ALTER TABLE toxicity_events ADD COLUMN subtype TEXT",
)


def _m005_counts_and_labs(db) -> None:
    for statement in _SCHEMA_005:
        db.execute(statement)


# In order; a name once released is never changed or removed.
MIGRATIONS = (("001_initial", _m001_initial), ("002_toxicity", _m002_toxicity),
              ("003_protocol_in_use", _m003_protocol_in_use), ("004_fraction_gate", _m004_fraction_gate),
              ("005_counts_and_labs", _m005_counts_and_labs))


def check_file(path: Path) -> None:
    """Refuse, without writing a byte, a file that is not an ARI Desktop database of this version."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not an ARI Desktop database.")
    if not path.parent.is_dir():
        raise StoreError(f"The folder {path.parent} does not exist.")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        if handle.read(16) != _SQLITE_HEADER:
            raise StoreError(f"{path} is not an ARI Desktop database (it is not an SQLite file).")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (app_id,) = connection.execute("PRAGMA application_id").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id != APPLICATION_ID:
            if tables:
                raise StoreError(f"{path} is an SQLite database of another application, not ARI Desktop.")
            return
        applied = set()
        if "_sqlite_migrations" in tables:
            applied = {row[0] for row in connection.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is not an ARI Desktop database ({error}).") from None
    finally:
        connection.close()
    unknown = applied - {name for name, _ in MIGRATIONS}
    if unknown:
        raise StoreError(
            f"{path} was written by a newer version of ARI Desktop; update ARI Desktop to open it.")


def pending_migrations(connection: sqlite3.Connection) -> bool:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" not in tables:
        return True
    applied = {row[0] for row in connection.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
    return any(name not in applied for name, _ in MIGRATIONS)


def migrate(path: Path) -> None:
    """Bring the file to the current schema with sqlite-utils' Migrations."""
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, function in MIGRATIONS:
        migrations(name=name)(lambda db, function=function: function(db.conn))
    db = sqlite_utils.Database(path)
    try:
        db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.conn.execute("PRAGMA journal_mode = WAL")
        migrations.apply(db)
    finally:
        db.close()

"""The database schema, as sqlite-utils migrations, and the checks made before a file is used; the same
migrations run on a PostgreSQL server database (team mode), each statement translated by `for_server`.

sqlite_utils (which imports pandas) is imported only when a migration has to run, so opening an
up-to-date database for the window stays fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import StoreError
from ..i18n import _
from .engine import locked

MIGRATION_SET = "ari_desktop"
# PRAGMA application_id marks a file as ARI Desktop's ("ARI0" in ASCII).
APPLICATION_ID = 0x41524930
# The tables of what was recorded (each but patients has a patient_id), as the export and a
# patient's history list them.
CLINICAL_TABLES = ("patients", "recordings", "assessments", "fraction_decisions", "toxicity_events", "blood_counts",
                   "tls_labs", "results", "response_reviews", "progressions")
# What the endpoint tables keep of each patient between reads (store/kept.py): emptied for a patient by any
# write about them. A migration that changes clinical rows empties them too.
KEPT_TABLES = ("response_readings", "toxicity_courses")
# Rows the store derives from the clinical ones and makes again at will: not written through the change log.
DERIVED_TABLES = ("scheduled_items", *KEPT_TABLES)
_SQLITE_HEADER = b"SQLite format 3\x00"
# How long to wait for another program to finish writing before saying the file is in use.
BUSY_SECONDS = 5.0


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
        "user" TEXT NOT NULL,
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
            "INSERT INTO change_log (at, \"user\", table_name, row_id, action, old_values, new_values, reason)"
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


def _m006_withdrawn_recordings(db) -> None:
    # A recording withdrawn ("not collected after all") stays, marked with when: the item is open
    # again and the change log keeps both the recording and its withdrawal. NULL: it stands.
    db.execute("ALTER TABLE recordings ADD COLUMN withdrawn_at TEXT")


_SCHEMA_007 = (
    # Accounts are deactivated, never deleted; a login and the person it names never change.
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL UNIQUE,
        full_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
        failed_log_ins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    )
    """,
    """
    CREATE TRIGGER accounts_are_never_deleted BEFORE DELETE ON accounts
        BEGIN SELECT RAISE(ABORT, 'accounts are deactivated, never deleted'); END
    """,
    """
    CREATE TRIGGER accounts_are_never_renamed BEFORE UPDATE OF login, full_name, created_at, created_by ON accounts
        BEGIN SELECT RAISE(ABORT, 'an account is never renamed or given to another person'); END
    """,
    # A role held from granted_at until revoked_at: the access review reads it as it is.
    """
    CREATE TABLE role_grants (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        role TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        granted_by TEXT NOT NULL,
        revoked_at TEXT,
        revoked_by TEXT
    )
    """,
    "CREATE UNIQUE INDEX role_grants_held ON role_grants (account_id, role) WHERE revoked_at IS NULL",
    # Command-line sessions: only a hash of the token is kept, so the file does not let anyone in.
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        token_hash TEXT NOT NULL UNIQUE,
        started_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
    )
    """,
    # What happened that is not a change of a record: log-ins, failed log-ins, log-outs, restores.
    """
    CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        login TEXT NOT NULL,
        event TEXT NOT NULL,
        detail TEXT
    )
    """,
    """
    CREATE TRIGGER audit_events_are_append_only_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    """
    CREATE TRIGGER audit_events_are_append_only_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END
    """,
    # The hash chain: each entry carries the previous entry's hash and its own.
    "ALTER TABLE change_log ADD COLUMN previous_hash TEXT",
    "ALTER TABLE change_log ADD COLUMN hash TEXT",
)


def _m007_accounts_and_audit_chain(db) -> None:
    """Accounts, roles, sessions and audit events; the change log's entries so far are linked into
    the hash chain. (An entry written without its link is not refused by a trigger, which would cost
    every write a fifth more: verify names it.)"""
    from .audit import chain_existing

    for statement in _SCHEMA_007:
        db.execute(statement)
    db.execute("DROP TRIGGER change_log_is_append_only_update")  # the links are written once, here
    chain_existing(db)
    db.execute("""
        CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
            BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END
    """)


def _m008_signatures(db) -> None:
    """Electronic signatures, each bound by a hash to the content of the record signed; never changed
    or removed (a record corrected since shows its signature void, and is signed again)."""
    db.execute("""
        CREATE TABLE signatures (
            id INTEGER PRIMARY KEY,
            table_name TEXT NOT NULL CHECK (table_name IN ('assessments', 'fraction_decisions')),
            row_id INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            meaning TEXT NOT NULL CHECK (meaning IN ('performed', 'reviewed', 'go', 'hold')),
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            login TEXT NOT NULL,
            full_name TEXT NOT NULL,
            signed_at TEXT NOT NULL
        )
    """)
    db.execute("CREATE INDEX signatures_by_record ON signatures (table_name, row_id)")
    for action in ("update", "delete"):
        db.execute(f"""
            CREATE TRIGGER signatures_are_append_only_{action} BEFORE {action.upper()} ON signatures
                BEGIN SELECT RAISE(ABORT, 'a signature is never changed or removed'); END
        """)


_SCHEMA_009 = (
    # The values measured on a scheduled item, one row per item; a value is NULL until typed. Numbers in
    # the units of core/results.py, choices as their codes, yes/no as 'yes' or 'no'.
    """
    CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        timepoint TEXT NOT NULL,
        activity TEXT NOT NULL,
        serum_m_g_dl REAL,
        urine_m_mg_24h REAL,
        serum_ife TEXT,
        urine_ife TEXT,
        kappa_mg_l REAL,
        lambda_mg_l REAL,
        igg_g_l REAL,
        marrow_plasma_cells_pct REAL,
        marrow_clonal TEXT,
        clonality_method TEXT,
        plasmacytoma_spd_mm2 REAL,
        new_lesion TEXT,
        mrd_method TEXT,
        mrd_sensitivity TEXT,
        mrd_result TEXT,
        pet_ct TEXT,
        car_copies_per_ug REAL,
        car_cells_per_ul REAL,
        sbcma_ng_ml REAL,
        bcma_pct REAL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (patient_id, timepoint, activity)
    )
    """,
    # The physician's reading of a response assessment: the category the numbers proposed and the one
    # confirmed (the same, or an override with its reason). Signed as confirmed.
    """
    CREATE TABLE response_reviews (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        timepoint TEXT NOT NULL,
        proposed TEXT,
        criterion TEXT NOT NULL,
        category TEXT NOT NULL,
        reason TEXT,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        UNIQUE (patient_id, timepoint)
    )
    """,
    # The first progression (PFS ends there): its date and how it was found.
    """
    CREATE TABLE progressions (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL UNIQUE REFERENCES patients(id),
        progressed_on TEXT NOT NULL,
        found_by TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )
    """,
)


def _m009_results(db) -> None:
    """Results on the items that produce them, the physician's response reviews, progression; a response
    review is signed, so the signatures table takes it (rebuilt: SQLite cannot change a CHECK)."""
    for statement in _SCHEMA_009:
        db.execute(statement)
    db.execute("""
        CREATE TABLE signatures_009 (
            id INTEGER PRIMARY KEY,
            table_name TEXT NOT NULL CHECK (table_name IN ('assessments', 'fraction_decisions', 'response_reviews')),
            row_id INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            meaning TEXT NOT NULL CHECK (meaning IN ('performed', 'reviewed', 'go', 'hold', 'confirmed')),
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            login TEXT NOT NULL,
            full_name TEXT NOT NULL,
            signed_at TEXT NOT NULL
        )
    """)
    columns = "id, table_name, row_id, content_hash, meaning, account_id, login, full_name, signed_at"
    db.execute(f"INSERT INTO signatures_009 ({columns}) SELECT {columns} FROM signatures")
    db.execute("DROP TABLE signatures")  # its triggers go with it, and are made again below
    db.execute("ALTER TABLE signatures_009 RENAME TO signatures")
    if getattr(db, "server", False):  # rows copied with their ids: the server numbers new ones after them
        db.execute("SELECT setval(pg_get_serial_sequence('signatures', 'id'),"
                   " GREATEST((SELECT max(id) FROM signatures), 1))")
    db.execute("CREATE INDEX signatures_by_record ON signatures (table_name, row_id)")
    for action in ("update", "delete"):
        db.execute(f"""
            CREATE TRIGGER signatures_are_append_only_{action} BEFORE {action.upper()} ON signatures
                BEGIN SELECT RAISE(ABORT, 'a signature is never changed or removed'); END
        """)


def _m010_response_readings(db) -> None:
    """Each patient's response course as the endpoints count it (core/results.ResponseReading), kept between
    reads: derived rows, emptied for a patient whenever one of their results or recordings is written and
    made again when next read; `rules` names the response rules that made them (others make them again)."""
    db.execute("""
        CREATE TABLE response_readings (
            patient_id INTEGER PRIMARY KEY REFERENCES patients(id),
            rules TEXT NOT NULL,
            readings TEXT NOT NULL
        )
    """)


def _m011_toxicity_courses(db) -> None:
    """Each patient's toxicity course as the endpoints count it (core/endpoints.ToxicitySummary as JSON), made
    on the day it settled (core/endpoints.settled_on) and kept between reads: derived rows, as
    response_readings."""
    db.execute("""
        CREATE TABLE toxicity_courses (
            patient_id INTEGER PRIMARY KEY REFERENCES patients(id),
            rules TEXT NOT NULL,
            settled_on TEXT NOT NULL,
            course TEXT NOT NULL
        )
    """)


def _m012_unchanged_toxicity_courses(db) -> None:
    """A toxicity course kept for the days it is unchanged (core/endpoints.unchanged_days), from
    `unchanged_from` up to the day before `changes_on` (NULL: every later day), not only once it has settled:
    the courses of the patients infused in the last month are kept too. Derived rows: made again at the next
    read."""
    db.execute("DROP TABLE toxicity_courses")
    db.execute("""
        CREATE TABLE toxicity_courses (
            patient_id INTEGER PRIMARY KEY REFERENCES patients(id),
            rules TEXT NOT NULL,
            unchanged_from TEXT NOT NULL,
            changes_on TEXT,
            course TEXT NOT NULL
        )
    """)


# In order; a name once released is never changed or removed.
MIGRATIONS = (("001_initial", _m001_initial), ("002_toxicity", _m002_toxicity),
              ("003_protocol_in_use", _m003_protocol_in_use), ("004_fraction_gate", _m004_fraction_gate),
              ("005_counts_and_labs", _m005_counts_and_labs), ("006_withdrawn_recordings", _m006_withdrawn_recordings),
              ("007_accounts_and_audit_chain", _m007_accounts_and_audit_chain),
              ("008_signatures", _m008_signatures), ("009_results", _m009_results),
              ("010_response_readings", _m010_response_readings), ("011_toxicity_courses", _m011_toxicity_courses),
              ("012_unchanged_toxicity_courses", _m012_unchanged_toxicity_courses))


def check_file(path: Path) -> bool:
    """Refuse, without writing a byte, a file that is not an ARI Desktop database of this version, or
    that a cheap look shows is damaged (its header, its length, its list of tables, the patients);
    return whether it exists (False: a new database is to be created). The look costs milliseconds
    whatever the size: `check_pages` reads every page, before anything is written."""
    if path.is_dir():
        raise StoreError(_("{path} is a folder, not an ARI Desktop database.").format(path=path))
    if path.exists() and not path.is_file():  # reading a pipe would wait for ever
        raise StoreError(_("{path} is a device, pipe or socket, not an ARI Desktop database.").format(
                             path=path))
    if not path.parent.is_dir():
        raise StoreError(_("The folder {parent} does not exist.").format(parent=path.parent))
    if not path.exists():
        return False
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header:
        raise StoreError(_("{path} is empty (0 bytes), not an ARI Desktop database: if it held records, restore it "
                           "from your last backup copy; if not, delete it to start a new one.").format(
                             path=path))
    if not header.startswith(_SQLITE_HEADER):
        raise StoreError(_("{path} is not an ARI Desktop database (it is not an SQLite file).").format(
                             path=path))
    _check_length(path, header)
    connection = connect_read_only(path)
    try:
        (app_id,) = connection.execute("PRAGMA application_id").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id != APPLICATION_ID:
            if tables:
                raise StoreError(_("{path} is an SQLite database of another application, not ARI Desktop.").format(
                                     path=path))
            return True
        applied = set()
        if "_sqlite_migrations" in tables:
            applied = {row[0] for row in connection.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
        for table in ("sqlite_master", *(t for t in _CHECKED_AT_OPEN if t in tables)):
            _raise_if_damaged(path, connection.execute(f"PRAGMA quick_check({table})").fetchall())
    finally:
        connection.close()
    unknown = applied - {name for name, _ in MIGRATIONS}
    if unknown:
        raise StoreError(
            _("{path} was written by a newer version of ARI Desktop; update ARI Desktop to open it.").format(
                path=path))
    return True


# Small tables whose pages are checked at every open: the patients and the bookkeeping.
_CHECKED_AT_OPEN = ("_sqlite_migrations", "patients", "protocol_in_use")


def _check_length(path: Path, header: bytes) -> None:
    """A file cut short (a copy that stopped, a full disk) is shorter than its header says."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    size = path.stat().st_size
    if len(header) < 100 or page_size < 512 or page_size & (page_size - 1):
        raise damaged(path, "its first page is broken")
    if size % page_size:
        raise damaged(path, "it was cut short in the middle of a page")
    # The page count in the header is current only when it was written with the change counter; pages
    # still in a -wal file are not in the main file yet.
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and pages * page_size > size and _wal_empty(path):
        raise damaged(path, f"it was cut short: {size:,} of its {pages * page_size:,} bytes are there")


def _wal_empty(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return not wal.exists() or wal.stat().st_size == 0


def check_pages(path: Path, connection: sqlite3.Connection) -> None:
    """Read every page (PRAGMA quick_check): before the first write, and before a migration."""
    _raise_if_damaged(path, connection.execute("PRAGMA quick_check").fetchall())


def _raise_if_damaged(path: Path, rows: list) -> None:
    """quick_check's first finding, on one line ("On tree page 262 cell 0: Rowid 34 out of order")."""
    if rows != [("ok",)]:
        findings = [line for line in rows[0][0].splitlines() if line.strip() and not line.startswith("***")]
        raise damaged(path, f"SQLite says: {(findings or ['no detail'])[0]}")


def damaged(path: Path, reason: str) -> StoreError:
    """The one sentence for a damaged file: nothing more is read or written, the backup is the way back."""
    return StoreError(_("{path} is damaged ({reason}), so nothing was read or written: restore it from your last "
                        "backup copy.").format(path=path, reason=reason))


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write. In a folder this program may not write to, no -shm file can be
    made: without a -wal file there is nothing it would be needed for, and the file is read as it lies."""
    uri = path.resolve().as_uri()
    try:
        return _checked(sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_SECONDS, check_same_thread=False))
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise
        if not _wal_empty(path):
            raise StoreError(_("{path} cannot be read here: its last changes are still in {name}-wal, which needs a "
                               "{name}-shm file this folder does not let ARI Desktop make.").format(
                                 path=path, name=path.name)) from None
    return _checked(sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False))


def _checked(connection: sqlite3.Connection) -> sqlite3.Connection:
    """Opening is lazy: read the schema now, so a file that cannot be read fails here."""
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


def pending_migrations(connection: sqlite3.Connection) -> bool:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" not in tables:
        return True
    applied = {row[0] for row in connection.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
    return any(name not in applied for name, _ in MIGRATIONS)


def create(path: Path) -> None:
    """Make a new database: built under a name of its own beside it, then linked to its name, so the
    file never exists half made; when several programs create it at once, the first link is kept and
    the others open that one."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.new")
    try:
        migrate(temporary, new=True)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def migrate(path: Path, new: bool = False) -> None:
    """Bring the file to the current schema with sqlite-utils' Migrations, holding the write lock from
    the check to the last migration: a program that waited finds the work done and does nothing."""
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, function in MIGRATIONS:
        migrations(name=name)(lambda db, function=function: function(db.conn))
    connection = sqlite3.connect(path, timeout=BUSY_SECONDS)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        db = sqlite_utils.Database(connection)
        connection.execute("BEGIN IMMEDIATE")
        if pending_migrations(connection):
            if not new:
                check_pages(path, connection)
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            migrations.apply(db)
        connection.execute("COMMIT")
    finally:
        connection.close()


# -- the same migrations on a PostgreSQL server (team mode) ----------------------------------------
#
# A server database runs MIGRATIONS above, every one from 001, statement by statement through
# `for_server`: one schema and one history for both engines. The historical table rebuild of 004 runs
# as it is (the server has it empty); its fix of old rows finds none to fix.

# What SQLite has built in that the store's queries use, made on the server: json_extract and json_type
# of a JSON text and a '$.key' path (the change log keeps its values as JSON text).
_SERVER_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION json_extract(document TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE
       AS $$ SELECT document::jsonb #>> string_to_array(substr(path, 3), '.') $$""",
    """CREATE OR REPLACE FUNCTION json_type(document TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE
       AS $$ SELECT jsonb_typeof(document::jsonb #> string_to_array(substr(path, 3), '.')) $$""",
    # The history of migrations applied, as sqlite-utils keeps it in the file.
    """CREATE TABLE IF NOT EXISTS _sqlite_migrations (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
       migration_set TEXT, name TEXT, applied_at TEXT, UNIQUE (migration_set, name))""",
)
# The records nothing may change or remove: the application's own role may only add to them (a trigger
# refuses it too, as in the file; TRUNCATE, which no trigger of a row sees, is the privilege's alone).
APPEND_ONLY = ("change_log", "audit_events", "signatures")
_SQLITE_TRIGGER = re.compile(r"CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE)( OF [\w, ]+)? ON (\w+) "
                             r"BEGIN SELECT RAISE\(ABORT, '([^']*)'\); END")


def for_server(statement: str) -> list[str]:
    """A statement of the migrations as the server says it; what differs, each once:"""
    spoken = " ".join(statement.split())
    # A trigger that refuses a change: on the server, a function that raises, and the trigger calling it
    # for each row. The error is an integrity error, as SQLite's RAISE(ABORT).
    trigger = _SQLITE_TRIGGER.fullmatch(spoken)
    if trigger:
        name, event, columns, table, message = trigger.groups()
        return [f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
                f" '{message}' USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {name} BEFORE {event}{columns or ''} ON {table} FOR EACH ROW"
                f" EXECUTE FUNCTION {name}()"]
    # SQLite's trigger names are its database's; the server's are its table's, found from the name.
    dropped = re.fullmatch(r"DROP TRIGGER (\w+)", spoken)
    if dropped:
        name = dropped.group(1)
        return [f"DO $$ BEGIN EXECUTE format('DROP TRIGGER %I ON %s', '{name}', "
                f"(SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = '{name}')); END $$"]
    if spoken.startswith(("CREATE TABLE", "ALTER TABLE")):
        # SQLite's INTEGER is 64 bits and its INTEGER PRIMARY KEY numbers new rows; REAL is a double;
        # TEXT compares byte by byte, as the server's C collation does (the same order of study IDs).
        spoken = spoken.replace("INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
        spoken = re.sub(r"\bINTEGER\b", "BIGINT", spoken)
        spoken = re.sub(r"\bREAL\b", "DOUBLE PRECISION", spoken)
        spoken = re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', spoken)
    return [spoken]


class _ServerMigration:
    """The connection a migration function is given on the server: each statement said the server's way."""

    server = True

    def __init__(self, db):
        self.db = db
        self.in_transaction = True

    def execute(self, sql: str, params=()):
        for statement in for_server(sql):
            cursor = self.db.execute(statement, params)
        return cursor


def server_applied(db) -> set[str] | None:
    """The migrations applied to a server database (None: it is empty, a new one); another application's
    database, or a newer version's, is refused."""
    tables = {row[0] for row in db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
    if not tables:
        return None
    if "_sqlite_migrations" not in tables:
        raise StoreError(_("This server database holds tables of another application, not ARI Desktop."))
    applied = {row[0] for row in db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
    if applied - {name for name, _ in MIGRATIONS}:
        raise StoreError(_("This server database was written by a newer version of ARI Desktop; update ARI Desktop to "
                           "open it."))
    return applied


def server_pending(db) -> bool:
    applied = server_applied(db)
    return applied is None or any(name not in applied for name, _ in MIGRATIONS)


def migrate_server(db) -> None:
    """Bring a server database to the current schema, in one transaction under the write lock (DDL is
    transactional there): a workstation that waited finds the work done and does nothing."""
    with locked(db):
        if server_pending(db):
            for statement in _SERVER_FUNCTIONS:
                db.execute(statement)
            applied = server_applied(db) or set()
            for name, function in MIGRATIONS:
                if name not in applied:
                    function(_ServerMigration(db))
                    db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
                               [MIGRATION_SET, name, datetime.now(UTC).isoformat()])
            db.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY)} FROM PUBLIC, CURRENT_USER")

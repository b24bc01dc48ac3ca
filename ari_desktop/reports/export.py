"""The export for the data manager: every clinical table, the schedule with statuses, each response
assessment with its IMWG proposal and review, the safety fields of each patient and infusion, the
cohort's endpoint table (CRS and ICANS within 30 days of the first infusion) with its as-of date and
denominator, and on request the registry export (reports.registry). One CSV per table, in the format
asked for (reports.formats), and optionally one Excel workbook with a sheet per table and the data
dictionary (reports.dictionary)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from ..core.endpoints import KINDS, InfusionCourse
from ..core.toxicity import TREATMENTS
from ..outputs import prepare_export_folder, write_atomically
from ..store import Store
from . import dictionary
from .formats import DICTIONARY_SHEET, WORKBOOK, Written, csv_format
from .registry import registry_frame, results_as_of

# progress(what is being done, steps done, steps in all): called before each step.
Progress = Callable[[str, int, int], None]


def export(store: Store, folder: Path, as_of: date, csv_for: str = "analysis", workbook: bool = False,
           progress: Progress | None = None, registry: bool = False) -> list[Written]:
    """Write one CSV per table into `folder` (created if needed), and the workbook if asked; with
    `registry`, the registry export too (reports.registry). What was written. The files of an earlier
    export are replaced; the database and any other file are never written over. Every check is made
    before the first file is written."""
    written_as = csv_format(csv_for)
    names = [*store.tables.NAMES, "schedule", "responses", "safety_endpoints", "endpoint_table",
             *(["registry"] if registry else [])]
    files = [f"{name}.csv" for name in names] + ([WORKBOOK] if workbook else [])
    paths = prepare_export_folder(folder, files, store.path)
    steps = len(names) + len(files)
    say = progress or (lambda what, done, total: None)
    frames = {}
    for done, name in enumerate(names):
        say(f"Reading {name}", done, steps)
        frames[name] = _frame(store, name, as_of)
    written = []
    for done, (path, frame) in enumerate(zip(paths[:len(names)], frames.values(), strict=True), start=len(names)):
        say(f"Writing {path.name}", done, steps)
        if written_as.guards_formulas:
            frame = _formulas_as_text(frame)
        write_atomically(path, partial(frame.to_csv, index=False, sep=written_as.separator,
                                       decimal=written_as.decimal, encoding=written_as.encoding), "out")
        written.append(Written(path, len(frame)))
    if workbook:
        say(f"Writing {WORKBOOK}", steps - 1, steps)
        write_atomically(paths[-1], partial(_write_workbook, frames), "out")
        written.append(Written(paths[-1], sum(len(frame) for frame in frames.values())))
    return written


def _frame(store: Store, name: str, as_of: date) -> pd.DataFrame:
    if name == "schedule":
        return schedule_frame(store, as_of)
    if name == "safety_endpoints":
        return safety_endpoints(store, as_of)
    if name == "endpoint_table":
        return endpoint_table(store, as_of)
    if name == "responses":
        return responses_frame(store, as_of)
    if name == "registry":
        return registry_frame(store, as_of)
    columns, rows = store.tables.rows(name)
    return pd.DataFrame(rows, columns=columns)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formulas_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel would run as a formula, written after an apostrophe (numbers untouched)."""
    guarded = frame.copy()
    for column in guarded.columns:
        if pd.api.types.is_numeric_dtype(guarded[column]):
            continue
        guarded[column] = guarded[column].map(
            lambda value: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value)
    return guarded


def _write_workbook(frames: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table, then the data dictionary: every column of every table, what it means, its unit.
    No cell is a formula: a text typed as "=..." stays that text (openpyxl would make it a formula)."""
    terms = pd.DataFrame(dictionary.rows(), columns=["table", "column", "meaning", "unit or type"])
    with path.open("wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        for name, frame in {**frames, DICTIONARY_SHEET: terms}.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            for row in writer.sheets[name].iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"


def schedule_frame(store: Store, as_of: date) -> pd.DataFrame:
    """Every scheduled item of every patient with its status as of a date."""
    return pd.DataFrame([entry.as_json() for patient in store.patients.all()
                         for entry in store.schedules.of(patient.study_id, as_of)])
def responses_frame(store: Store, as_of: date) -> pd.DataFrame:
    """One row per patient and response assessment after screening, as known on `as_of`: what the numbers
    show and confirm (IMWG 2016, core/results.response_course), the physician's review, MRD."""
    rows = []
    for _, patient, _, course in results_as_of(store, as_of):
        for a in course:
            review = a.review
            rows.append({
                "study_id": patient.study_id, "timepoint": a.timepoint, "assessed_on": a.day,
                "day": (a.day - patient.anchors.day0).days if patient.anchors.day0 else None,
                "measured": a.proposal.proposed.category, "criterion": a.proposal.proposed.criterion,
                "confirmed": a.proposal.category, "proposed": a.proposed,
                "reviewed": review.category if review else None, "reviewed_by": review.decided_by if review else None,
                "override": review.override if review else None,
                "review_stale": a.review_stale if review else None,
                "category": a.category, "mrd_negative": a.mrd.negative})
    frame = pd.DataFrame(rows, columns=list(dictionary.COLUMNS["responses"]))
    frame["day"] = frame["day"].astype("Int64")
    for column in ("override", "review_stale", "mrd_negative"):
        frame[column] = frame[column].astype("boolean")
    return frame


def safety_endpoints(store: Store, as_of: date) -> pd.DataFrame:
    """One row per patient and infusion (the first; the booster when dated), as known on `as_of`:
    status (not infused with the reason, not assessed, assessed), CRS and ICANS with onset in the
    window followed to their end, late episodes and events, prolonged cytopenia, treatment totals.
    A field that does not apply (a patient not infused, or not assessed) is empty, never 0."""
    rows = []
    for summary in store.toxicity.summaries(as_of).values():  # in the order of the patients
        for course in (summary.first_infusion, summary.booster):
            if course is not None:
                rows.append(_course_row(summary.study_id, course))
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        if column.endswith(("_day", "_days", "_grade", "_episodes", "_events")):
            frame[column] = frame[column].astype("Int64")
        if column.endswith(("_any", "_ongoing")) or column in ("prolonged_cytopenia", "evaluable"):
            frame[column] = frame[column].astype("boolean")
    return frame


def _course_row(study_id: str, course: InfusionCourse) -> dict:
    row = {"study_id": study_id, "infusion": course.infusion, "anchor_date": course.anchor_date,
           "window_days": course.window_days, "status": course.status,
           "not_infused_reason": course.not_infused.reason if course.not_infused else None,
           "not_infused_detail": course.not_infused.detail if course.not_infused else None,
           "evaluable": (course.not_evaluable is None) if course.infused else None}
    for kind in KINDS:
        window = getattr(course, kind)
        row |= {f"{kind}_any": window.any if window else None,
                f"{kind}_max_grade": window.max_grade if window else None,
                f"{kind}_onset": window.onset if window else None,
                f"{kind}_onset_day": window.onset_day if window else None,
                f"{kind}_resolution": window.resolution if window else None,
                f"{kind}_resolution_day": window.resolution_day if window else None,
                f"{kind}_duration_days": window.duration_days if window else None,
                f"{kind}_ongoing": window.ongoing if window else None,
                f"{kind}_episodes": len(window.episodes) if window else None}
    row["late_episodes"] = len(course.late_episodes) if course.infused else None
    row["late_events"] = len(course.late_events) if course.infused else None
    row["prolonged_cytopenia"] = bool(course.prolonged_cytopenia) if course.infused else None
    treatments = course.treatments.as_json() if course.treatments else {}
    row |= {f"{name.removesuffix('_mg')}_total_mg": treatments.get(name) for name in TREATMENTS}
    return row


def endpoint_table(store: Store, as_of: date) -> pd.DataFrame:
    """The cohort's endpoint table, one row per endpoint, with its as-of date and denominator."""
    safety = store.toxicity.endpoints(as_of)
    rows = []
    for endpoint in (safety.crs, safety.icans):
        rows.append({
            "endpoint": endpoint.code, "as_of": safety.as_of, "infused": len(safety.infused),
            "not_infused": len(safety.not_infused), "evaluable": endpoint.evaluable,
            "patients": len(endpoint.patients), "proportion": endpoint.proportion,
            "grade_3_or_more": len(endpoint.grade_3_or_more),
            **{f"max_grade_{grade}": n for grade, n in enumerate(endpoint.by_max_grade)},
            "patient_ids": " ".join(endpoint.patients)})
    return pd.DataFrame(rows)

"""CSV exports for the data manager: every clinical table, the schedule with statuses, and the
safety endpoint table (CRS and ICANS within 30 days of the first infusion), one row per patient."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from ..store import Store


def export(store: Store, folder: Path, as_of: date) -> list[Path]:
    """Write one CSV per table into `folder` (created if needed); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {table: pd.DataFrame(rows, columns=columns)
              for table in store.EXPORT_TABLES for columns, rows in [store.table_rows(table)]}
    frames["schedule"] = schedule_frame(store, as_of)
    frames["safety_endpoints"] = safety_endpoints(store, as_of)
    written = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    return written


def schedule_frame(store: Store, as_of: date) -> pd.DataFrame:
    """Every scheduled item of every patient with its status as of a date."""
    return pd.DataFrame([entry.as_json() for patient in store.patients()
                         for entry in store.schedule(patient.study_id, as_of)])


def safety_endpoints(store: Store, as_of: date) -> pd.DataFrame:
    """One row per infused patient: the primary safety endpoint and the course of the first infusion.
    `evaluable` says whether the 30 days after the first infusion had passed by `as_of`."""
    window = store.protocol.toxicity_days_after_infusion
    rows = []
    for patient in store.patients():
        first = store.toxicity_summary(patient.study_id)["first_infusion"]
        if first is None:
            continue
        steroids = first.pop("corticosteroids_total_mg")
        rows.append({"study_id": patient.study_id, "day0": patient.anchors.day0,
                     "evaluable": (as_of - patient.anchors.day0).days >= window, **first,
                     "dexamethasone_total_mg": steroids["dexamethasone"],
                     "methylprednisolone_total_mg": steroids["methylprednisolone"]})
    frame = pd.DataFrame(rows)
    for column in ("crs_onset_day", "crs_duration_days", "icans_onset_day", "icans_duration_days"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame

"""A small cohort whose figures can be counted by hand (the figures' and the figure command's tests).

    ARI-001  fraction 1 on TODAY - 400; PR at M1, CR confirmed at M3, M4; CRS grade 2 on D+2; progression on
             D+300; died on D+350. CAR-T 20,000 / 6,000 / 900 copies/µg DNA at M1, M2, M3.
    ARI-002  fraction 1 on TODAY - 200; PR at M1 and M2 (confirmed at M2); CRS grade 1 on D+1; booster given
             on D+120; followed on TODAY. CAR-T 8,000 copies/µg DNA and 40 CAR+ cells/µL at M1.
    ARI-003  fraction 1 on TODAY - 100; no results; off study on D+60.
    ARI-004  day 0 on TODAY + 10: not infused.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from conftest import open_store

from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import BedsideFindings

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 15, 0).astimezone()
DAY0 = {"ARI-001": TODAY - timedelta(days=400), "ARI-002": TODAY - timedelta(days=200),
        "ARI-003": TODAY - timedelta(days=100), "ARI-004": TODAY + timedelta(days=10)}
DOSE = DoseGiven(0.3, 70.0)
SBCMA = {"ARI-001": {"SCR": 180.0, "D0": 150.0, "D+28": 12.0, "D+100": 4.0},
         "ARI-002": {"SCR": 90.0, "D0": 80.0, "D+28": 30.0, "D+100": 8.0}}


def at(study_id: str, day: int, hour: int = 10) -> datetime:
    return datetime.combine(DAY0[study_id] + timedelta(days=day), datetime.min.time().replace(hour=hour)).astimezone()


def result(store, study_id: str, timepoint: str, activity: str, day: int, **values) -> None:
    store.recordings.record(study_id, timepoint, activity, done_at=at(study_id, day))
    store.results.record(study_id, timepoint, activity, values)


def labs(store, study_id: str, timepoint: str, day: int, serum: float, ife: str = "positive") -> None:
    negative = {"marrow_plasma_cells_pct": 1.0, "urine_m_mg_24h": 0.0} if ife == "negative" else {}
    result(store, study_id, timepoint, "response", day, **{"serum_m_g_dl": serum, "urine_m_mg_24h": 20.0,
                                                          "serum_ife": ife, "urine_ife": ife, **negative})


def build(path):
    """The store on `path` holding the cohort above (signed in as conftest's clinician)."""
    store = open_store(path, today=lambda: TODAY, now=lambda: NOW)
    for study_id, day0 in DAY0.items():
        store.patients.add(check_new_patient(study_id, "AB", "F", 1960,
                                             Anchors(day0 - timedelta(days=40), day0), store.protocol, TODAY))
    for study_id in ("ARI-001", "ARI-002", "ARI-003"):
        store.recordings.record(study_id, "D0", "infusion", done_at=at(study_id, 0, 11), dose=DOSE)
    store.assessments.add("ARI-001", at("ARI-001", 2), BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4))
    store.assessments.add("ARI-001", at("ARI-001", 5), BedsideFindings(36.8))
    store.assessments.add("ARI-002", at("ARI-002", 1), BedsideFindings(38.3))
    store.assessments.add("ARI-002", at("ARI-002", 3), BedsideFindings(36.8))
    store.assessments.add("ARI-003", at("ARI-003", 1), BedsideFindings(36.8))

    labs(store, "ARI-001", "SCR", -40, 3.0)
    labs(store, "ARI-001", "M1", 28, 1.2)
    labs(store, "ARI-001", "M2", 60, 0.0, "negative")
    labs(store, "ARI-001", "M3", 100, 0.0, "negative")
    labs(store, "ARI-001", "M4", 120, 0.0, "negative")
    for timepoint, day, copies in (("M1", 28, 20000.0), ("M2", 60, 6000.0), ("M3", 100, 900.0)):
        result(store, "ARI-001", timepoint, "cart_pb", day, car_copies_per_ug=copies)
    labs(store, "ARI-002", "SCR", -40, 2.0)
    labs(store, "ARI-002", "M1", 28, 0.8)
    labs(store, "ARI-002", "M2", 60, 0.7)
    result(store, "ARI-002", "M1", "cart_pb", 28, car_copies_per_ug=8000.0, car_cells_per_ul=40.0)
    for study_id, values in SBCMA.items():
        for timepoint, value in values.items():
            day = -40 if timepoint == "SCR" else int(timepoint.strip("D+") or 0)
            result(store, study_id, timepoint, "sbcma", day, sbcma_ng_ml=value)

    store.results.record_progression("ARI-001", DAY0["ARI-001"] + timedelta(days=300), "biochemical")
    store.patients.update_dates("ARI-001", death=DAY0["ARI-001"] + timedelta(days=350))
    store.patients.update_dates("ARI-002", booster=DAY0["ARI-002"] + timedelta(days=120))
    store.recordings.record("ARI-002", "B0", "infusion", done_at=at("ARI-002", 120, 11), dose=DOSE)
    store.patients.update_dates("ARI-003", off_study=DAY0["ARI-003"] + timedelta(days=60),
                                off_study_reason="withdrew consent")
    return store

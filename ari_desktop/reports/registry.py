"""The registry export: one row per patient and infusion (fraction 1's course, the booster's) with the
fields EBMT's Cellular Therapy MED-A Day-100 form and CIBMTR form 4100 ask (CLINICAL.md section 8).

Pure reading of what was recorded, as known on the as-of date: CRS and ICANS are the toxicity summary's
(core/endpoints.py, onset within the infusion's window, followed to their end), the best response is
the course of IMWG assessments (core/results.response_course: the physician's reviewed category, else
the confirmed one). What belongs to an infusion: from its day to the day before the next infusion. A
field with nothing recorded is empty, never a claim; a course not infused has no row. The column
meanings, each naming the form's field, are in reports/dictionary.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from ..core.dates import from_utc_text
from ..core.efficacy import best_response
from ..core.endpoints import InfusionCourse
from ..core.patients import Patient
from ..core.results import AssessedResponse, Result, course_on
from ..core.toxicity import ToxicityEvent
from ..store import Store

YES, NO = "yes", "no"
ALIVE, DEAD = "alive", "dead"


def registry_frame(store: Store, as_of: date) -> pd.DataFrame:
    """One row per patient and infusion given by `as_of`, in the order of the patients."""
    progressions, events = store.results.progressions(), store.events.by_patient()
    summaries = store.toxicity.summaries(as_of)
    last_seen = _last_contact(store, as_of)
    rows = []
    for patient_id, patient, known, course in results_as_of(store, as_of):
        progression = progressions.get(patient_id)
        anchors = patient.anchors
        dead = anchors.death is not None and anchors.death <= as_of
        death = next((e for e in events.get(patient.study_id, []) if e.kind == "death"), None) if dead else None
        summary = summaries[patient_id]
        for infusion in (summary.first_infusion, summary.booster):
            if infusion is None or not infusion.infused:
                continue
            until = anchors.booster if infusion.infusion == "first" and anchors.booster else None

            def within(day: date, start: date = infusion.anchor_date, until: date | None = until) -> bool:
                return start <= day <= as_of and (until is None or day < until)

            progressed = progression is not None and within(progression.progressed_on)
            rows.append({
                "study_id": patient.study_id, "infusion": infusion.infusion, "infusion_date": infusion.anchor_date,
                **_toxicity(infusion),
                **_best_response([a for a in course if within(a.day)]),
                "progression": YES if progressed else NO,
                "progression_date": progression.progressed_on if progressed else None,
                "progression_found_by": progression.found_by if progressed else None,
                **_persistence([r for r in known if r.activity == "cart_pb" and within(r.day)]),
                **_infections([e for e in events.get(patient.study_id, []) if e.kind == "infection"
                               and within(e.onset)]),
                "survival_status": DEAD if dead else ALIVE,
                "last_contact_date": anchors.death if dead else last_seen.get(patient_id),
                "death_date": anchors.death if dead else None,
                "death_cause": death.subtype if death else None,
            })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("crs_max_grade", "icans_max_grade", "infections", "infection_max_grade"):
        frame[column] = frame[column].astype("Int64")
    return frame


def results_as_of(store: Store, as_of: date) -> list[tuple[int, Patient, list[Result], list[AssessedResponse]]]:
    """Every patient with their results taken by `as_of` and the response course they make, reviews made
    by then included: (row id, patient, results, course). Read once for the cohort."""
    results, reviews = store.results.by_patient(), store.results.reviews_by_patient()
    out = []
    for patient_id, patient in store.patients.with_ids():
        done = results.get(patient_id, [])
        out.append((patient_id, patient, [r for r in done if r.day <= as_of],
                    course_on(done, reviews.get(patient_id, []), as_of)))
    return out


COLUMNS = ("study_id", "infusion", "infusion_date",
           "crs", "crs_max_grade", "crs_onset_date", "crs_resolution_date",
           "icans", "icans_max_grade", "icans_onset_date", "icans_resolution_date",
           "tocilizumab", "tocilizumab_total_mg", "corticosteroids", "dexamethasone_total_mg",
           "methylprednisolone_total_mg",
           "best_response", "best_response_date", "progression", "progression_date", "progression_found_by",
           "car_t_detectable", "car_t_last_date", "car_t_copies_per_ug", "car_t_cells_per_ul",
           "infections", "infection_max_grade", "infection_first_onset",
           "survival_status", "last_contact_date", "death_date", "death_cause")


def _toxicity(infusion: InfusionCourse) -> dict:
    """CRS and ICANS with onset in the window and their treatment, from the toxicity summary; empty when
    the infusion was not assessed in its window (nobody graded it)."""
    row = {}
    for kind in ("crs", "icans"):
        window = getattr(infusion, kind)
        row |= {kind: (YES if window.any else NO) if window else None,
                f"{kind}_max_grade": window.max_grade if window else None,
                f"{kind}_onset_date": window.onset if window else None,
                f"{kind}_resolution_date": window.resolution if window else None}
    given = infusion.treatments
    steroids = given and given.dexamethasone_mg + given.methylprednisolone_mg
    return row | {"tocilizumab": (YES if given.tocilizumab_mg else NO) if given else None,
                  "tocilizumab_total_mg": given.tocilizumab_mg if given else None,
                  "corticosteroids": (YES if steroids else NO) if given else None,
                  "dexamethasone_total_mg": given.dexamethasone_mg if given else None,
                  "methylprednisolone_total_mg": given.methylprednisolone_mg if given else None}


def _best_response(assessed: list[AssessedResponse]) -> dict:
    """The best category of the assessments, and the first day it was (core/efficacy.best_response)."""
    best = best_response(a.counted for a in assessed)
    return {"best_response": best.category if best else None, "best_response_date": best.day if best else None}


def _persistence(samples: list[Result]) -> dict:
    """The last CAR-T measurement: detectable when either value is above 0."""
    measured = [r for r in samples if r.get("car_copies_per_ug") is not None or r.get("car_cells_per_ul") is not None]
    if not measured:
        return {"car_t_detectable": None, "car_t_last_date": None, "car_t_copies_per_ug": None,
                "car_t_cells_per_ul": None}
    last = measured[-1]
    copies, cells = last.get("car_copies_per_ug"), last.get("car_cells_per_ul")
    return {"car_t_detectable": YES if (copies or 0) > 0 or (cells or 0) > 0 else NO, "car_t_last_date": last.day,
            "car_t_copies_per_ug": copies, "car_t_cells_per_ul": cells}


def _infections(infections: list[ToxicityEvent]) -> dict:
    return {"infections": len(infections),
            "infection_max_grade": max((e.grade for e in infections), default=None),
            "infection_first_onset": min((e.onset for e in infections), default=None)}


def _last_contact(store: Store, as_of: date) -> dict[int, date]:
    """By row id of the patient: the last day by `as_of` that something was done with them (an item
    recorded done: a visit, a sample, a bedside assessment), or the day they went off study if later."""
    last: dict[int, date] = defaultdict(lambda: date.min)
    names, rows = store.tables.rows("recordings")
    patient, done_at, withdrawn = (names.index(n) for n in ("patient_id", "done_at", "withdrawn_at"))
    for row in rows:
        if row[done_at] is not None and row[withdrawn] is None:
            day = from_utc_text(row[done_at]).astimezone().date()
            if day <= as_of:
                last[row[patient]] = max(last[row[patient]], day)
    for patient_id, patient in store.patients.with_ids():
        off = patient.anchors.off_study
        if off is not None and off <= as_of:
            last[patient_id] = max(last[patient_id], off)
    return dict(last)

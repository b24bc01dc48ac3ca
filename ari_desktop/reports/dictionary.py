"""The data dictionary: what every column of every exported table means, and its unit or type.

The one place these meanings are written: the export's "Data dictionary" sheet is this table, the
change history names fields and shows values with it, and a test fails when an exported column
has no entry. Pure data, no pandas: the window reads it without loading the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import results
from ..core.endpoints import KINDS
from ..core.response import CATEGORIES
from ..core.toxicity import TREATMENTS

# The types, as the sheet says them. Times are stored in UTC; dates and times are ISO 8601 text.
TEXT = "text"
CODE = "code"
WHOLE = "whole number"
DECIMAL = "decimal number"
YES_NO = "yes/no (1/0, or True/False)"
DATE = "date, YYYY-MM-DD"
MOMENT = "date and time, ISO 8601 with its UTC offset"
JSON = "JSON object"


TYPES = (TEXT, CODE, WHOLE, DECIMAL, YES_NO, DATE, MOMENT, JSON)


@dataclass(frozen=True)
class Column:
    meaning: str
    kind: str  # one of TYPES, or the unit of a number ("°C", "mg", "×10⁹/L")
    label: str = ""  # the field in a sentence, when its column name does not read well ("temperature")

    @property
    def unit(self) -> str | None:
        return None if self.kind in TYPES else self.kind


_ROW_ID = {"id": Column("Row number of this record in its table (the change log's row_id).", WHOLE)}
_OWNED = {
    "study_id": Column("Trial number of the patient (e.g. ARI-014).", TEXT),
    **_ROW_ID,
    "patient_id": Column("Row number of the patient in the patients table.", WHOLE),
}
_RECORDED = {
    "recorded_by": Column("Who entered the record (the name stamped at the time).", TEXT),
    "recorded_at": Column("When the record was entered.", MOMENT),
}
_DOSE = {
    "dose_million_cells_per_kg": Column("Infusion given: the dose given.", "×10⁶ CAR+ cells/kg", "dose"),
    "weight_kg": Column("Infusion given: the patient's weight.", "kg", "weight"),
}


def _course(kind: str) -> dict[str, Column]:
    """The fields of CRS or ICANS over the episodes with onset in an infusion's window."""
    name = kind.upper()
    return {
        f"{kind}_any": Column(f"{name} of grade 1 or more with onset in the window; empty when not assessed.", YES_NO),
        f"{kind}_max_grade": Column(f"Highest {name} grade (ASTCT) of those episodes, followed to their end; "
                                    "0 = assessed, none.", WHOLE),
        f"{kind}_onset": Column(f"Onset of the first {name} episode in the window.", DATE),
        f"{kind}_onset_day": Column(f"Onset of the first {name} episode, days after the infusion.", WHOLE),
        f"{kind}_resolution": Column("First later assessment with grade 0 (the episode's end).", DATE),
        f"{kind}_resolution_day": Column(f"Resolution of the {name} episode, days after the infusion.", WHOLE),
        f"{kind}_duration_days": Column(f"Onset to the last graded day of the {name} episode, both included.",
                                        "days"),
        f"{kind}_ongoing": Column(f"The {name} episode has no grade 0 after it yet.", YES_NO),
        f"{kind}_episodes": Column(f"Number of {name} episodes with onset in the window.", WHOLE),
    }


def _result(field: results.ResultField) -> Column:
    """A result's column, from the one table of result fields (core/results.py)."""
    activity = results.ACTIVITY_OF[field.name]
    if field.kind == results.NUMBER:
        return Column(f"{field.english_title} ({activity} result).", field.unit, field.label)
    allowed = "yes or no" if field.kind == results.YES_NO else ", ".join(field.choices)
    return Column(f"{field.english_title} ({activity} result): {allowed}.", CODE, field.label)


MED_A, FORM_4100 = "EBMT MED-A Cellular Therapy Day 100", "CIBMTR form 4100"


def _registry_columns() -> dict[str, Column]:
    """The registry export's columns, each naming the field of the two forms it fills."""
    def both(what: str, kind: str, med_a: str, cibmtr: str) -> Column:
        return Column(f"{what} — {MED_A}: {med_a}; {FORM_4100}: {cibmtr}.", kind)

    columns = {
        "study_id": Column("Trial number of the patient (the unit's own patient code on both forms).", TEXT),
        "infusion": Column("first (fraction 1, day 0) or booster: the infusion the row reports.", CODE),
        "infusion_date": both("Day of the infusion", DATE, "date of cell infusion", "date of product infusion"),
    }
    for kind, name in (("crs", "CRS"), ("icans", "ICANS")):
        scale = "cytokine release syndrome" if kind == "crs" else "neurotoxicity (ICANS)"
        columns |= {
            kind: both(f"{name} with onset in the infusion's window (30 days; 14 after a booster); empty: not "
                       "assessed", YES_NO, f"{scale}, yes/no", f"{scale} after the infusion"),
            f"{kind}_max_grade": both(f"Highest {name} grade (ASTCT 2019) of those episodes, followed to their end",
                                      WHOLE, f"{name} maximum grade, ASTCT", f"{name} maximum grade (ASTCT)"),
            f"{kind}_onset_date": both(f"Onset of the first such {name} episode", DATE, f"{name} date of onset",
                                       f"{name} onset date"),
            f"{kind}_resolution_date": both("The grade-0 assessment that ended the last one; empty while ongoing",
                                            DATE, f"{name} date of resolution", f"{name} resolution date"),
        }
    columns |= {
        "tocilizumab": both("Tocilizumab given for those episodes or in the window", YES_NO,
                            "treatment of CRS/ICANS: tocilizumab", "tocilizumab given"),
        "tocilizumab_total_mg": Column("Tocilizumab given in all (the treatment totals of the safety endpoints).",
                                       "mg"),
        "corticosteroids": both("Dexamethasone or methylprednisolone given for those episodes or in the window",
                                YES_NO, "treatment of CRS/ICANS: corticosteroids", "corticosteroids given"),
        "dexamethasone_total_mg": Column("Dexamethasone given in all.", "mg"),
        "methylprednisolone_total_mg": Column("Methylprednisolone given in all.", "mg"),
        "best_response": both(f"Best IMWG category of the response assessments after the infusion (reviewed, else "
                              f"confirmed; {', '.join(CATEGORIES)}; PD only when nothing better)", CODE,
                              "best response", "best response to the cellular therapy"),
        "best_response_date": both("First assessment with that category", DATE, "date best response first "
                                   "observed", "date of best response"),
        "progression": both("Progression recorded after the infusion", YES_NO, "disease progression or relapse",
                            "disease relapse or progression"),
        "progression_date": both("Date of the first progression", DATE, "date of progression",
                                 "date of relapse or progression"),
        "progression_found_by": both(f"How it was found: {', '.join(results.PROGRESSION_FOUND_BY)}", CODE,
                                     "method of detection", "how relapse or progression was detected"),
        "car_t_detectable": both("CAR-T cells detectable in blood at the last measurement (a value above 0)",
                                 YES_NO, "CAR-T persistence, detectable", "persistence of the product, detected"),
        "car_t_last_date": both("Day of the last CAR-T measurement in blood", DATE, "date of last persistence "
                                "assessment", "date of persistence assessment"),
        "car_t_copies_per_ug": both("CAR transgene at the last measurement (qPCR)", "copies/µg DNA",
                                    "persistence by molecular assay", "persistence: copies per µg DNA"),
        "car_t_cells_per_ul": both("CAR+ T cells at the last measurement (flow cytometry)", "cells/µL",
                                   "persistence by flow cytometry", "persistence: CAR+ cells per µL"),
        "infections": both("Infections (toxicity events) with onset after the infusion", WHOLE,
                           "infections, yes/no and number", "infections since the infusion"),
        "infection_max_grade": both("Highest grade of those infections (CTCAE v5.0)", WHOLE,
                                    "infection severity", "infection severity"),
        "infection_first_onset": both("Onset of the first of them", DATE, "date of infection",
                                      "date of infection onset"),
        "survival_status": both("alive or dead on the as-of date", CODE, "survival status", "survival status"),
        "last_contact_date": both("Date of death, else the last day something was recorded done for the patient "
                                  "(or the off-study day, if later)", DATE, "date of last contact or death",
                                  "date of last contact"),
        "death_date": both("Date of death", DATE, "date of death", "date of death"),
        "death_cause": both("Cause of death, the subtype of the death toxicity event (progression, crs, icans, "
                            "infection, iec_hs, other); empty when not recorded", CODE, "main cause of death",
                            "primary cause of death"),
    }
    return columns


COLUMNS: dict[str, dict[str, Column]] = {
    "patients": {
        **_ROW_ID,
        "study_id": Column("Trial number of the patient (e.g. ARI-014).", TEXT, "study ID"),
        "initials": Column("Initials, 2 to 4 letters; no names are stored.", TEXT),
        "sex": Column("F or M.", CODE),
        "birth_year": Column("Year of birth.", WHOLE),
        "extramedullary": Column("Extramedullary disease (PET-CT scans are scheduled).", YES_NO),
        "protocol": Column("Code of the protocol the patient follows (ARI0002h).", CODE),
        "screening_date": Column("Day of the screening visit.", DATE),
        "day0_date": Column("Day 0: first aliquot of the first infusion.", DATE, "day 0"),
        "booster_date": Column("B0: the booster infusion.", DATE),
        "off_study_date": Column("Day the patient went off study.", DATE),
        "off_study_reason": Column("Why the patient went off study.", TEXT),
        "death_date": Column("Date of death.", DATE),
    },
    "recordings": {
        **_OWNED,
        "timepoint": Column("Timepoint code of the protocol (SCR, D0, D+7, M3...).", CODE),
        "activity": Column("Activity code of the protocol (sbcma, cbc, infusion...).", CODE),
        "outcome": Column("done or not_done.", CODE),
        "done_at": Column("When it was done (empty when not done).", MOMENT),
        "reason": Column("Why it was not done.", TEXT),
        "withdrawn_at": Column("When the recording was taken back as not done after all (empty while it stands; "
                               "the change log says who and why).", MOMENT),
        **_RECORDED,
        **_DOSE,
    },
    "assessments": {
        **_OWNED,
        "at": Column("When the patient was assessed at the bedside.", MOMENT),
        "assessor": Column("Who assessed the patient.", TEXT),
        "temperature_c": Column("Temperature.", "°C", "temperature"),
        "fever_masked": Column("Fever masked by an antipyretic, tocilizumab or a corticosteroid after CRS onset.",
                               YES_NO),
        "hypotension": Column("Hypotension.", YES_NO),
        "vasopressors": Column("Number of vasopressors, not counting vasopressin.", WHOLE),
        "vasopressin": Column("Vasopressin given.", YES_NO),
        "oxygen": Column("Oxygen device (none, nasal-cannula, high-flow-nasal-cannula, facemask...).", CODE),
        "flow_l_min": Column("Oxygen flow.", "L/min", "oxygen flow"),
        "ice": Column("ICE score, 0 to 10; empty when it could not be assessed.", WHOLE, "ICE score"),
        "ice_items": Column("The ICE items scored, when given one by one.", TEXT, "ICE items"),
        "consciousness": Column("Level of consciousness (alert, awakens-to-voice...).", CODE),
        "seizure": Column("Seizure (none, resolved-rapidly, prolonged).", CODE),
        "motor_weakness": Column("Deep focal motor weakness.", YES_NO),
        "edema": Column("Cerebral oedema on imaging (none, focal, diffuse).", CODE),
        "crs_grade": Column("CRS grade (ASTCT 2019), computed from the findings.", WHOLE, "CRS grade"),
        "crs_reason": Column("Why the CRS grade is what it is.", TEXT, "CRS grade because"),
        "icans_grade": Column("ICANS grade (ASTCT 2019), computed from the findings.", WHOLE, "ICANS grade"),
        "icans_reason": Column("Why the ICANS grade is what it is.", TEXT, "ICANS grade because"),
        "tocilizumab_mg": Column("Tocilizumab given since the last assessment.", "mg", "tocilizumab"),
        "dexamethasone_mg": Column("Dexamethasone given since the last assessment.", "mg", "dexamethasone"),
        "methylprednisolone_mg": Column("Methylprednisolone given since the last assessment.", "mg",
                                        "methylprednisolone"),
        "anakinra_mg": Column("Anakinra given since the last assessment.", "mg", "anakinra"),
        "notes": Column("Notes typed with the assessment.", TEXT),
        **_RECORDED,
    },
    "fraction_decisions": {
        **_OWNED,
        "timepoint": Column("The fraction decided: its timepoint (D+3, D+7).", CODE),
        "decision": Column("go or hold.", CODE),
        "reason": Column("Why, as typed (empty when none was typed).", TEXT),
        "decided_by": Column("The physician who decided.", TEXT),
        "decided_at": Column("When it was decided.", MOMENT),
        "crs_grade_seen": Column("CRS grade of the assessment the physician saw.", WHOLE, "CRS grade seen"),
        "icans_grade_seen": Column("ICANS grade of the assessment the physician saw.", WHOLE, "ICANS grade seen"),
        "assessment_seen": Column("Row number (assessments table) of the assessment seen.", WHOLE),
        "assessment_age_minutes": Column("Age of that assessment at the decision.", "minutes",
                                         "age of the assessment seen"),
        "override": Column("A go despite CRS or ICANS in the last 24 hours, with a reason.", YES_NO),
    },
    "toxicity_events": {
        **_OWNED,
        "kind": Column("tls, neutropenia, thrombocytopenia, anaemia, infection, iec_hs, hypogammaglobulinaemia, "
                       "delayed_neurotoxicity or death.", CODE),
        "grade": Column("Grade (CTCAE v5.0; ASTCT for IEC-HS), 1 to 5.", WHOLE),
        "grade_reason": Column("Why the grade is what it is.", TEXT),
        "onset_date": Column("Onset of the event.", DATE),
        "resolution_date": Column("Resolution of the event (empty while ongoing).", DATE),
        "notes": Column("Notes typed with the event.", TEXT),
        "recorded_by": _RECORDED["recorded_by"],
        "subtype": Column("Delayed neurotoxicity's presentation, or a death's cause.", CODE),
    },
    "blood_counts": {
        **_OWNED,
        "measured_at": Column("When the blood was drawn.", MOMENT),
        "neutrophils": Column("Absolute neutrophil count.", "×10⁹/L"),
        "platelets": Column("Platelet count.", "×10⁹/L"),
        "haemoglobin": Column("Haemoglobin.", "g/dL"),
        **_RECORDED,
    },
    "tls_labs": {
        **_OWNED,
        "measured_at": Column("When the blood was drawn.", MOMENT),
        "uric_acid_umol_l": Column("Uric acid.", "µmol/L", "uric acid"),
        "potassium_mmol_l": Column("Potassium.", "mmol/L", "potassium"),
        "phosphate_mmol_l": Column("Phosphate.", "mmol/L", "phosphate"),
        "calcium_mmol_l": Column("Calcium.", "mmol/L", "calcium"),
        "creatinine_x_uln": Column("Creatinine as a multiple of the upper limit of normal.", "× ULN", "creatinine"),
        "arrhythmia": Column("Cardiac arrhythmia (clinical TLS).", YES_NO),
        "seizure": Column("Seizure (clinical TLS).", YES_NO),
        "baseline": Column("The baseline lab set the changes are measured from.", YES_NO),
        **_RECORDED,
    },
    "results": {
        **_OWNED,
        "timepoint": Column("Timepoint code of the item that produced the result.", CODE),
        "activity": Column("Activity code of that item (response, mrd_bm, pet_ct, cart_pb, sbcma, bcma_bm).", CODE),
        **{name: _result(field) for name, field in results.FIELDS.items()},
        **_RECORDED,
    },
    "response_reviews": {
        **_OWNED,
        "timepoint": Column("Timepoint of the response assessment reviewed.", CODE),
        "proposed": Column(f"The IMWG category the numbers proposed ({', '.join(CATEGORIES)}); empty: none.", CODE),
        "criterion": Column("The criterion that decided the proposal, in words.", TEXT),
        "category": Column("The category the physician confirmed, or chose instead (an override).", CODE),
        "reason": Column("Why the physician chose another category than the proposal.", TEXT),
        "decided_by": Column("The physician who reviewed it.", TEXT),
        "decided_at": Column("When it was reviewed.", MOMENT),
    },
    "progressions": {
        **_OWNED,
        "progressed_on": Column("Date of the first progression.", DATE),
        "found_by": Column(f"How it was found: {', '.join(results.PROGRESSION_FOUND_BY)}.", CODE),
        **_RECORDED,
    },
    "responses": {
        "study_id": Column("Trial number of the patient.", TEXT),
        "timepoint": Column("Timepoint of the response assessment (M1, M2, M3...).", CODE),
        "assessed_on": Column("Day the response labs were taken.", DATE),
        "day": Column("Days after day 0.", "days"),
        "measured": Column(f"The IMWG 2016 category this assessment's numbers show against screening and the nadir "
                           f"({', '.join(CATEGORIES)}); empty when they allow none.", CODE),
        "criterion": Column("The criterion that decided it, or what is missing, in words.", TEXT),
        "confirmed": Column("The category confirmed over this and the previous assessment (marrow and SD need no "
                            "confirmation); empty: nothing confirmed yet.", CODE),
        "proposed": Column("What the physician is asked to confirm: the confirmed category, else the measured one.",
                           CODE),
        "reviewed": Column("The physician's category (response_reviews); empty: not reviewed yet.", CODE),
        "reviewed_by": Column("The physician who reviewed it.", TEXT),
        "override": Column("The physician chose another category than the proposal, with a reason.", YES_NO),
        "review_stale": Column("The results were corrected after the review: the numbers now propose something "
                               "else.", YES_NO),
        "category": Column("The assessment's category: the reviewed one, else the confirmed one.", CODE),
        "mrd_negative": Column("Marrow MRD negative at 10⁻⁵ or deeper at this timepoint (IMWG 2016).", YES_NO),
    },
    "registry": _registry_columns(),
    "change_log": {
        **_ROW_ID,
        "at": Column("When the change was written.", MOMENT),
        "user": Column("Who wrote it.", TEXT),
        "table_name": Column("The table changed.", CODE),
        "row_id": Column("Row number (id) of the record changed in that table.", WHOLE),
        "action": Column("insert (a new record) or update (a correction).", CODE),
        "old_values": Column("The columns changed, with their values before (empty for an insert).", JSON),
        "new_values": Column("The columns written, with their new values.", JSON),
        "reason": Column("Why, as typed (registered, a correction's reason...).", TEXT),
        "previous_hash": Column("The hash of the entry before, linking the audit trail into a chain "
                                "(`ari-desktop audit verify`).", TEXT),
        "hash": Column("SHA-256 of this entry's fields and the previous hash.", TEXT),
    },
    "schedule": {
        "study_id": Column("Trial number of the patient.", TEXT),
        "timepoint": Column("Timepoint code (SCR, D0, D+7, M3...).", CODE),
        "timepoint_label": Column("Timepoint as the protocol names it.", TEXT),
        "activity": Column("Activity code (sbcma, cbc, infusion...).", CODE),
        "kind": Column("sample, assessment, visit or infusion.", CODE),
        "label": Column("The activity as the protocol names it.", TEXT),
        "day": Column("Day counted from its anchor (screening, day 0 or the booster).", WHOLE),
        "target_date": Column("The day it is due.", DATE),
        "window_start": Column("First day of its window.", DATE),
        "window_end": Column("Last day of its window.", DATE),
        "status": Column("planned, due, overdue, missed, done, not_done or cancelled, as of the export's date.",
                         CODE),
        "done_at": Column("When it was done.", MOMENT),
        "done_in_window": Column("Done within its window.", YES_NO),
        "not_done_reason": Column("Why it was not done.", TEXT),
        **_DOSE,
        "cancelled_reason": Column("Why it no longer applies (off study, death, a correction).", TEXT),
    },
    "safety_endpoints": {
        "study_id": Column("Trial number of the patient.", TEXT),
        "infusion": Column("first (day 0) or booster.", CODE),
        "anchor_date": Column("Day 0, or B0 for the booster.", DATE),
        "window_days": Column("Length of the window after the infusion (30, or 14 after a booster).", "days"),
        "status": Column("not_infused, not_assessed or assessed.", CODE),
        "not_infused_reason": Column("Why not infused: died_before_infusion, off_study_before_infusion, "
                                     "infusion_not_given, no_day0, infusion_planned or infusion_not_recorded.", CODE),
        "not_infused_detail": Column("The facts behind that reason.", TEXT),
        "evaluable": Column("Assessed in the window and followed to its end (or death, or leaving the study); "
                            "empty when not infused.", YES_NO),
        **{name: column for kind in KINDS for name, column in _course(kind).items()},
        "late_episodes": Column("CRS or ICANS episodes with onset after the window.", WHOLE),
        "late_events": Column("Toxicity events with onset after the window.", WHOLE),
        "prolonged_cytopenia": Column("Grade 3 or more neutropenia or thrombocytopenia unresolved past D+30.", YES_NO),
        **{f"{name.removesuffix('_mg')}_total_mg": Column(
            f"{name.removesuffix('_mg').capitalize()} given over the window and its episodes to their end.", "mg")
           for name in TREATMENTS},
    },
    "endpoint_table": {
        "endpoint": Column("crs_within_30_days or icans_within_30_days.", CODE),
        "as_of": Column("What was known on this date.", DATE),
        "infused": Column("Denominator: patients with fraction 1 recorded given.", WHOLE),
        "not_infused": Column("Patients not infused, listed apart.", WHOLE),
        "evaluable": Column("Infused patients evaluable for the endpoint.", WHOLE),
        "patients": Column("Patients with the event within 30 days.", WHOLE),
        "proportion": Column("patients / evaluable (empty when none is evaluable).", DECIMAL),
        "grade_3_or_more": Column("Patients whose maximum grade is 3 or more.", WHOLE),
        **{f"max_grade_{grade}": Column(f"Patients whose maximum grade is {grade}.", WHOLE) for grade in range(6)},
        "patient_ids": Column("Study IDs of the patients with the event, separated by spaces.", TEXT),
    },
}


def column(table: str, name: str) -> Column | None:
    return COLUMNS.get(table, {}).get(name)


def rows() -> list[tuple[str, str, str, str]]:
    """(table, column, meaning, unit or type) of every column: the export's "Data dictionary" sheet."""
    return [(table, name, column.meaning, column.kind) for table, columns in COLUMNS.items()
            for name, column in columns.items()]

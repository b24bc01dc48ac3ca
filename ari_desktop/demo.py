"""A synthetic cohort at every stage of the trial, so the app has something real to show.

No real person is in it: study IDs are DEMO-0001..., initials and dates are drawn at random. A new
database also gets one demo account per role, all with DEMO_PASSWORD, which the README prints.
"""

from __future__ import annotations

import math
import random
import string
from datetime import date, datetime, time, timedelta

from .core.errors import ClinicalInputError
from .core.gate import DoseGiven, fraction_timepoints
from .core.patients import Anchors, check_new_patient
from .core.results import ACTIVITY_FIELDS, BASELINE_TIMEPOINT
from .core.roles import ADMIN, DATA_MANAGER, MONITOR, NURSE, PHYSICIAN
from .core.schedule import build
from .core.toxicity import BedsideFindings, Treatments
from .store import Store

# Stages in turn, so that any 25 consecutive patients cover every stage in these proportions.
STAGES = (("screening", 2), ("first 30 days", 3), ("follow-up", 12), ("booster", 3), ("off study", 3), ("died", 2))
_STAGE_CYCLE = [stage for stage, count in STAGES for _ in range(count)]
DONE_SHARE, NOT_DONE_SHARE = 0.93, 0.03  # of items whose window has closed; the rest are missed
NOT_DONE_REASONS = ("Patient declined", "Sample haemolysed", "Patient too unwell", "Missed at the ward")
# The dose given of each aliquot, x10^6 CAR+ cells/kg: 10 %, 30 % and 60 % of 3 x10^6/kg, and the booster.
DOSES = {"D0": 0.3, "D+3": 0.9, "D+7": 1.8, "B0": 3.0}
# For trying the program only: a published password is no protection, so these go only into a database
# with neither a patient nor an account, never beside real records.
DEMO_PASSWORD = "demo-password"
ACCOUNTS = (("admin", "Alba Demo", ADMIN), ("nurse", "Nora Demo", NURSE), ("physician", "Pau Demo", PHYSICIAN),
            ("datamanager", "Dani Demo", DATA_MANAGER), ("monitor", "Mona Demo", MONITOR))


def add_accounts(store: Store) -> list[str]:
    """One demo account per role in a database with no patient and no account yet; the logins added.

    The administrator comes first and adds the others, as in a real unit: it chose its own password and
    signs in with it at once; the others were given theirs and change it at their first log-in."""
    if store.accounts.exist() or store.patients.any():
        return []
    (admin, name, role), *others = ACCOUNTS
    store.accounts.add(admin, name, [role], DEMO_PASSWORD)
    store.accounts.sign_in(admin, DEMO_PASSWORD)
    for login, name, role in others:
        store.accounts.add(login, name, [role], DEMO_PASSWORD)
    return [login for login, _, _ in ACCOUNTS]


def fill(store: Store, patients: int, seed: int = 1, today: date | None = None) -> int:
    """Add `patients` synthetic patients, with what would have been recorded so far, each act by the demo
    account whose role does it: the data manager registers, the nurse records samples and infusions, the
    physician assesses and decides go or hold."""
    staff = _Staff(store)
    rng = random.Random(seed)
    today = today or store.today()
    first = len(store.patients.all()) + 1
    with store.transaction():
        for number in range(first, first + patients):
            anchors = _anchors(rng, _STAGE_CYCLE[number % len(_STAGE_CYCLE)], today)
            patient = check_new_patient(
                f"DEMO-{number:04d}", "".join(rng.choices(string.ascii_uppercase, k=2)), rng.choice("FM"),
                rng.randint(1945, 1990), anchors, store.protocol, today)
            staff.act(DATA_MANAGER)
            store.patients.add(patient)
            done = _record_history(store, staff, rng, patient.study_id, anchors, today)
            if ("D0", "infusion") in done:
                # A generator of its own, so the results leave the rest of the cohort as it was.
                _Course(random.Random(f"{seed}:{patient.study_id}"), store.protocol, anchors, done, today
                        ).record(store, staff, patient.study_id)
    return patients


class _Staff:
    """The demo's clinical accounts, signed in once (their password is the demo's), acted as in turn."""

    def __init__(self, store: Store):
        self.store = store
        demo_accounts = {(login, name) for login, name, _ in ACCOUNTS}
        if not {(a.login, a.full_name) for a in store.accounts.all()} <= demo_accounts:  # a unit's own accounts
            raise ClinicalInputError(f"The demo cohort goes only into a new database or a demo one; {store.path} "
                                     "has accounts of its own.", "db")
        self.accounts = {}
        for login, _, role in ACCOUNTS:
            if role in (NURSE, PHYSICIAN, DATA_MANAGER):
                try:
                    self.accounts[role] = store.accounts.authenticate(login, DEMO_PASSWORD)
                except ClinicalInputError:
                    raise ClinicalInputError(f"The demo account {login} no longer has the demo password, so the "
                                             "demo cannot write as it.", "db") from None

    def act(self, role: str) -> None:
        self.store.accounts.act_as(self.accounts[role])


def _anchors(rng: random.Random, stage: str, today: date) -> Anchors:
    def days_ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    extramedullary = rng.random() < 0.2
    if stage == "screening":
        return Anchors(days_ago(0, 20), extramedullary=extramedullary)
    if stage == "first 30 days":
        day0 = days_ago(0, 30)
    elif stage == "booster":
        day0 = days_ago(110, 400)
    else:
        day0 = days_ago(31, 1000)
    screening = day0 - timedelta(days=rng.randint(35, 60))
    # A booster stage patient is in the booster's monitoring days (B0 to B+14), no earlier than D+100.
    booster = today - timedelta(days=rng.randint(0, min(14, (today - day0).days - 100))) if stage == "booster" else None
    off_study = reason = death = None
    if stage == "off study":
        off_study = day0 + timedelta(days=rng.randint(20, (today - day0).days))
        reason = rng.choice(("Progressive disease", "Consent withdrawn", "Started other therapy"))
    if stage == "died":
        death = day0 + timedelta(days=rng.randint(15, (today - day0).days))
    return Anchors(screening, day0, booster, off_study, reason, death, extramedullary)


def _at(day: date, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, rng.randint(0, 59))).astimezone()


def _record_history(store: Store, staff: _Staff, rng: random.Random, study_id: str, anchors: Anchors,
                    today: date) -> dict[tuple[str, str], datetime]:
    """Assessments, go/hold decisions and the items recorded so far; the items done, with when."""
    course = _crs_course(rng)
    staff.act(PHYSICIAN)
    assessed = _assess_daily(store, rng, study_id, anchors.day0, store.protocol.toxicity_days_after_infusion,
                             anchors, today, course)
    assessed |= _assess_daily(store, rng, study_id, anchors.booster, store.protocol.toxicity_days_after_booster,
                              anchors, today, {})
    weight = round(rng.uniform(48.0, 105.0), 1)
    recordings, doses = [], {}
    given: dict[str, datetime] = {}
    for item in build(store.protocol, anchors):
        if item.cancelled_reason or item.target_date >= today:
            continue
        if item.activity == "tox" and item.target_date in assessed:
            continue
        if item.activity == "infusion":
            # Every aliquot of the first infusion and the booster is given; fractions 2 and 3 after a go.
            if item.timepoint in store.protocol.go_decision_before:
                when = _decide(store, rng, study_id, item.timepoint, item.target_date, today, given,
                               lambda day: course.get((day - anchors.day0).days, (0, 0)) if day in assessed
                               else (0, 0))
            else:
                when = _at(item.target_date, 11, rng)
            if when is not None:
                given[item.timepoint] = when
                recordings.append((item.timepoint, item.activity, when, None))
                doses[(item.timepoint, item.activity)] = DoseGiven(DOSES.get(item.timepoint, 1.0), weight)
            continue
        closed = item.window_end < today
        roll = rng.random()
        if not closed and roll > 0.5:
            continue
        # Fraction 1 and the booster were given to every demo patient who reached their day; screening's
        # response labs are always done (measurable disease is what makes a patient eligible).
        if roll < DONE_SHARE or not closed or item.activity == "infusion" or \
                (item.timepoint, item.activity) == (BASELINE_TIMEPOINT, "response"):
            recordings.append((item.timepoint, item.activity, _at(item.target_date, 8 + rng.randint(0, 8), rng), None))
        elif roll < DONE_SHARE + NOT_DONE_SHARE:
            recordings.append((item.timepoint, item.activity, None, rng.choice(NOT_DONE_REASONS)))
    staff.act(NURSE)
    store.recordings.record_many(study_id, recordings, doses=doses)
    return {(timepoint, activity): when for timepoint, activity, when, _ in recordings if when is not None}


def _decide(store: Store, rng: random.Random, study_id: str, timepoint: str, planned: date, today: date,
            given: dict[str, datetime], grades_on) -> datetime | None:
    """The physician checks the patient at 09:00 and the aliquot is given at 11:00. Held while CRS or
    ICANS is grade 2 or more, or the aliquot before was given less than a day earlier; a go against
    grade 1 toxicity is an override with the physician's reason. The time given, if it was."""
    order = fraction_timepoints(store.protocol)
    before = given.get(order[order.index(timepoint) - 1])
    for delay in range(store.protocol.held_fraction_max_delay_days + 1):
        day = planned + timedelta(days=delay)
        if day >= today or before is None:
            return None
        decided_at = _at(day, 9, rng)
        crs, icans = grades_on(day)
        if max(crs, icans) >= 2:
            reason = f"CRS grade {crs}, ICANS grade {icans} this morning"
        elif (decided_at - before).total_seconds() < 26 * 3600:
            reason = "Fraction before given less than a day ago"
        else:
            seen = store.fractions.seen(study_id, decided_at)
            reason = f"Grade 1 only ({seen.active[0]}), stable: benefit outweighs the risk" if seen.active else ""
            store.fractions.decide(study_id, timepoint, "go", reason, decided_at=decided_at)
            return decided_at + timedelta(hours=2)
        store.fractions.decide(study_id, timepoint, "hold", reason, decided_at=decided_at)
    return None


def _crs_course(rng: random.Random) -> dict[int, tuple[int, int]]:
    """Day -> (CRS grade, ICANS grade): most patients have CRS in the first week, almost all of grade 1-2;
    ICANS is rare (CLINICAL.md section 7)."""
    course: dict[int, tuple[int, int]] = {}
    if rng.random() < 0.85:
        onset, length = rng.randint(1, 7), rng.randint(2, 6)
        peak = rng.choices((1, 2, 3), weights=(62, 33, 5))[0]
        for day in range(onset, onset + length):
            course[day] = (peak if day < onset + length - 1 else 1, 0)
        if rng.random() < 0.05:
            for day in range(onset + 2, onset + 4):
                course[day] = (course.get(day, (1, 0))[0], rng.randint(1, 2))
    return course


def _findings(crs: int, icans: int, rng: random.Random) -> BedsideFindings:
    temperature = round(rng.uniform(38.1, 39.6), 1) if crs else round(rng.uniform(36.2, 37.6), 1)
    oxygen, flow, hypotension, pressors = "none", None, False, 0
    if crs == 2:
        oxygen, flow = "nasal-cannula", float(rng.randint(2, 5))
    if crs == 3:
        hypotension, pressors = True, 1
    ice = {0: 10, 1: rng.randint(7, 9), 2: rng.randint(3, 6)}[icans]
    return BedsideFindings(temperature, oxygen=oxygen, flow_l_min=flow, hypotension=hypotension,
                           vasopressors=pressors, ice=ice)


def _assess_daily(store: Store, rng: random.Random, study_id: str, start: date | None, days: int, anchors: Anchors,
                  today: date, course: dict[int, tuple[int, int]]) -> set[date]:
    """A bedside assessment each morning of the monitoring after an infusion on `start` (D0 to D+30,
    or B0 to B+14), up to today or the end of follow-up; the days assessed. A CRS/ICANS item is
    done only with its findings, so every one the demo marks done has them."""
    assessed: set[date] = set()
    if start is None:
        return assessed
    end = anchors.end[0] if anchors.end else today
    for day in range(days + 1):
        when = start + timedelta(days=day)
        if when >= min(today, end):
            break
        crs, icans = course.get(day, (0, 0))
        treatments = Treatments(tocilizumab_mg=560.0 if crs >= 2 else 0.0, dexamethasone_mg=10.0 if icans else 0.0)
        store.assessments.add(study_id, _at(when, 7, rng), _findings(crs, icans, rng), treatments)
        assessed.add(when)
    return assessed


# -- results ---------------------------------------------------------------------------------------
# Orders of magnitude of the published cohort (CLINICAL.md section 7): nearly every patient responds,
# about half reach CR or better, progression-free survival has a median of about 17 months.
BEST_RESPONSES = {"sCR": 30, "CR": 45, "VGPR": 13, "PR": 10, "SD": 2}
# The depth shown at each response assessment on the way to the best one: one step per assessment.
_ON_THE_WAY = {"sCR": ("PR", "VGPR", "sCR"), "CR": ("PR", "VGPR", "CR"), "VGPR": ("PR", "VGPR"), "PR": ("PR",),
               "SD": ("SD",)}
# The share of the screening tumour left at each depth (serum M-protein, FLC difference, plasmacytomas).
_LEFT = {"SD": (0.8, 0.95), "PR": (0.2, 0.45), "VGPR": (0.02, 0.08), "CR": (0.0, 0.0), "sCR": (0.0, 0.0)}
# Soluble BCMA falls to this after the infusion (ng/mL), by depth of response.
_SBCMA_FLOOR = {"sCR": (3, 8), "CR": (3, 8), "VGPR": (8, 20), "PR": (20, 50), "SD": (60, 120)}
# Progression of the patients followed on: hardly any before D+60, then a median of 500 days more;
# deaths and off-study progressions add to it.
PROGRESSION_FREE_DAYS, PROGRESSION_MEDIAN_DAYS = 60, 500
# The blood counts typed for the cbc items done: at screening, at the nadir after lymphodepletion, and as the
# marrow recovers to D+100. About a quarter of patients stay grade >= 3 cytopenic past D+28 (prolonged cytopenia).
COUNT_TIMEPOINTS = ("SCR", "D+7", "D+14", "D+28", "M2", "D+100")
PROLONGED_CYTOPENIA_SHARE = 0.25

# The few reviews where the physician records another category than the numbers propose, and why.
OVERRIDES = {"CR": ("VGPR", "Faint band on the laboratory's second reading of the immunofixation"),
             "VGPR": ("PR", "Urine collection incomplete: not a full 24 hours")}
MARROW_ACTIVITIES = ("mrd_bm", "bcma_bm")  # a marrow aspirate was taken at that visit


class _Course:
    """One infused demo patient's myeloma: the results and blood counts of each item recorded done, the physician's
    reviews, infections, the progression and the cause of death, coherent with one another.

    CAR-T persistence is sampled where the protocol schedules it, from M1 (D+28): expansion peaks
    around D+10-14, before the first sample, so the first value is already past the peak."""

    def __init__(self, rng: random.Random, protocol, anchors: Anchors, done: dict[tuple[str, str], datetime],
                 today: date):
        self.rng, self.anchors, self.today = rng, anchors, today
        self.done = sorted(((when, timepoint, activity) for (timepoint, activity), when in done.items()
                            if activity in ACTIVITY_FIELDS), key=lambda d: (d[0], d[1], d[2]))
        self.assessed_on = [when.date() for when, timepoint, activity in self.done
                            if activity == "response" and timepoint != BASELINE_TIMEPOINT]
        self.scheduled = sorted(item.target_date for item in build(protocol, anchors)
                                if item.activity == "response" and item.anchor == "day0")
        self.marrow_on = [when.date() for when, _, activity in self.done if activity in MARROW_ACTIVITIES]
        # The disease at screening: serum M-protein (IgG or IgA), or light chain only (followed by FLC).
        self.light_chain = rng.random() < 0.25
        self.igg = not self.light_chain and rng.random() < 0.6
        self.kappa = rng.random() < 0.65
        self.serum0 = 0.0 if self.light_chain else round(rng.uniform(1.2, 4.5), 2)
        self.urine0 = float(rng.randint(0, 150))
        self.uninvolved0, self.uninvolved_after = rng.uniform(3, 9), rng.uniform(10, 16)
        self.difference0 = rng.uniform(300, 3000) if self.light_chain else rng.uniform(60, 600)
        self.marrow0 = rng.uniform(20, 70)
        self.spd0 = rng.uniform(300, 2500) if anchors.extramedullary else None
        self.igg_polyclonal = rng.uniform(2, 6), rng.uniform(1.5, 4)  # at screening, after the infusion
        self.sbcma0 = rng.lognormvariate(math.log(150), 0.6)
        self.bcma0 = rng.uniform(60, 100)
        self.best = rng.choices(tuple(BEST_RESPONSES), weights=tuple(BEST_RESPONSES.values()))[0]
        self.left = {depth: rng.uniform(*band) for depth, band in _LEFT.items()}
        self.sbcma_floor = rng.uniform(*_SBCMA_FLOOR[self.best])
        self.delay = rng.choice((-1, 0, 0, 1))  # a faster or slower response: each depth an assessment apart
        self.mrd_negative = {"sCR": rng.random() < 0.8, "VGPR": rng.random() < 0.35}
        self.mrd_negative["CR"] = self.mrd_negative["sCR"]
        self.bcma_escape = rng.random() < 0.1  # BCMA-negative relapse
        # CAR transgene in blood: a peak, then a fast fall and a slow tail that may go undetectable.
        self.peak_day, self.peak = rng.randint(10, 14), (rng.lognormvariate(math.log(3e4), 0.8),
                                                        rng.lognormvariate(math.log(150), 0.7))
        self.half_lives, self.tail = (rng.uniform(15, 35), rng.uniform(90, 300)), rng.uniform(0.0, 0.08)
        self.progressed_on, self.found_by = self._progression()
        self.nadir = {"serum": self.serum0, "difference": self.difference0, "spd": self.spd0}
        self.counted = sorted((when, timepoint) for (timepoint, activity), when in done.items()
                              if activity == "cbc" and timepoint in COUNT_TIMEPOINTS)
        self.prolonged_cytopenia = rng.random() < PROLONGED_CYTOPENIA_SHARE
        self.low_platelets = self.prolonged_cytopenia and rng.random() < 0.5

    def _progression(self) -> tuple[date | None, str]:
        """The date progression was found, and how: at the first response labs after it began, else
        clinically. Patients who left the study for progression progressed; most who died, before."""
        a, rng = self.anchors, self.rng
        end = min(a.end[0] if a.end else self.today, self.today)
        if a.off_study_reason == "Progressive disease":
            began = a.off_study - timedelta(days=rng.randint(0, 10))
        elif a.death and rng.random() < 0.7:
            began = a.day0 + timedelta(days=round((a.death - a.day0).days * rng.uniform(0.3, 0.9)))
        else:
            began = a.day0 + timedelta(days=PROGRESSION_FREE_DAYS
                                       + round(rng.expovariate(math.log(2) / PROGRESSION_MEDIAN_DAYS)))
            if began >= end:
                return None, ""
        began = min(max(began, a.day0), end)
        found = next((day for day in self.assessed_on if day >= began), None)
        return (found, "biochemical") if found else (began, "clinical")

    # -- what each item measured -----------------------------------------------------------------

    def _depth(self, day: date) -> str:
        """The response the numbers show on `day`: one step further at each scheduled assessment."""
        steps = _ON_THE_WAY[self.best]
        index = sum(1 for d in self.scheduled if d <= day) - 1 - self.delay
        return steps[min(max(index, 0), len(steps) - 1)]

    def _progressed(self, day: date) -> int | None:
        """How many response assessments since progression was found (0 at it), None before."""
        if self.progressed_on is None or day < self.progressed_on:
            return None
        return sum(1 for d in self.assessed_on if self.progressed_on <= d < day)

    def _left(self, depth: str) -> float:
        low, high = _LEFT[depth]
        return min(max(self.left[depth] * self.rng.uniform(0.95, 1.05), low), high)

    def response(self, day: date, marrow: bool) -> dict:
        rng, screening = self.rng, day < self.anchors.day0
        since = None if screening else self._progressed(day)
        depth = None if screening or since is not None else self._depth(day)
        complete = depth in ("CR", "sCR")
        uninvolved = self.uninvolved0 if screening else self.uninvolved_after * rng.uniform(0.9, 1.1)
        if screening:
            serum, urine, difference, spd = self.serum0, self.urine0, self.difference0, self.spd0
        elif since is not None:  # rising from the nadir: IMWG's progression, by enough to be unmistakable
            serum = self.nadir["serum"] + max(0.6, 0.4 * self.nadir["serum"]) + 0.3 * since if self.serum0 else 0.0
            difference = (self.nadir["difference"] + max(150.0, 0.4 * self.nadir["difference"]) + 100 * since
                          if self.light_chain else self.difference0 * 0.5)
            urine, spd = self.urine0 * 0.5, None if self.spd0 is None else max(self.nadir["spd"] * 1.6,
                                                                               self.nadir["spd"] + 300)
        else:
            left = self._left(depth)
            serum, urine, difference = self.serum0 * left, self.urine0 * left, self.difference0 * left
            spd = None if self.spd0 is None else self.spd0 * left
        involved = uninvolved * rng.uniform(0.75, 1.3) if complete else uninvolved + difference
        values = {"serum_m_g_dl": round(serum, 2), "urine_m_mg_24h": round(urine),
                  "serum_ife": "negative" if complete else "positive",
                  "urine_ife": "negative" if complete or (depth == "VGPR" and rng.random() < 0.5)
                  or (not self.light_chain and round(urine) == 0) else "positive",
                  "kappa_mg_l": round(involved if self.kappa else uninvolved, 1),
                  "lambda_mg_l": round(uninvolved if self.kappa else involved, 1)}
        values["igg_g_l"] = round((values["serum_m_g_dl"] * 10 if self.igg else 0)
                                  + self.igg_polyclonal[0 if screening else 1] * rng.uniform(0.9, 1.1), 1)
        if spd is not None:
            values["plasmacytoma_spd_mm2"] = round(spd)
        if marrow:
            plasma_cells = (self.marrow0 if screening else rng.uniform(10, 30) if since is not None
                            else rng.uniform(0.2, 2.5) if complete else rng.uniform(1, 4) if depth == "VGPR"
                            else max(self.marrow0 * self._left(depth), 2.0))
            values |= {"marrow_plasma_cells_pct": round(plasma_cells, 1),
                       "marrow_clonal": "no" if depth == "sCR" else "yes", "clonality_method": "flow cytometry"}
        # Progression is measured from the lowest values so far, as IMWG reads them.
        ratio_free = max((values["kappa_mg_l"] - values["lambda_mg_l"]) * (1 if self.kappa else -1), 0.0)
        self.nadir = {"serum": min(self.nadir["serum"], values["serum_m_g_dl"]),
                      "difference": min(self.nadir["difference"], ratio_free),
                      "spd": None if spd is None else min(self.nadir["spd"], values["plasmacytoma_spd_mm2"])}
        return values

    def mrd(self, day: date) -> dict:
        negative = self._progressed(day) is None and self.mrd_negative.get(self._depth(day), False)
        return {"mrd_method": "next-generation flow", "mrd_sensitivity": "1e-5",
                "mrd_result": "negative" if negative else "positive"}

    def pet_ct(self, day: date) -> dict:
        if self._progressed(day) is not None:
            return {"pet_ct": "progressive"}
        return {"pet_ct": {"sCR": "complete", "CR": "complete", "SD": "stable"}.get(self._depth(day), "partial")}

    def car_t(self, day: date) -> dict:
        after_peak = (day - self.anchors.day0).days - self.peak_day
        (fast, slow), level = self.half_lives, []
        for peak, detected in zip(self.peak, (5.0, 0.5), strict=True):  # copies/µg DNA, cells/µL
            value = peak * ((1 - self.tail) * 0.5 ** (after_peak / fast) + self.tail * 0.5 ** (after_peak / slow))
            level.append(value if value >= detected else 0.0)
        return {"car_copies_per_ug": round(level[0]), "car_cells_per_ul": round(level[1], 1)}

    def sbcma(self, day: date, timepoint: str) -> dict:
        days = (day - self.anchors.day0).days
        if days <= 0:  # screening, and day 0 before the infusion
            return {"sbcma_ng_ml": round(self.sbcma0 * (1 if timepoint == BASELINE_TIMEPOINT
                                                        else self.rng.uniform(0.85, 1.0)), 1)}
        floor = min(self.sbcma_floor, self.sbcma0 * 0.6)
        value = floor + (self.sbcma0 - floor) * math.exp(-days / 6)
        if self.progressed_on is not None and day > self.progressed_on - timedelta(days=30):
            value += (self.sbcma0 - floor) * min(1.0, (day - self.progressed_on).days / 150 + 0.2)
        return {"sbcma_ng_ml": round(value * self.rng.uniform(0.9, 1.1), 1)}

    def bcma(self, day: date) -> dict:
        if day < self.anchors.day0:
            return {"bcma_pct": round(self.bcma0, 1)}
        escaped = self.bcma_escape and self._progressed(day) is not None
        return {"bcma_pct": round(self.rng.uniform(0, 8) if escaped else self.bcma0 * self.rng.uniform(0.6, 1.0), 1)}

    def _values(self, timepoint: str, activity: str, day: date) -> dict | None:
        if activity == "response":
            return self.response(day, any(abs((day - m).days) <= 7 for m in self.marrow_on))
        if activity == "pet_ct":  # the screening scan is the baseline: there is no response to read on it
            return None if timepoint == BASELINE_TIMEPOINT else self.pet_ct(day)
        if activity == "sbcma":
            return self.sbcma(day, timepoint)
        return {"mrd_bm": self.mrd, "cart_pb": self.car_t, "bcma_bm": self.bcma}[activity](day)

    def blood_count(self, timepoint: str) -> dict[str, float]:
        """Neutrophils and platelets x10^9/L, haemoglobin g/dL: normal at screening but for a myeloma's
        anaemia, grade 3-4 neutropenia at the nadir, normal again by D+28 unless the cytopenia is prolonged
        (then by M2 or D+100)."""
        u, still_low = self.rng.uniform, self.prolonged_cytopenia
        neutrophils, platelets, haemoglobin = {
            "SCR": (u(2.2, 5.5), u(160, 320), u(9.5, 13.5)),
            "D+7": (u(0.05, 0.9), u(60, 140), u(8.5, 11.5)),
            "D+14": (u(0.5, 1.8), u(90, 170), u(9.0, 12.0)),
            "D+28": (u(0.3, 0.95) if still_low else u(2.0, 4.5), u(15, 45) if self.low_platelets else u(150, 300),
                     u(10.0, 13.0)),
            "M2": (u(1.0, 1.9) if still_low and self.rng.random() < 0.5 else u(2.0, 4.5),
                   u(60, 140) if self.low_platelets else u(150, 300), u(11.0, 14.5)),
            "D+100": (u(2.0, 5.0), u(150, 320), u(12.0, 15.0)),
        }[timepoint]
        return {"neutrophils": round(neutrophils, 2), "platelets": float(round(platelets)),
                "haemoglobin": round(haemoglobin, 1)}

    # -- writing it -------------------------------------------------------------------------------

    def record(self, store: Store, staff: _Staff, study_id: str) -> None:
        """The data manager types the laboratory's results; the physician reviews each response, records
        infections, the progression and the cause of death."""
        staff.act(DATA_MANAGER)
        for when, timepoint, activity in self.done:
            values = self._values(timepoint, activity, when.date())
            if values:
                store.results.record(study_id, timepoint, activity, values)
        for when, timepoint in self.counted:
            store.counts.add(study_id, when, **self.blood_count(timepoint))
        staff.act(PHYSICIAN)
        assessments = store.results.responses(study_id)
        reviews = []
        for number, assessed in enumerate(assessments, start=1):
            if assessed.proposed is None or (number == len(assessments) and self.rng.random() < 0.5):
                continue  # the latest one often waits for the physician
            roll = self.rng.random()
            if roll < 0.05:
                continue
            if roll < 0.10 and assessed.proposed in OVERRIDES:
                reviews.append((assessed.timepoint, *OVERRIDES[assessed.proposed]))
            else:
                reviews.append((assessed.timepoint, assessed.proposed, None))
        store.results.review_many(study_id, reviews)
        if self.progressed_on is not None:
            store.results.record_progression(study_id, self.progressed_on, self.found_by)
        self._infections(store, study_id)
        death = self.anchors.death
        if death is not None and death <= self.today:
            if self.progressed_on is not None and self.progressed_on <= death:
                store.events.add(study_id, "death", death, subtype="progression")
            elif self.rng.random() < 0.7:
                store.events.add(study_id, "infection", death - timedelta(days=self.rng.randint(2, 8)), grade=4,
                                 notes="Pneumonia, septic shock")
                store.events.add(study_id, "death", death, subtype="infection")
            else:
                store.events.add(study_id, "death", death, subtype="other", notes="Sudden cardiac death")

    def _infections(self, store: Store, study_id: str) -> None:
        """About a third of patients have an infection in the first 100 days, fewer later."""
        end = min(self.anchors.end[0] if self.anchors.end else self.today, self.today)
        for chance, first, last in ((0.35, 5, 90), (0.2, 100, 540)):
            if self.rng.random() >= chance:
                continue
            onset = self.anchors.day0 + timedelta(days=self.rng.randint(first, last))
            if onset >= end - timedelta(days=10):
                continue
            resolution = onset + timedelta(days=self.rng.randint(4, 21))
            store.events.add(study_id, "infection", onset, grade=self.rng.choices((1, 2, 3), weights=(25, 50, 25))[0],
                             resolution=resolution if resolution < end else None,
                             notes=self.rng.choice(("Upper respiratory tract infection", "Pneumonia",
                                                    "Urinary tract infection", "CMV reactivation",
                                                    "Febrile neutropenia, no source found")))

"""A synthetic cohort at every stage of the trial, so the app has something real to show.

No real person is in it: study IDs are DEMO-0001..., initials and dates are drawn at random. A new
database also gets one demo account per role, all with DEMO_PASSWORD, which the README prints.
"""

from __future__ import annotations

import random
import string
from datetime import date, datetime, time, timedelta

from .core.errors import ClinicalInputError
from .core.gate import DoseGiven, fraction_timepoints
from .core.patients import Anchors, check_new_patient
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
            _record_history(store, staff, rng, patient.study_id, anchors, today)
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
                    today: date) -> None:
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
        # Fraction 1 and the booster were given to every demo patient who reached their day.
        if roll < DONE_SHARE or not closed or item.activity == "infusion":
            recordings.append((item.timepoint, item.activity, _at(item.target_date, 8 + rng.randint(0, 8), rng), None))
        elif roll < DONE_SHARE + NOT_DONE_SHARE:
            recordings.append((item.timepoint, item.activity, None, rng.choice(NOT_DONE_REASONS)))
    staff.act(NURSE)
    store.recordings.record_many(study_id, recordings, doses=doses)


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
    """Day -> (CRS grade, ICANS grade): most patients have low-grade CRS in the first week."""
    course: dict[int, tuple[int, int]] = {}
    if rng.random() < 0.85:
        onset, length = rng.randint(1, 7), rng.randint(2, 6)
        peak = rng.choices((1, 2, 3), weights=(60, 32, 8))[0]
        for day in range(onset, onset + length):
            course[day] = (peak if day < onset + length - 1 else 1, 0)
        if rng.random() < 0.15:
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

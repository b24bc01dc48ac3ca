"""A synthetic cohort at every stage of the trial, so the app has something real to show.

No real person is in it: study IDs are DEMO-0001..., initials and dates are drawn at random.
"""

from __future__ import annotations

import random
import string
from datetime import date, datetime, time, timedelta

from .patients import Anchors, check_new_patient
from .schedule import build
from .store import Store

# Stages in turn, so that any 25 consecutive patients cover every stage in these proportions.
STAGES = (("screening", 2), ("first 30 days", 3), ("follow-up", 12), ("booster", 3), ("off study", 3), ("died", 2))
_STAGE_CYCLE = [stage for stage, count in STAGES for _ in range(count)]
DONE_SHARE, NOT_DONE_SHARE = 0.93, 0.03  # of items whose window has closed; the rest are missed
NOT_DONE_REASONS = ("Patient declined", "Sample haemolysed", "Patient too unwell", "Missed at the ward")


def fill(store: Store, patients: int, seed: int = 1, today: date | None = None) -> int:
    """Add `patients` synthetic patients, with what would have been recorded so far."""
    rng = random.Random(seed)
    today = today or store.today()
    first = len(store.patients()) + 1
    with store.transaction():
        for number in range(first, first + patients):
            anchors = _anchors(rng, _STAGE_CYCLE[number % len(_STAGE_CYCLE)], today)
            patient = check_new_patient(
                f"DEMO-{number:04d}", "".join(rng.choices(string.ascii_uppercase, k=2)), rng.choice("FM"),
                rng.randint(1945, 1990), anchors, store.protocol, today)
            store.add_patient(patient)
            _record_history(store, rng, patient.study_id, anchors, today)
    return patients


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
    booster = day0 + timedelta(days=rng.randint(100, (today - day0).days)) if stage == "booster" else None
    off_study = reason = death = None
    if stage == "off study":
        off_study = day0 + timedelta(days=rng.randint(20, (today - day0).days))
        reason = rng.choice(("Progressive disease", "Consent withdrawn", "Started other therapy"))
    if stage == "died":
        death = day0 + timedelta(days=rng.randint(15, (today - day0).days))
    return Anchors(screening, day0, booster, off_study, reason, death, extramedullary)


def _record_history(store: Store, rng: random.Random, study_id: str, anchors: Anchors, today: date) -> None:
    recordings = []
    for item in build(store.protocol, anchors):
        if item.cancelled_reason or item.target_date >= today:
            continue
        closed = item.window_end < today
        roll = rng.random()
        if not closed and roll > 0.5:
            continue
        if roll < DONE_SHARE or not closed:
            moment = datetime.combine(item.target_date, time(8, rng.randint(0, 59))) + timedelta(
                hours=rng.randint(0, 8))
            recordings.append((item.timepoint, item.activity, moment.astimezone(), None))
        elif roll < DONE_SHARE + NOT_DONE_SHARE:
            recordings.append((item.timepoint, item.activity, None, rng.choice(NOT_DONE_REASONS)))
    store.record_many(study_id, recordings)

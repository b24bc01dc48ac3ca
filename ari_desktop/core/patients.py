"""What a patient is in the trial, and the checks on what is typed about one.

Validation lives here, in the domain core, so the command line and the window refuse the same
input with the same sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import ClinicalInputError
from .protocol import Protocol, day_code

SEXES = ("F", "M")
STUDY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,31}")
_INITIALS = re.compile(r"[A-Za-z]{2,4}")


@dataclass(frozen=True)
class Anchors:
    """The dates a patient's schedule is counted from, and the dates that end it."""

    screening: date
    day0: date | None = None
    booster: date | None = None
    off_study: date | None = None
    off_study_reason: str | None = None
    death: date | None = None
    extramedullary: bool = False

    def study_day(self, day: date) -> str:
        """The day in the clinic's words: B+3 after a booster, D+17 after day 0, else 'before day 0'."""
        if self.booster is not None and day >= self.booster:
            return day_code("booster", (day - self.booster).days)
        if self.day0 is not None:
            return day_code("day0", (day - self.day0).days)
        return "before day 0"

    @property
    def end(self) -> tuple[date, str] | None:
        """The date after which nothing more is done, with the reason."""
        ends = []
        if self.off_study:
            ends.append((self.off_study, f"off study on {self.off_study}: {self.off_study_reason}"))
        if self.death:
            ends.append((self.death, f"died on {self.death}"))
        return min(ends) if ends else None


@dataclass(frozen=True)
class Patient:
    study_id: str
    initials: str
    sex: str
    birth_year: int
    anchors: Anchors

    def stage(self, today: date, protocol: Protocol) -> str:
        """Where the patient is: screening, infusion (the daily toxicity monitoring after day 0: D0 to
        D+30), booster (its own monitoring, B0 to B+14), follow-up, off study, died."""
        a = self.anchors
        if a.death and a.death <= today:
            return "died"
        if a.off_study and a.off_study <= today:
            return "off study"
        if a.day0 is None or today < a.day0:
            return "screening"
        if a.booster and 0 <= (today - a.booster).days <= protocol.toxicity_days_after_booster:
            return "booster"
        return "infusion" if (today - a.day0).days <= protocol.toxicity_days_after_infusion else "follow-up"


def check_study_id(study_id: str) -> str:
    study_id = study_id.strip()
    if not STUDY_ID.fullmatch(study_id):
        raise ClinicalInputError(
            f"The study ID '{study_id}' must be 1 to 32 letters, digits, '-' or '_'.", "study_id")
    return study_id


def check_new_patient(study_id: str, initials: str, sex: str, birth_year: int,
                      anchors: Anchors, protocol: Protocol, today: date) -> Patient:
    """A patient as typed at registration, or the sentence that says what is wrong."""
    study_id = check_study_id(study_id)
    if not _INITIALS.fullmatch(initials.strip()):
        raise ClinicalInputError(f"The initials '{initials}' must be 2 to 4 letters.", "initials")
    sex = sex.strip().upper()
    if sex not in SEXES:
        raise ClinicalInputError(f"Sex must be F or M, not '{sex}'.", "sex")
    if birth_year > today.year:
        raise ClinicalInputError(f"The birth year {birth_year} is in the future.", "birth_year")
    if birth_year < 1900:
        raise ClinicalInputError(f"The birth year {birth_year} is before 1900.", "birth_year")
    if anchors.screening.year < birth_year:
        raise ClinicalInputError(
            f"The screening date {anchors.screening} is before the birth year {birth_year}.", "screening")
    check_anchors(anchors, protocol, today)
    return Patient(study_id, initials.strip().upper(), sex, birth_year, anchors)


# A clock a few minutes fast on a ward PC is not a time in the future.
CLOCK_SLACK = timedelta(minutes=5)


def check_moment(patient: Patient, moment: datetime, what: str, now: datetime, field: str = "at") -> None:
    """A recorded time (an assessment, a decision, a count) is neither in the future nor before
    the patient's screening."""
    if moment > now + CLOCK_SLACK:
        raise ClinicalInputError(f"The {what} ({moment:%Y-%m-%d %H:%M}) is in the future.", field)
    if moment.astimezone().date() < patient.anchors.screening:
        raise ClinicalInputError(
            f"The {what} ({moment:%Y-%m-%d}) is before screening ({patient.anchors.screening}).", field)


def check_anchors(anchors: Anchors, protocol: Protocol, today: date) -> None:
    """The order the trial imposes on a patient's dates."""
    a = anchors
    if a.day0 is not None:
        if a.day0 < a.screening:
            raise ClinicalInputError(
                f"Day 0 ({a.day0}) is before the screening date ({a.screening}).", "day0")
        lead = protocol.earliest_day_before_infusion
        if (a.day0 - a.screening).days < lead:
            raise ClinicalInputError(
                f"Day 0 ({a.day0}) must be at least {lead} days after screening ({a.screening}), "
                f"to leave room for lymphodepletion from D-{lead}.", "day0")
    if a.booster is not None:
        if a.day0 is None:
            raise ClinicalInputError("A booster needs day 0 of the first infusion first.", "booster")
        earliest = protocol.booster_earliest_day
        if (a.booster - a.day0).days < earliest:
            raise ClinicalInputError(
                f"The booster ({a.booster}) is before D+{earliest}; the earliest booster date is "
                f"{a.day0 + timedelta(days=earliest)}.",
                "booster")
    for field, value, what in (("off_study", a.off_study, "off-study date"), ("death", a.death, "date of death")):
        if value is None:
            continue
        if value < a.screening:
            raise ClinicalInputError(f"The {what} ({value}) is before screening ({a.screening}).", field)
        if value > today:
            raise ClinicalInputError(f"The {what} ({value}) is in the future.", field)
    for end, what in ((a.death, "the date of death"), (a.off_study, "the off-study date")):
        if a.booster is not None and end is not None and a.booster > end:
            raise ClinicalInputError(f"The booster ({a.booster}) is after {what} ({end}).", "booster")
    if a.off_study is not None and not (a.off_study_reason or "").strip():
        raise ClinicalInputError("Going off study needs a reason.", "off_study_reason")


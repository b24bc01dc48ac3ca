"""What a patient is in the trial, and the checks on what is typed about one.

Validation lives here, in the domain core, so the command line and the window refuse the same
input with the same sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..i18n import N_, _
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
            ends.append((self.off_study, _("off study on {day}: {reason}").format(day=self.off_study,
                                                                                   reason=self.off_study_reason)))
        if self.death:
            ends.append((self.death, _("died on {day}").format(day=self.death)))
        return min(ends) if ends else None


@dataclass(frozen=True)
class Patient:
    study_id: str
    initials: str
    sex: str
    birth_year: int
    anchors: Anchors

    def stage(self, today: date, protocol: Protocol) -> str:
        # A code of STAGES (shown with shown_stage).
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


# Patient.stage's codes, in the order of the trial, as they are said.
STAGES = {"screening": N_("screening"), "infusion": N_("infusion"), "booster": N_("booster"),
          "follow-up": N_("follow-up"), "off study": N_("off study"), "died": N_("died")}


def shown_stage(stage: str) -> str:
    """A stage in the language chosen."""
    return _(STAGES[stage])


def check_study_id(study_id: str) -> str:
    study_id = study_id.strip()
    if not STUDY_ID.fullmatch(study_id):
        raise ClinicalInputError(
            _("The study ID '{study_id}' must be 1 to 32 letters, digits, '-' or '_'.").format(
                study_id=study_id), "study_id")
    return study_id


def check_new_patient(study_id: str, initials: str, sex: str, birth_year: int,
                      anchors: Anchors, protocol: Protocol, today: date) -> Patient:
    """A patient as typed at registration, or the sentence that says what is wrong."""
    study_id = check_study_id(study_id)
    if not _INITIALS.fullmatch(initials.strip()):
        raise ClinicalInputError(_("The initials '{initials}' must be 2 to 4 letters.").format(
                                     initials=initials), "initials")
    sex = sex.strip().upper()
    if sex not in SEXES:
        raise ClinicalInputError(_("Sex must be F or M, not '{sex}'.").format(sex=sex), "sex")
    if birth_year > today.year:
        raise ClinicalInputError(_("The birth year {birth_year} is in the future.").format(
                                     birth_year=birth_year), "birth_year")
    if birth_year < 1900:
        raise ClinicalInputError(_("The birth year {birth_year} is before 1900.").format(
                                     birth_year=birth_year), "birth_year")
    if anchors.screening.year < birth_year:
        raise ClinicalInputError(
            _("The screening date {screening} is before the birth year {birth_year}.").format(
                screening=anchors.screening, birth_year=birth_year), "screening")
    check_anchors(anchors, protocol, today)
    return Patient(study_id, initials.strip().upper(), sex, birth_year, anchors)


# A clock a few minutes fast on a ward PC is not a time in the future.
CLOCK_SLACK = timedelta(minutes=5)


def check_moment(patient: Patient, moment: datetime, what: str, now: datetime, field: str = "at") -> None:
    """A recorded time (an assessment, a decision, a count) is neither in the future nor before
    the patient's screening."""
    if moment > now + CLOCK_SLACK:
        raise ClinicalInputError(_("The {what} ({moment:%Y-%m-%d %H:%M}) is in the future.").format(
                                     what=_(what), moment=moment), field)
    if moment.astimezone().date() < patient.anchors.screening:
        raise ClinicalInputError(
            _("The {what} ({moment:%Y-%m-%d}) is before screening ({screening}).").format(
                what=_(what), moment=moment, screening=patient.anchors.screening), field)


def check_anchors(anchors: Anchors, protocol: Protocol, today: date) -> None:
    """The order the trial imposes on a patient's dates."""
    a = anchors
    if a.day0 is not None:
        if a.day0 < a.screening:
            raise ClinicalInputError(
                _("Day 0 ({day0}) is before the screening date ({screening}).").format(
                    day0=a.day0, screening=a.screening), "day0")
        lead = protocol.earliest_day_before_infusion
        if (a.day0 - a.screening).days < lead:
            raise ClinicalInputError(
                _("Day 0 ({day0}) must be at least {lead} days after screening ({screening}), to leave room for "
                  "lymphodepletion from D-{lead}.").format(day0=a.day0, lead=lead, screening=a.screening), "day0")
    if a.booster is not None:
        if a.day0 is None:
            raise ClinicalInputError(_("A booster needs day 0 of the first infusion first."), "booster")
        earliest = protocol.booster_earliest_day
        if (a.booster - a.day0).days < earliest:
            raise ClinicalInputError(
                _("The booster ({booster}) is before D+{earliest}; the earliest booster date is {day0}.").format(
                    booster=a.booster, earliest=earliest, day0=a.day0 + timedelta(days=earliest)),
                "booster")
    for field, value, what in (("off_study", a.off_study, N_("off-study date")),
                               ("death", a.death, N_("date of death"))):
        if value is None:
            continue
        if value < a.screening:
            raise ClinicalInputError(_("The {what} ({value}) is before screening ({screening}).").format(
                                         what=_(what), value=value, screening=a.screening), field)
        if value > today:
            raise ClinicalInputError(_("The {what} ({value}) is in the future.").format(what=_(what), value=value),
                                     field)
    for end, what in ((a.death, N_("the date of death")), (a.off_study, N_("the off-study date"))):
        if a.booster is not None and end is not None and a.booster > end:
            raise ClinicalInputError(_("The booster ({booster}) is after {what} ({end}).").format(
                                         booster=a.booster, what=_(what), end=end), "booster")
    if a.off_study is not None and not (a.off_study_reason or "").strip():
        raise ClinicalInputError(_("Going off study needs a reason."), "off_study_reason")


"""What may be recorded on a scheduled item: the checks the store runs before writing a recording.

Pure: the store hands over the item as it stands (its schedule entry) and the clock; each check
raises ClinicalInputError with the sentence both front ends show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .errors import ClinicalInputError
from .patients import CLOCK_SLACK, Patient
from .protocol import Protocol
from .schedule import DONE, Recording, ScheduleEntry

TOXICITY_ACTIVITY = "tox"  # the daily CRS/ICANS assessment: done only with its findings


def check_known(protocol: Protocol, timepoint: str, activity: str) -> None:
    """The timepoint and the activity are the protocol's."""
    try:
        protocol.timepoint(timepoint)
    except KeyError:
        raise ClinicalInputError(
            f"There is no timepoint '{timepoint}' in the {protocol.code} protocol.", "timepoint") from None
    try:
        protocol.activity(activity)
    except KeyError:
        raise ClinicalInputError(
            f"There is no activity '{activity}' in the {protocol.code} protocol.", "activity") from None


def check_recording(protocol: Protocol, patient: Patient, timepoint: str, activity: str, entry: ScheduleEntry | None,
                    done_at: datetime | None, not_done_reason: str | None, correction_reason: str | None,
                    now: datetime, findings_saved: bool = False) -> None:
    """An item done (at a time) or not done (with a reason) may be recorded: it is on the patient's
    schedule and not cancelled, the time is neither in the future nor before screening, a second
    recording is a correction with a reason, and the daily CRS/ICANS assessment is done only when
    its findings are saved (`findings_saved`)."""
    check_known(protocol, timepoint, activity)
    if activity == TOXICITY_ACTIVITY and done_at is not None and not findings_saved:
        raise ClinicalInputError(
            "A CRS/ICANS assessment is done when its findings are saved (the bedside assessment, "
            "or 'ari-desktop assess'); it can be recorded here only as not done.", "activity")
    if entry is None:
        raise ClinicalInputError(
            f"{protocol.activity(activity).label} at {timepoint} is not on the schedule of {patient.study_id}.",
            "activity")
    if (done_at is None) == (not_done_reason is None):
        raise ClinicalInputError("Say either when it was done or why it was not done.", "outcome")
    if not_done_reason is not None and not not_done_reason.strip():
        raise ClinicalInputError("An item not done needs a reason.", "reason")
    if done_at is not None:
        if done_at > now + CLOCK_SLACK:
            raise ClinicalInputError(f"The time done ({done_at:%Y-%m-%d %H:%M}) is in the future.", "done_at")
        if done_at.astimezone().date() < patient.anchors.screening:
            raise ClinicalInputError(
                f"The time done ({done_at:%Y-%m-%d}) is before screening ({patient.anchors.screening}).", "done_at")
    # An item cancelled because the patient died or left the study that day may still have been
    # done earlier in its window (the morning's samples, entered in the afternoon).
    end = patient.anchors.end
    done_day = done_at.astimezone().date() if done_at is not None else None
    done_before_end = done_day is not None and end is not None and entry.item.window_start <= done_day <= end[0]
    if entry.item.cancelled_reason and entry.recording is None and not done_before_end:
        raise ClinicalInputError(
            f"{entry.item.label} at {timepoint} was cancelled ({entry.item.cancelled_reason}).", "activity")
    if entry.recording is not None and not (correction_reason or "").strip():
        raise ClinicalInputError(
            f"{entry.item.label} at {timepoint} is already recorded as {entry.status.replace('_', ' ')}; "
            "a correction needs a reason.", "reason")


# A quick action is taken back without a reason by the one who took it, this soon after: the time
# to notice a second Enter or the wrong row. After that, or by someone else, it needs a reason.
UNDO_MINUTES = 5
INFUSION_ACTIVITY = "infusion"


def undo_without_reason(recording: Recording, user: str, now: datetime) -> bool:
    """Whether `user` may still withdraw `recording` without a reason (the moment has not passed)."""
    return recording.recorded_by == user and now - recording.recorded_at <= timedelta(minutes=UNDO_MINUTES)


def check_withdrawal(entry: ScheduleEntry, user: str, now: datetime, reason: str | None) -> None:
    """An item recorded done may be withdrawn ("not collected after all"): it returns to due,
    overdue or missed as its schedule says. A reason is needed once the moment has passed. The
    CRS/ICANS assessment stands with its findings, and an infusion given with its dose: both are
    corrected with a reason, never withdrawn."""
    what = f"{entry.item.label} at {entry.item.timepoint} of {entry.study_id}"
    recording = entry.recording
    if recording is None or recording.outcome != DONE:
        state = "nothing is recorded" if recording is None else "it is recorded as not done"
        raise ClinicalInputError(f"{what} is not recorded done ({state}), so there is nothing to withdraw.",
                                 "activity")
    if entry.item.activity == TOXICITY_ACTIVITY:
        raise ClinicalInputError(f"{what} was done with the findings of a bedside assessment; it cannot be "
                                 "withdrawn.", "activity")
    if entry.item.activity == INFUSION_ACTIVITY:
        raise ClinicalInputError(f"{what} is an infusion given, with its dose: correct it with a reason "
                                 "instead of withdrawing it.", "activity")
    if not (reason or "").strip() and not undo_without_reason(recording, user, now):
        raise ClinicalInputError(
            f"{what} was recorded done by {recording.recorded_by} at "
            f"{recording.recorded_at.astimezone():%Y-%m-%d %H:%M}; withdrawing it later than {UNDO_MINUTES} "
            "minutes after, or by someone else, needs a reason.", "reason")


def window_note(entry: ScheduleEntry, done_at: datetime) -> str | None:
    """The sentence when a time done falls outside the item's window (recorded, but a deviation)."""
    day = done_at.astimezone().date()
    if day < entry.item.window_start:
        return (f"{done_at.astimezone():%Y-%m-%d %H:%M} is before the window of {entry.item.label} opened "
                f"({entry.item.window_start}).")
    if day > entry.item.window_end:
        return (f"{done_at.astimezone():%Y-%m-%d %H:%M} is after the window of {entry.item.label} closed "
                f"({entry.item.window_end}).")
    return None

"""What may be recorded on a scheduled item: the checks the store runs before writing a recording.

Pure: the store hands over the item as it stands (its schedule entry) and the clock; each check
raises ClinicalInputError with the sentence both front ends show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..i18n import _
from .errors import ClinicalInputError
from .patients import CLOCK_SLACK, Patient
from .protocol import Protocol
from .schedule import DONE, Recording, ScheduleEntry, shown_status

TOXICITY_ACTIVITY = "tox"  # the daily CRS/ICANS assessment: done only with its findings


def check_known(protocol: Protocol, timepoint: str, activity: str) -> None:
    """The timepoint and the activity are the protocol's."""
    try:
        protocol.timepoint(timepoint)
    except KeyError:
        raise ClinicalInputError(
            _("There is no timepoint '{timepoint}' in the {protocol} protocol.").format(
                timepoint=timepoint, protocol=protocol.code), "timepoint") from None
    try:
        protocol.activity(activity)
    except KeyError:
        raise ClinicalInputError(
            _("There is no activity '{activity}' in the {protocol} protocol.").format(
                activity=activity, protocol=protocol.code), "activity") from None


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
            _("A CRS/ICANS assessment is done when its findings are saved (the bedside assessment, or 'ari-desktop "
              "assess'); it can be recorded here only as not done."), "activity")
    if entry is None:
        raise ClinicalInputError(
            _("{label} at {timepoint} is not on the schedule of {study_id}.").format(
                label=protocol.activity(activity).label, timepoint=timepoint, study_id=patient.study_id),
            "activity")
    if (done_at is None) == (not_done_reason is None):
        raise ClinicalInputError(_("Say either when it was done or why it was not done."), "outcome")
    if not_done_reason is not None and not not_done_reason.strip():
        raise ClinicalInputError(_("An item not done needs a reason."), "reason")
    if done_at is not None:
        if done_at > now + CLOCK_SLACK:
            raise ClinicalInputError(_("The time done ({done_at:%Y-%m-%d %H:%M}) is in the future.").format(
                                         done_at=done_at), "done_at")
        if done_at.astimezone().date() < patient.anchors.screening:
            raise ClinicalInputError(
                _("The time done ({done_at:%Y-%m-%d}) is before screening ({screening}).").format(
                    done_at=done_at, screening=patient.anchors.screening), "done_at")
    # An item cancelled because the patient died or left the study that day may still have been
    # done earlier in its window (the morning's samples, entered in the afternoon).
    end = patient.anchors.end
    done_day = done_at.astimezone().date() if done_at is not None else None
    done_before_end = done_day is not None and end is not None and entry.item.window_start <= done_day <= end[0]
    if entry.item.cancelled_reason and entry.recording is None and not done_before_end:
        raise ClinicalInputError(
            _("{label} at {timepoint} was cancelled ({reason}).").format(
                label=entry.item.label, timepoint=timepoint, reason=entry.item.cancelled_reason), "activity")
    if entry.recording is not None and not (correction_reason or "").strip():
        raise ClinicalInputError(
            _("{label} at {timepoint} is already recorded as {status}; a correction needs a reason.").format(
                label=entry.item.label, timepoint=timepoint, status=shown_status(entry.status)), "reason")


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
    what = _("{label} at {timepoint} of {study_id}").format(label=entry.item.label, timepoint=entry.item.timepoint,
                                                            study_id=entry.study_id)
    recording = entry.recording
    if recording is None or recording.outcome != DONE:
        if recording is None:
            message = _("{what} is not recorded done (nothing is recorded), so there is nothing to withdraw.")
        else:
            message = _("{what} is not recorded done (it is recorded as not done), so there is nothing to withdraw.")
        raise ClinicalInputError(message.format(what=what), "activity")
    if entry.item.activity == TOXICITY_ACTIVITY:
        raise ClinicalInputError(_("{what} was done with the findings of a bedside assessment; it cannot be "
                                   "withdrawn.").format(what=what), "activity")
    if entry.item.activity == INFUSION_ACTIVITY:
        raise ClinicalInputError(_("{what} is an infusion given, with its dose: correct it with a reason instead of "
                                   "withdrawing it.").format(what=what), "activity")
    if not (reason or "").strip() and not undo_without_reason(recording, user, now):
        raise ClinicalInputError(
            _("{what} was recorded done by {recorded_by} at {recorded_at:%Y-%m-%d %H:%M}; withdrawing it later than "
              "{minutes} minutes after, or by someone else, needs a reason.").format(
                what=what, recorded_by=recording.recorded_by, recorded_at=recording.recorded_at.astimezone(),
                minutes=UNDO_MINUTES), "reason")


def window_note(entry: ScheduleEntry, done_at: datetime) -> str | None:
    """The sentence when a time done falls outside the item's window (recorded, but a deviation)."""
    day = done_at.astimezone().date()
    if day < entry.item.window_start:
        return _("{done_at:%Y-%m-%d %H:%M} is before the window of {label} opened ({window_start}).").format(
            done_at=done_at.astimezone(), label=entry.item.label, window_start=entry.item.window_start)
    if day > entry.item.window_end:
        return _("{done_at:%Y-%m-%d %H:%M} is after the window of {label} closed ({window_end}).").format(
            done_at=done_at.astimezone(), label=entry.item.label, window_end=entry.item.window_end)
    return None

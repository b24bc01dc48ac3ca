"""The flags at the top of Today: what a physician must see on a day.

Pure: the store hands over what it read (the day's unrecorded CRS/ICANS items, each patient's
latest assessment and toxicity events) and this decides which patients are flagged and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ..i18n import _, current
from .patients import Patient
from .protocol import Protocol
from .schedule import ScheduleEntry, timepoint_label
from .toxicity import Assessment, ToxicityEvent

TOX_NOT_RECORDED, GRADE_2_OR_MORE, PROLONGED_CYTOPENIA = "tox_not_recorded", "grade_2_or_more", "prolonged_cytopenia"
FLAGGED_GRADE = 2  # a latest CRS or ICANS grade from this one up is flagged


@dataclass(frozen=True)
class Flag:
    """Something on the Today view a physician must see."""

    study_id: str
    kind: str  # TOX_NOT_RECORDED, GRADE_2_OR_MORE or PROLONGED_CYTOPENIA
    text: str


def toxicity_flags(day: date, unrecorded: Iterable[ScheduleEntry], patients: Iterable[Patient],
                   latest: Mapping[str, Assessment], events: Mapping[str, list[ToxicityEvent]],
                   protocol: Protocol) -> list[Flag]:
    """The day's flags: each daily CRS/ICANS assessment still open (`unrecorded`), each patient whose
    latest CRS or ICANS grade is 2 or more, and prolonged cytopenia. A patient who died or left the
    study by the day is not flagged for grades or cytopenia."""
    flags = [Flag(e.study_id, TOX_NOT_RECORDED, _("Toxicity assessment for {timepoint} not recorded").format(
                      timepoint=timepoint_label(protocol, e.item, current()))) for e in unrecorded]
    followed = [p for p in patients if p.anchors.end is None or p.anchors.end[0] > day]
    for patient in followed:
        a = latest.get(patient.study_id)
        if a is not None and max(a.crs.grade, a.icans.grade) >= FLAGGED_GRADE:
            flags.append(Flag(patient.study_id, GRADE_2_OR_MORE,
                              _("Latest CRS grade {crs}, ICANS grade {icans} ({at:%d %b %H:%M})").format(
                                  crs=a.crs.grade, icans=a.icans.grade, at=a.at)))
    # The endpoint rules (CTCAE, counts) load here, after the first window is painted, not with it.
    from .endpoints import course_of, prolonged_cytopenia_on

    after = protocol.prolonged_cytopenia_after_day
    for patient in followed:
        if patient.anchors.day0 is None:
            continue
        for event in events.get(patient.study_id, ()):
            anchor, anchor_date = course_of(patient.anchors, event.onset)
            if prolonged_cytopenia_on(event, anchor_date, after, day):
                flags.append(Flag(patient.study_id, PROLONGED_CYTOPENIA,
                                  _("Prolonged cytopenia: grade {grade} {event} on {anchor}+{day}, past "
                                    "{anchor}+{after}").format(grade=event.grade, event=event.label.lower(),
                                                                anchor=anchor, day=(day - anchor_date).days,
                                                                after=after)))
    return flags

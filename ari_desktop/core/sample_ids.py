"""The identifier printed in a tube label's barcode, and reading it back when the tube is scanned.

A sample identifier names one scheduled sample: study ID, timepoint code and activity code joined
by '/', e.g. ``ARI-001/D+7/sbcma``. Study IDs may contain '-' and timepoint codes '+' and '-', so
the separator is '/', which none of the three may contain. Every character is printable ASCII, so
the identifier fits Code 128 set B. The identifier is stable: it does not hold a date, so it still
finds its item after day 0 moves.

Pure functions: no I/O, no reportlab.
"""

from __future__ import annotations

import re

from ..i18n import N_, _
from .errors import ClinicalInputError
from .patients import STUDY_ID

SEPARATOR = "/"
# Timepoint codes as protocol files write them: SCR, D0, D+7, D-5, M12, B+14.
_TIMEPOINT = re.compile(r"[A-Za-z0-9][A-Za-z0-9+\-_.]{0,15}")
# Activity codes as protocol.py accepts them: lower-case letters, digits and '_'.
_ACTIVITY = re.compile(r"[a-z][a-z0-9_]{0,31}")


def sample_id(study_id: str, timepoint: str, activity: str) -> str:
    """The identifier of one sample: ``sample_id("ARI-001", "D+7", "sbcma") == "ARI-001/D+7/sbcma"``."""
    for value, pattern, what in ((study_id, STUDY_ID, N_("study ID")), (timepoint, _TIMEPOINT, N_("timepoint code")),
                                 (activity, _ACTIVITY, N_("activity code"))):
        if not pattern.fullmatch(value):
            raise ClinicalInputError(_("The {what} '{value}' cannot be written in a sample identifier.").format(
                                         what=_(what), value=value), "sample_id")
    return SEPARATOR.join((study_id, timepoint, activity))


def parse_sample_id(text: str) -> tuple[str, str, str]:
    """(study ID, timepoint, activity) from a scanned or typed identifier.

    Surrounding spaces and the line end a scanner sends are ignored; anything else that is not an
    identifier made by `sample_id` is refused with one sentence.
    """
    cleaned = text.strip()
    parts = cleaned.split(SEPARATOR)
    if len(parts) != 3 or not (STUDY_ID.fullmatch(parts[0]) and _TIMEPOINT.fullmatch(parts[1])
                               and _ACTIVITY.fullmatch(parts[2])):
        raise ClinicalInputError(_("'{cleaned}' is not an ARI Desktop sample identifier.").format(
                                     cleaned=cleaned), "sample_id")
    study_id, timepoint, activity = parts
    return study_id, timepoint, activity

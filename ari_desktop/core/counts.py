"""Blood counts as a series, each graded with CTCAE v5.0, and the cytopenia episodes they show.

A count is numbers with a time. A count below normal opens a cytopenia of its kind (onset: the
count's day) or is a day of the open one (its worst grade is the worst count's); a later count
that is normal again (grade 0) is the recovery and resolves it (resolution: that count's day).
Pure functions; the lower limits of normal come from the protocol file, haemoglobin's by sex.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..i18n import _
from . import ctcae
from .errors import ClinicalInputError
from .grading import Grade

if TYPE_CHECKING:
    from .protocol import Protocol

# The cytopenia each value of a count grades, in the order a count is written.
CYTOPENIAS = ("neutropenia", "thrombocytopenia", "anaemia")
VALUES = {"neutropenia": "neutrophils", "thrombocytopenia": "platelets", "anaemia": "haemoglobin"}
UNITS = {"neutrophils": "×10⁹/L", "platelets": "×10⁹/L", "haemoglobin": "g/dL"}
_GRADERS: Mapping[str, Callable[[float, float], Grade]] = {
    "neutropenia": ctcae.neutropenia, "thrombocytopenia": ctcae.thrombocytopenia, "anaemia": ctcae.anaemia}


@dataclass(frozen=True)
class CountLimits:
    """One patient's lower limits of normal: the site's, haemoglobin's for the patient's sex."""

    neutrophils: float
    platelets: float
    haemoglobin: float


@dataclass(frozen=True)
class BloodCount:
    """One blood count; None = not measured. Neutrophils and platelets ×10⁹/L, haemoglobin g/dL."""

    measured_at: datetime
    neutrophils: float | None = None
    platelets: float | None = None
    haemoglobin: float | None = None
    id: int | None = None
    recorded_by: str = ""

    @property
    def day(self) -> date:
        return self.measured_at.astimezone().date()


def grade_count(count: BloodCount, limits: CountLimits) -> dict[str, Grade]:
    """The CTCAE grade of each value measured (grade 0 when not below normal), by cytopenia; at
    least one value is needed, and an implausible one is refused with its field."""
    grades = {}
    for kind in CYTOPENIAS:
        value = getattr(count, VALUES[kind])
        if value is not None:
            grades[kind] = _GRADERS[kind](value, getattr(limits, VALUES[kind]))
    if not grades:
        raise ClinicalInputError(_("Give at least one value: neutrophils, platelets or haemoglobin."), "neutrophils")
    return grades


@dataclass(frozen=True)
class GradedCount:
    count: BloodCount
    grades: Mapping[str, Grade]  # cytopenia -> CTCAE grade, for the values measured


@dataclass(frozen=True)
class CytopeniaEpisode:
    """A cytopenia read from the series: from the first count below normal to the next normal one."""

    kind: str
    onset: BloodCount  # the first count below normal
    worst: Grade
    worst_count: BloodCount
    recovery: BloodCount | None  # the next normal count; None while ongoing

    @property
    def reason(self) -> str:
        return f"{self.worst.reason} (from the count of {self.worst_count.measured_at.astimezone():%Y-%m-%d %H:%M})"


def cytopenia_episodes(counts: Iterable[BloodCount], limits: CountLimits) -> list[CytopeniaEpisode]:
    """The episodes of every cytopenia in the series, by onset. Counts may come in any order; a
    count without the value of a cytopenia neither extends nor ends it."""
    series = sorted(counts, key=lambda c: c.measured_at)
    episodes = []
    for kind in CYTOPENIAS:
        open_episode: dict | None = None
        for count in series:
            value = getattr(count, VALUES[kind])
            if value is None:
                continue
            grade = _GRADERS[kind](value, getattr(limits, VALUES[kind]))
            if grade.grade >= 1 and open_episode is None:
                open_episode = {"kind": kind, "onset": count, "worst": grade, "worst_count": count}
            elif grade.grade >= 1 and grade.grade > open_episode["worst"].grade:
                open_episode.update(worst=grade, worst_count=count)
            elif grade.grade == 0 and open_episode is not None:
                episodes.append(CytopeniaEpisode(**open_episode, recovery=count))
                open_episode = None
        if open_episode is not None:
            episodes.append(CytopeniaEpisode(**open_episode, recovery=None))
    return sorted(episodes, key=lambda e: (e.onset.measured_at, CYTOPENIAS.index(e.kind)))


def count_limits(protocol: Protocol, sex: str) -> CountLimits:
    """The protocol file's lower limits of normal for a patient: haemoglobin's by sex (F or M)."""
    lln = dict(protocol.count_lln)
    return CountLimits(neutrophils=lln["neutrophils_lln"], platelets=lln["platelets_lln"],
                       haemoglobin=lln["haemoglobin_lln_women" if sex == "F" else "haemoglobin_lln_men"])

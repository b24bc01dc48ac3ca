"""Soluble BCMA over time: the infused patients' median and interquartile range at each protocol timepoint
of the first infusion's course, and the patients' own lines when they are few enough to follow (or the one
asked for)."""

from __future__ import annotations

from datetime import date

from matplotlib.figure import Figure

from ..core.errors import ClinicalInputError
from ..core.kinetics import spread
from ..core.results import FIELDS
from ..i18n import _, grouped
from .cohort import read

SBCMA_ACTIVITY, SBCMA_FIELD = "sbcma", "sbcma_ng_ml"
INDIVIDUAL_LINES = 30  # a cohort this small shows each patient's line
MEDIAN_COLOUR, BAND_COLOUR, LINE_COLOUR, PATIENT_COLOUR = "#1e63b4", "#bbdefb", "#b0bec5", "#e53935"


def sbcma(store, as_of: date | None = None, study_id: str | None = None) -> Figure:
    """sBCMA by timepoint as known on `as_of` (default today); `study_id` draws that patient's line on top."""
    cohort = read(store, as_of, (SBCMA_ACTIVITY,))
    highlighted = None
    if study_id is not None:
        study_id = store.patients.require(study_id)[1].study_id
        highlighted = cohort.of(study_id)
        if highlighted is None:
            raise ClinicalInputError(_("{study_id} had no fraction 1 given by {date}: the figure counts infused "
                                       "patients only.").format(study_id=study_id, date=cohort.as_of), "patient")
    # The first infusion's course: screening and day-0 timepoints (a booster's have a course of their own).
    codes = [t.code for t in store.protocol.timepoints
             if SBCMA_ACTIVITY in t.activities and t.anchor in ("screening", "day0")]
    position = {code: n for n, code in enumerate(codes)}
    lines = {p.patient_id: sorted((position[r.timepoint], float(r.get(SBCMA_FIELD))) for r in cohort.results_of(p)
                                  if r.activity == SBCMA_ACTIVITY and r.timepoint in position
                                  and r.get(SBCMA_FIELD) is not None) for p in cohort.infused}
    lines = {patient_id: line for patient_id, line in lines.items() if line}
    by_position: list[list[float]] = [[] for _ in codes]  # each timepoint's values, every line read once
    for line in lines.values():
        for at, value in line:
            by_position[at].append(value)
    spreads = [spread(values) for values in by_position]

    figure = Figure(figsize=(11, 6), layout="constrained")
    field = FIELDS[SBCMA_FIELD]
    figure.suptitle(_("Soluble BCMA, {protocol}, as of {date}: {measured} of {denominator} with a value").format(
        protocol=cohort.protocol, date=cohort.as_of, measured=grouped(len(lines)), denominator=cohort.denominator),
        fontsize=11)
    ax = figure.add_subplot()
    ax.set_xticks(range(len(codes)), [f"{code}\nn={s.n if s else 0}" for code, s in zip(codes, spreads, strict=True)],
                  fontsize=8)
    ax.set_xlabel(_("Protocol timepoint (SCR = screening; D = days and M = months from fraction 1); n = patients "
                    "with a value"))
    ax.set_xlim(-0.5, len(codes) - 0.5)
    measure = _(field.label)
    ax.set_ylabel(_("{measure} ({unit}, log scale)").format(measure=measure[0].upper() + measure[1:], unit=field.unit))
    ax.grid(color="#eeeeee")
    if not lines:
        ax.text(0.5, 0.5, _("No soluble BCMA measured by {date}.").format(date=cohort.as_of), transform=ax.transAxes,
                ha="center", va="center", color="#616161")
        return figure
    ax.set_yscale("log")
    if len(lines) <= INDIVIDUAL_LINES:
        for n, line in enumerate(lines.values()):
            ax.plot(*zip(*line, strict=True), color=LINE_COLOUR, linewidth=0.8, marker=".",
                    label=_("Each patient") if n == 0 else None)
    measured = [(at, s) for at, s in enumerate(spreads) if s is not None]
    xs = [at for at, _ in measured]
    ax.fill_between(xs, [s.q1 for _, s in measured], [s.q3 for _, s in measured], color=BAND_COLOUR, alpha=0.7,
                    label=_("Interquartile range"))
    ax.plot(xs, [s.median for _, s in measured], color=MEDIAN_COLOUR, linewidth=2, marker="o", label=_("Median"))
    if highlighted is not None:
        own = lines.get(highlighted.patient_id)
        if own:
            ax.plot(*zip(*own, strict=True), color=PATIENT_COLOUR, linewidth=2, marker="s", label=study_id)
        else:
            ax.set_title(_("{study_id}: no soluble BCMA measured by {date}").format(study_id=study_id,
                                                                                    date=cohort.as_of),
                         loc="left", fontsize=9)
    ax.axvline(position["D0"] if "D0" in position else 0, color="#757575", linestyle=":", linewidth=1)
    ax.legend(loc="upper right", fontsize=8)
    return figure

"""CAR-T expansion in the blood: one patient's curves with Cmax, Tmax and AUC D0-D+28 (core/kinetics.py),
or every infused patient's curves overlaid with the median at each protocol timepoint."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..core.errors import ClinicalInputError
from ..core.grading import as_written
from ..core.kinetics import AUC_LAST_DAY, CART_ACTIVITY, MEASURES, Expansion, expansions, spread
from ..core.results import FIELDS
from ..i18n import _, grouped, ngettext
from .cohort import Cohort, read

LINE_COLOUR = "#1e63b4"
PEAK_COLOUR = "#e53935"
INDIVIDUAL_COLOUR = "#90a4ae"
LINES_DRAWN = 1000


def _amount(value: float) -> str:
    return grouped(value) if value >= 100 else as_written(round(value, 2))


def _measure_axes(figure: Figure) -> list:
    axes = figure.subplots(len(MEASURES), 1, sharex=True, squeeze=False)[:, 0]
    for ax, measure in zip(axes, MEASURES, strict=True):
        ax.set_ylabel(_("{measure}\n({unit}, log scale)").format(measure=_(FIELDS[measure].label),
                                                                 unit=FIELDS[measure].unit))
        ax.axvspan(0, AUC_LAST_DAY, color="#fff3e0", zorder=0,
                   label=_("D0 to D+{day} (AUC interval)").format(day=AUC_LAST_DAY))
        ax.grid(color="#eeeeee", zorder=0)
    axes[-1].set_xlabel(_("Days since fraction 1"))
    return list(axes)


def _no_values(ax, sentence: str) -> None:
    ax.set_yscale("linear")
    ax.set_yticks([])
    ax.text(0.5, 0.5, sentence, transform=ax.transAxes, ha="center", va="center", color="#616161")


def expansion(store, as_of: date | None = None, study_id: str | None = None) -> Figure:
    """One patient's expansion curves when `study_id` is given, else the cohort's overlay, on `as_of`."""
    cohort = read(store, as_of, (CART_ACTIVITY,))
    if study_id is not None:
        return _patient_figure(store, cohort, study_id)
    return _cohort_figure(store, cohort)


def _patient_figure(store, cohort: Cohort, study_id: str) -> Figure:
    study_id = store.patients.require(study_id)[1].study_id
    patient = cohort.of(study_id)
    if patient is None:
        raise ClinicalInputError(_("{study_id} had no fraction 1 given by {date}: there is no CAR-T expansion to "
                                   "draw.").format(study_id=study_id, date=cohort.as_of), "patient")
    curves = expansions(cohort.results_of(patient), patient.fraction_1, cohort.as_of)
    figure = Figure(figsize=(9, 7), layout="constrained")
    figure.suptitle(_("CAR-T expansion of {study_id}, {protocol}, as of {date}\nfraction 1 given on {day0} (day 0)"
                      ).format(study_id=study_id, protocol=cohort.protocol, date=cohort.as_of, day0=patient.fraction_1),
                    fontsize=11)
    axes = _measure_axes(figure)
    for ax, measure in zip(axes, MEASURES, strict=True):
        _draw_patient(ax, curves[measure], cohort.as_of)
    last = max((p.day for curve in curves.values() for p in curve.points), default=AUC_LAST_DAY)
    axes[-1].set_xlim(-2, max(last, AUC_LAST_DAY) * 1.05 + 2)
    return figure


def _draw_patient(ax, curve: Expansion, as_of: date) -> None:
    label = _(FIELDS[curve.measure].label)
    if not curve.points:
        _no_values(ax, _("No {measure} measured by {date}.").format(measure=label, date=as_of))
        return
    shown = [p for p in curve.points if p.value > 0]
    ax.set_yscale("log")
    ax.plot([p.day for p in shown], [p.value for p in shown], marker="o", color=LINE_COLOUR, label=_("Measured"))
    peak = curve.peak
    lines = []
    if peak.value > 0:
        ax.scatter([peak.day], [peak.value], marker="*", s=220, color=PEAK_COLOUR, zorder=4,
                   label=f"Cmax {_amount(peak.value)} {curve.unit}, Tmax D+{peak.day}")
    else:
        lines.append(_("Cmax 0 {unit}: nothing detected").format(unit=curve.unit))
    zeros = len(curve.points) - len(shown)
    if zeros:
        lines.append(ngettext("{count} measurement of 0 (not drawn on a log scale)",
                              "{count} measurements of 0 (not drawn on a log scale)", zeros).format(count=zeros))
    auc = (_("AUC D0 to D+{day}: {auc} {unit} × days (linear trapezoids, D0 = 0)").format(
               day=AUC_LAST_DAY, auc=_amount(curve.auc), unit=curve.unit) if curve.auc is not None
           else _("AUC D0 to D+{day}: none, {why}").format(day=AUC_LAST_DAY, why=curve.no_auc))
    ax.set_title("\n".join([auc, *lines]), loc="left", fontsize=9)
    if shown:
        ax.legend(loc="upper right", fontsize=8)


def _cohort_figure(store, cohort: Cohort) -> Figure:
    curves = {p.patient_id: expansions(cohort.results_of(p), p.fraction_1, cohort.as_of) for p in cohort.infused}
    figure = Figure(figsize=(10, 8), layout="constrained")
    measured = sum(1 for c in curves.values() if any(e.points for e in c.values()))
    figure.suptitle(_("CAR-T expansion, {protocol}, as of {date}: {measured} of {denominator} with a measurement"
                      ).format(protocol=cohort.protocol, date=cohort.as_of, measured=grouped(measured),
                               denominator=cohort.denominator), fontsize=11)
    axes = _measure_axes(figure)
    by_timepoint = _values_by_timepoint(cohort)
    for ax, measure in zip(axes, MEASURES, strict=True):
        _draw_cohort(ax, store, measure, [c[measure] for c in curves.values()], by_timepoint[measure], cohort.as_of)
    return figure


def _values_by_timepoint(cohort: Cohort) -> dict[str, dict[str, list[float]]]:
    """measure -> timepoint -> the infused patients' values there."""
    found: dict[str, dict[str, list[float]]] = {m: defaultdict(list) for m in MEASURES}
    for p in cohort.infused:
        for r in cohort.results_of(p):
            if r.activity == CART_ACTIVITY and r.day >= p.fraction_1:
                for measure in MEASURES:
                    if (value := r.get(measure)) is not None:
                        found[measure][r.timepoint].append(float(value))
    return found


def _draw_cohort(ax, store, measure: str, curves: list[Expansion], by_timepoint: dict[str, list[float]],
                 as_of: date) -> None:
    measure_words, unit = _(FIELDS[measure].label), FIELDS[measure].unit
    lines = [c for c in curves if any(p.value > 0 for p in c.points)]
    if not lines:
        _no_values(ax, _("No {measure} measured by {date}.").format(measure=measure_words, date=as_of))
        return
    ax.set_yscale("log")
    # More lines than this are a grey cloud that takes seconds to draw: the first infused are drawn, and the
    # medians and the summary count everyone.
    label = (_("Each patient ({count})").format(count=grouped(len(lines))) if len(lines) <= LINES_DRAWN
             else _("Each patient (the first {drawn} infused of {count})").format(drawn=grouped(LINES_DRAWN),
                                                                                  count=grouped(len(lines))))
    drawn = [[(p.day, p.value) for p in c.points if p.value > 0] for c in lines[:LINES_DRAWN]]
    alpha = max(0.05, min(0.6, 20 / len(drawn)))
    # The limits taken from the points themselves: asked of the collection, each of its thousand lines would go
    # through the log scale and back.
    ax.add_collection(LineCollection(drawn, colors=INDIVIDUAL_COLOUR, linewidths=0.8, alpha=alpha, label=label),
                      autolim=False)
    ax.update_datalim([point for line in drawn for point in line])
    once = [line[0] for line in drawn if len(line) == 1]  # a patient measured once has no line: a point
    if once:
        ax.scatter(*zip(*once, strict=True), s=8, color=INDIVIDUAL_COLOUR, alpha=max(alpha, 0.3), zorder=2)
    order = sorted(by_timepoint, key=lambda code: store.protocol.timepoint(code).day)
    medians = [(code, store.protocol.timepoint(code).day, spread(by_timepoint[code]).median) for code in order]
    drawable = [(day, median) for _, day, median in medians if median > 0]
    ax.plot([d for d, _ in drawable], [m for _, m in drawable], marker="o", color=LINE_COLOUR, linewidth=2,
            label=_("Median at each timepoint (its protocol day)"), zorder=4)
    nil = [code for code, _, median in medians if median <= 0]
    ax.autoscale_view()
    with_peak = [c for c in curves if c.cmax]
    cmax, tmax = spread([c.cmax for c in with_peak]), spread([float(c.tmax) for c in with_peak])
    aucs = spread([c.auc for c in curves if c.auc is not None])
    summary = [_("Cmax median {median} {unit} (IQR {q1} to {q3}), Tmax median D+{tmax}, n = {count}").format(
                   median=_amount(cmax.median), unit=unit, q1=_amount(cmax.q1), q3=_amount(cmax.q3),
                   tmax=f"{tmax.median:.0f}", count=grouped(cmax.n)) if cmax
               else _("No {measure} above 0").format(measure=measure_words)]
    summary.append(_("AUC D0 to D+{day} median {median} {unit} × days (IQR {q1} to {q3}), n = {count}").format(
                       day=AUC_LAST_DAY, median=_amount(aucs.median), unit=unit, q1=_amount(aucs.q1),
                       q3=_amount(aucs.q3), count=grouped(aucs.n)) if aucs else
                   _("AUC D0 to D+{day}: no patient measured close enough to D+{day}").format(day=AUC_LAST_DAY))
    if nil:
        summary.append(_("Median 0 at {timepoints} (not drawn on a log scale)").format(timepoints=", ".join(nil)))
    ax.set_title("\n".join(summary), loc="left", fontsize=9)
    for handle in ax.legend(loc="upper right", fontsize=8).legend_handles:
        handle.set_alpha(1)  # the faint lines of a large cohort, legible in the legend

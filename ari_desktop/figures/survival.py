"""Kaplan-Meier curves of progression-free and overall survival with their 95 % band, the censored times
marked and the numbers at risk under the axis. The curve is the efficacy table's own fit
(store.efficacy, core/efficacy.py: who counts, when an event, where censored), so figure and table agree."""

from __future__ import annotations

from datetime import date

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..i18n import N_, _, grouped, ngettext

CURVE_COLOUR, BAND_COLOUR = "#1e63b4", "#bbdefb"
SHORT = {"pfs": N_("PFS"), "os": N_("OS")}
CENSOR_MARKS = 300  # more censored times than this are not marked one by one


def survival(store, which: str, as_of: date | None = None, table=None) -> Figure:
    """The Kaplan-Meier curve `which` ("pfs" or "os") of the infused, as known on `as_of` (default today);
    from `table`, the efficacy tables already computed on that date, when given (else their survival rows
    alone are counted)."""
    table = table or store.efficacy.survival(as_of)
    km = table.curves[which]
    row = next(r for r in table.rows() if r.code == which)
    figure = Figure(figsize=(10, 6.5), layout="constrained")
    shown = row.shown()
    events = ngettext("{count} event", "{count} events", km.events).format(count=grouped(km.events))
    figure.suptitle(_("{endpoint}, {protocol}, as of {date}: {infused} infused (fraction 1 given), {events}, "
                      "{censored} censored").format(endpoint=shown.label, protocol=store.protocol.code,
                                                    date=table.as_of, infused=grouped(km.patients), events=events,
                                                    censored=grouped(km.censored)) + "\n"
                    + ngettext("{count} enrolled but not infused, not counted",
                               "{count} enrolled but not infused, not counted", len(table.not_infused)).format(
                        count=grouped(len(table.not_infused))), fontsize=11)
    curve, risk = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [6, 1]})
    months_shown = max([*km.at_risk, *km.durations, 1])
    curve.set_xlim(0, months_shown)
    curve.set_ylim(0, 1.02)
    curve.yaxis.set_major_formatter(PercentFormatter(1.0))
    curve.set_ylabel(_("{endpoint}, patients without the event").format(endpoint=_(SHORT[which])))
    curve.grid(color="#eeeeee")
    if not km.patients:
        curve.text(0.5, 0.5, _("No patient had fraction 1 by {date}.").format(date=table.as_of),
                   transform=curve.transAxes, ha="center", va="center", color="#616161")
    else:
        curve.fill_between(km.timeline, km.ci_lower, km.ci_upper, step="post", color=BAND_COLOUR, alpha=0.7,
                           label=_("95 % confidence band (exponential Greenwood)"))
        curve.step(km.timeline, km.survival, where="post", color=CURVE_COLOUR, linewidth=2, label="Kaplan-Meier")
        censored = km.censored_times
        if 0 < len(censored) <= CENSOR_MARKS:
            curve.plot(censored, [km.survival_at(t).survival for t in censored], linestyle="none", marker="|",
                       markersize=8, color=CURVE_COLOUR, label=_("Censored"))
        elif censored:  # thousands of ticks would hide the curve
            curve.plot([], [], linestyle="none", label=ngettext(
                "{count} censored time, not marked", "{count} censored times, not marked", len(censored)).format(
                count=grouped(len(censored))))
        if km.median is not None:
            curve.plot([0, km.median, km.median], [0.5, 0.5, 0], color="#757575", linestyle="--", linewidth=1)
        # The note without its last part, the numbers at risk (under the axis here).
        curve.set_title(f"{shown.value}\n{shown.note.rsplit('; ', 1)[0]}", loc="left", fontsize=8)
        curve.legend(loc="upper right", fontsize=8)

    risk.set_xticks(list(km.at_risk))
    risk.set_xlabel(_("Months since fraction 1 (days / 30.4375)"))
    risk.set_yticks([])
    risk.set_ylim(0, 1)
    for side in ("top", "right", "left"):
        risk.spines[side].set_visible(False)
    risk.set_title(_("Number at risk"), loc="left", fontsize=8)
    for month, n in km.at_risk.items():
        if month <= months_shown:
            risk.text(month, 0.45, grouped(n), ha="center", va="center", fontsize=9)
    return figure

"""The swimmer plot: one line per infused patient from fraction 1 to the as-of date or the end of follow-up,
with the response at each assessment, booster, progression, death, and the maximum CRS and ICANS grades."""

from __future__ import annotations

from datetime import date

from matplotlib.figure import Figure

from ..core.endpoints import ASSESSED
from ..core.response import CATEGORIES
from ..i18n import _, grouped, ngettext
from . import months
from .cohort import Cohort, Infused, read, responses, with_results

# More lines than this cannot be read on one page: the first infused are shown, those with the longest
# follow-up (the most recent ones have lines too short to show a response's course), and the title says
# so; the endpoint tables count everyone.
SWIMMER_LINES = 50
# IMWG categories, greens for complete responses, blues for partial ones, grey for stable, red for
# progressive disease; the legend names each.
CATEGORY_COLOURS = {"sCR": "#1b5e20", "CR": "#43a047", "VGPR": "#00acc1", "PR": "#1e63b4", "MR": "#90caf9",
                    "SD": "#9e9e9e", "PD": "#e53935"}
BAR_COLOUR = "#e0e0e0"


def _end(patient: Infused, as_of: date) -> tuple[date, str]:
    """The last day of the line and why it stops: "death", "off study" or "ongoing" on the as-of date."""
    a = patient.patient.anchors
    if a.death and a.death <= as_of and (not a.off_study or a.death <= a.off_study):
        return a.death, "death"
    if a.off_study and a.off_study <= as_of:
        return a.off_study, "off study"
    return as_of, "ongoing"


def swimmer(store, as_of: date | None = None, lines: int = SWIMMER_LINES) -> Figure:
    """The cohort's swimmer plot as known on `as_of` (default today): the first `lines` infused."""
    cohort = read(store, as_of)
    shown = cohort.infused[:lines]
    cohort = with_results(store, cohort, shown)
    # Margins fixed in inches rather than a constrained layout: measuring a hundred tick labels again and
    # again would take most of the time on a full page.
    height = 2.6 + 0.24 * max(len(shown), 4)
    figure = Figure(figsize=(11, height))
    figure.subplots_adjust(left=1.25 / 11, right=1 - 1.45 / 11, top=1 - 1.05 / height, bottom=1.25 / height)
    title = (_("Swimmer plot, {protocol}, as of {date}: all {denominator}") if len(shown) == len(cohort.infused)
             else _("Swimmer plot, {protocol}, as of {date}: the first {shown} infused of {denominator}")).format(
        protocol=cohort.protocol, date=cohort.as_of, denominator=cohort.denominator, shown=len(shown))
    apart = ngettext("{count} enrolled but not infused, not shown", "{count} enrolled but not infused, not shown",
                     cohort.not_infused).format(count=grouped(cohort.not_infused))
    figure.suptitle(f"{title}\n{apart}", fontsize=11)
    if not shown:
        figure.text(0.5, 0.5, _("No patient had fraction 1 by {date}.").format(date=cohort.as_of), ha="center",
                    va="center")
        return figure
    _draw(figure, store, cohort, shown)
    return figure


def _draw(figure: Figure, store, cohort: Cohort, shown: tuple[Infused, ...]) -> None:
    as_of = cohort.as_of
    ends = {p.patient_id: _end(p, as_of) for p in shown}
    # Longest follow-up at the top.
    rows = sorted(shown, key=lambda p: ((ends[p.patient_id][0] - p.fraction_1).days, p.study_id))
    y = {p.patient_id: n for n, p in enumerate(rows)}
    assessed = responses(store, cohort, rows)
    progressions = store.results.progressions()
    summaries = {p.patient_id: store.toxicity.summary(p.study_id, as_of) for p in rows}

    ax = figure.add_subplot()
    ax.barh([y[p.patient_id] for p in rows], [months((ends[p.patient_id][0] - p.fraction_1).days) for p in rows],
            height=0.55, color=BAR_COLOUR, edgecolor="#757575", linewidth=0.5, label=_("Follow-up from fraction 1"))

    points: dict[str, list[tuple[float, int]]] = {}

    def mark(what: str, day: date, patient: Infused) -> None:
        points.setdefault(what, []).append((months((day - patient.fraction_1).days), y[patient.patient_id]))

    for p in rows:
        for a in assessed[p.patient_id]:
            if a.category is not None:
                mark(a.category, a.day, p)
        booster = summaries[p.patient_id].booster
        if booster is not None and booster.infused:
            mark("booster", booster.anchor_date, p)
        progression = progressions.get(p.patient_id)
        if progression is not None and progression.progressed_on <= as_of:
            mark("progression", progression.progressed_on, p)
        end, why = ends[p.patient_id]
        mark(why, end, p)

    styles = {category: {"marker": "o", "color": CATEGORY_COLOURS[category], "s": 36, "zorder": 3,
                         "label": _("{category} (confirmed)").format(category=category)} for category in CATEGORIES}
    styles |= {
        "booster": {"marker": "D", "color": "#7b1fa2", "s": 34, "zorder": 4, "label": _("Booster given")},
        "progression": {"marker": "X", "color": "#b71c1c", "s": 70, "zorder": 5, "label": _("Progression")},
        "death": {"marker": "s", "color": "black", "s": 40, "zorder": 5, "label": _("Death")},
        "off study": {"marker": "|", "color": "#ef6c00", "s": 160, "zorder": 5, "linewidths": 2.5,
                      "label": _("Off study")},
        "ongoing": {"marker": ">", "color": "#424242", "s": 36, "zorder": 5,
                    "label": _("Followed on {date} (ongoing)").format(date=as_of)},
    }
    for what, style in styles.items():
        if what in points:
            xs, ys = zip(*points[what], strict=True)
            ax.scatter(xs, ys, **{"linewidths": 0.4, "edgecolors": "white" if style["marker"] in "oDs" else None,
                                  **style})

    longest = max(months((ends[p.patient_id][0] - p.fraction_1).days) for p in rows)
    ax.set_xlim(0, longest * 1.04 + 0.5)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(range(len(rows)), [p.study_id for p in rows], fontsize=8)
    ax.set_xlabel(_("Months since fraction 1 (days / 30.4375)"))
    ax.set_ylabel(_("Patient"))
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    ax.set_axisbelow(True)

    grades = ax.twinx()
    grades.set_ylim(ax.get_ylim())
    grades.set_yticks(range(len(rows)), [_grades(summaries[p.patient_id]) for p in rows], fontsize=8)
    for label, p in zip(grades.get_yticklabels(), rows, strict=True):
        if _worst(summaries[p.patient_id]) >= 3:
            label.set_fontweight("bold")
    grades.set_title(_("Maximum grade (ASTCT),\nonset D0 to D+{day}").format(
        day=store.protocol.toxicity_days_after_infusion), loc="right", fontsize=8)
    figure.legend(handles=ax.get_legend_handles_labels()[0], loc="lower center",
                  bbox_to_anchor=(0.5, 0.1 / figure.get_figheight()), ncol=6, fontsize=8, frameon=False)


def _grades(summary) -> str:
    course = summary.first_infusion
    if course.status != ASSESSED:
        return _("not assessed")
    return f"CRS {course.crs.max_grade} · ICANS {course.icans.max_grade}"


def _worst(summary) -> int:
    course = summary.first_infusion
    return max(course.crs.max_grade, course.icans.max_grade) if course.status == ASSESSED else 0

"""The daily worklist: what the nurse takes to the ward for one day, across all patients.

A4 landscape. The tubes to put on the phlebotomy tray first, then every open item whose window
holds the day, grouped by patient (overdue ones marked), then the items missed in the last days,
which need a reason. The table header is repeated on every page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..core.protocol import BONE_MARROW
from ..core.schedule import OVERDUE, ScheduleEntry, item_label
from ..i18n import N_
from ..outputs import check_pdf_output, write_atomically
from .layout import (
    GREY,
    INK,
    LIGHT,
    OVERDUE_SHADE,
    RULE,
    Footer,
    TickBox,
    Typesetter,
    build,
    content_width,
    day_text,
    document,
    fit_widths,
    grid_style,
    row_height,
    row_heights,
)
from .options import LANGUAGES, Printed, check_choice

PAGE = landscape(A4)
MISSED_DAYS_BACK = 7  # store.schedules.missed's default: a week of closed windows to explain
SECTION_START = 40 * mm  # heading, table header and a few rows
# The due table's columns after the tick box.
DUE_COLUMNS = (N_("Patient"), N_("Timepoint"), N_("Item"), N_("Specimen · tube"), N_("Volume"), N_("Destination"),
               N_("Target date"), N_("Window closes"), N_("Status"), N_("Time"), N_("Initials"))
MISSED_COLUMNS = (N_("Patient"), N_("Timepoint"), N_("Item"), N_("Target date"), N_("Window closed"), N_("Reason"))
# What Today's filter of one kind of item shows, as the sheet names it.
KINDS = {"sample": N_("samples"), "assessment": N_("assessments"), "visit": N_("visits"), "infusion": N_("infusions")}


def write(store, day: date, out: Path | str, *, lang: str = "en", printed_by: str | None = None,
          overwrite: bool = False, kind: str = "all", patients: str = "") -> Printed:
    """Write the worklist of `day`; every check is made before the file is touched (`overwrite`:
    replace an existing file that is not a PDF). `kind` and `patients` (text in the study ID) print
    only what the window's Today shows with those filters."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"The worklist needs a date, not {day!r}.")
    lang = check_choice(lang, LANGUAGES, "language")
    out = check_pdf_output(out, store.path, overwrite)
    wanted = patients.strip().casefold()

    def shown(entries: list[ScheduleEntry]) -> list[ScheduleEntry]:
        return [e for e in entries if wanted in e.study_id.casefold()]

    due = shown(store.schedules.worklist(day, kind))
    missed = shown(store.schedules.missed(day, MISSED_DAYS_BACK, kind=kind))
    initials = {p.study_id: p.initials for p in store.patients.all()}
    ts = Typesetter(lang)
    width = content_width(PAGE)
    protocol = store.protocol.in_language(lang)  # tubes and laboratories in the sheet's language

    def label(entry: ScheduleEntry) -> str:
        return item_label(store.protocol, entry.item, lang)

    story = _story(protocol, day, due, missed, initials, label, ts, width)
    filters = ([ts.words(KINDS[kind])] if kind != "all" else []) + (
        [ts.words(N_("patients whose study ID contains “{text}”"), text=patients.strip())] if wanted else [])
    if filters:
        story.insert(2, Paragraph(ts.esc(ts.words(N_("Shown: {what}"), what=", ".join(filters))), ts.body))
    title = ts.words(N_("Daily worklist {date}"), date=day.isoformat())
    footer = Footer(ts, f"{store.protocol.code} · {title}", store.now(), printed_by or store.user)

    def render(path: Path) -> int:
        return build(document(path, PAGE, footer, title, protocol.title), story, footer)

    return Printed(out, write_atomically(out, render))


def _story(protocol, day: date, due: list[ScheduleEntry], missed: list[ScheduleEntry], initials: dict[str, str],
           label: Callable[[ScheduleEntry], str], ts: Typesetter, width: float) -> list[Flowable]:
    overdue = sum(1 for e in due if e.status == OVERDUE)
    patients = len({e.study_id for e in due} | {e.study_id for e in missed})
    story: list[Flowable] = [
        Paragraph(ts.t(N_("Daily worklist")) + f" — {ts.esc(day_text(ts, day))}", ts.title),
        Paragraph(f"<b>{ts.esc(protocol.code)}</b> · " + " · ".join((
            ts.ngettext("{count} patient", "{count} patients", patients),
            ts.ngettext("{count} item due", "{count} items due", len(due)),
            ts.ngettext("{count} overdue", "{count} overdue", overdue),
            ts.ngettext("{count} missed", "{count} missed", len(missed)))), ts.body),
    ]
    tray = _tray(protocol, due, ts)
    if tray is not None:
        story.append(KeepTogether([Paragraph(ts.t(N_("Phlebotomy tray: tubes to prepare")), ts.heading), tray]))
    marrow = sum(1 for e in due if protocol.activity(e.item.activity).specimen == BONE_MARROW)
    if marrow:
        story.append(Paragraph(ts.ngettext("Not on the tray: {count} bone-marrow aspirate (taken by the physician)",
                                           "Not on the tray: {count} bone-marrow aspirates (taken by the physician)",
                                           marrow), ts.body))
    # A section heading never ends a page alone: it starts a new page unless it has room for a few rows.
    story.append(CondPageBreak(SECTION_START))
    story.append(Paragraph(ts.t(N_("Due on this day")), ts.heading))
    story.append(_due_table(protocol, day, due, initials, label, ts, width) if due
                 else Paragraph(ts.t(N_("Nothing is due on this day.")), ts.body))
    story.append(Spacer(1, 2 * mm))
    story.append(CondPageBreak(SECTION_START))
    story.append(Paragraph(ts.t(N_("Missed — reason needed")), ts.heading))
    if missed:
        story.append(Paragraph(ts.t(N_("The window closed in the last {days} days with nothing recorded: a protocol "
                                       "deviation. Write the reason, then record the item as not done."),
                                    days=MISSED_DAYS_BACK), ts.small))
        story.append(Spacer(1, 1 * mm))
        story.append(_missed_table(missed, initials, label, ts, width))
    else:
        story.append(Paragraph(ts.t(N_("Nothing missed in the last {days} days."), days=MISSED_DAYS_BACK), ts.body))
    return story


def _tray(protocol, due: list[ScheduleEntry], ts: Typesetter) -> Table | None:
    """Tubes per type and their total volume, for the phlebotomy tray (blood only: a bone-marrow
    aspirate is not drawn there)."""
    count: Counter[str] = Counter()
    volume: defaultdict[str, float] = defaultdict(float)
    for entry in due:
        activity = protocol.activity(entry.item.activity)
        if activity.on_phlebotomy_tray:
            count[activity.tube] += 1
            volume[activity.tube] += activity.volume_ml or 0
    if not count:
        return None
    rows: list[list] = [[ts.t(N_("Tube")), ts.t(N_("Tubes")), ts.t(N_("Total volume"))]]
    for tube in sorted(count):
        rows.append([ts.text(tube), str(count[tube]), f"{ts.words.number(volume[tube])} mL"])
    rows.append([ts.t(N_("Total")), str(sum(count.values())), ""])
    table = Table(rows, colWidths=[70 * mm, 20 * mm, 28 * mm], hAlign="LEFT")
    table.setStyle(TableStyle(grid_style() + [
        ("FONT", (0, 0), (-1, -1), ts.fonts.regular, 8.5), ("FONT", (0, 0), (-1, 0), ts.fonts.bold, 8.5),
        ("FONT", (1, 1), (1, -1), ts.fonts.bold, 8.5), ("FONT", (0, -1), (-1, -1), ts.fonts.bold, 8.5),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("LINEABOVE", (0, -1), (-1, -1), 1, RULE)]))
    return table


def _due_table(protocol, day: date, due: list[ScheduleEntry], initials: dict[str, str],
               label: Callable[[ScheduleEntry], str], ts: Typesetter, width: float) -> Table:
    cell = ts.cell.clone("worklist", fontSize=8, leading=9.6)
    bold = cell.clone("worklist_bold", fontName=ts.fonts.bold)
    grey = cell.clone("worklist_grey", textColor=GREY)
    header = [""] + [Paragraph(ts.t(key), bold) for key in DUE_COLUMNS]
    rows: list[list] = [header]
    style = grid_style() + [("ALIGN", (0, 0), (0, -1), "CENTER"), ("FONT", (0, 0), (-1, -1), ts.fonts.regular, 8),
                            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    previous, group = None, -1
    for entry in due:
        row = len(rows)
        first = entry.study_id != previous
        if first:
            previous, group = entry.study_id, group + 1
            if row > 1:
                style.append(("LINEABOVE", (0, row), (-1, row), 1.4, INK))
        if group % 2:
            style.append(("BACKGROUND", (0, row), (-1, row), LIGHT))
        patient = ts.esc(f"{entry.study_id} · {initials.get(entry.study_id, '')}")
        activity = protocol.activity(entry.item.activity)
        sample = entry.item.kind == "sample"
        status = ts.words.status(entry.status)
        if entry.status == OVERDUE:
            style += [("BACKGROUND", (9, row), (9, row), OVERDUE_SHADE), ("FONT", (9, row), (9, row), ts.fonts.bold, 8)]
        target = entry.item.target_date
        rows.append([
            TickBox(),
            Paragraph(patient, bold if first else grey),
            ts.fonts.clean(entry.item.timepoint),
            Paragraph(ts.esc(label(entry)), cell),
            Paragraph(ts.esc(" · ".join(t for t in (activity.sample, activity.tube) if t)), cell) if sample else "",
            f"{ts.words.number(activity.volume_ml)} mL" if sample and activity.volume_ml else "",
            Paragraph(ts.esc(activity.lab or ""), cell),
            target.isoformat(),
            entry.item.window_end.isoformat(),
            ts.fonts.clean(status),
            "",
            "",
        ])
    statuses = [ts.fonts.clean(ts.words.status(s)) for s in (OVERDUE, "due")]
    texts = [[""]] + [[ts.fonts.clean(ts.words(key))] for key in DUE_COLUMNS]
    texts[7].append("2025-12-31")
    texts[8].append("2025-12-31")
    texts[9] += statuses
    widths = fit_widths(width, [6 * mm, 28 * mm, 14 * mm, 50 * mm, 38 * mm, 12 * mm, 30 * mm, 15 * mm, 15 * mm,
                                15 * mm, 12 * mm, 12 * mm], texts, ts.fonts.bold, 8, stretch=3)
    table = Table(rows, colWidths=widths, repeatRows=1, rowHeights=row_heights(rows, widths, 6.2 * mm, 3))
    table.setStyle(TableStyle(style))
    return table


def _missed_table(missed: list[ScheduleEntry], initials: dict[str, str], label: Callable[[ScheduleEntry], str],
                  ts: Typesetter, width: float) -> Table:
    header = [""] + [ts.b(heading) for heading in MISSED_COLUMNS]
    rows: list[list] = [header]
    texts = [[""]] + [[ts.fonts.clean(ts.words(heading))] for heading in MISSED_COLUMNS]
    texts[4].append("2025-12-31")
    texts[5].append("2025-12-31")
    widths = fit_widths(width, [6 * mm, 30 * mm, 14 * mm, 80 * mm, 20 * mm, 20 * mm, 60 * mm], texts,
                        ts.fonts.bold, 8.5, stretch=6)
    heights: list[float | None] = [None]
    for entry in missed:
        what = ts.text(label(entry))
        rows.append([TickBox(), ts.bold(f"{entry.study_id} · {initials.get(entry.study_id, '')}"),
                     ts.fonts.clean(entry.item.timepoint), what,
                     entry.item.target_date.isoformat(), entry.item.window_end.isoformat(), ""])
        heights.append(row_height(what, widths[3], 9 * mm))  # room to write the reason
    table = Table(rows, colWidths=widths, repeatRows=1, rowHeights=heights)
    table.setStyle(TableStyle(grid_style() + [("ALIGN", (0, 0), (0, -1), "CENTER"),
                                              ("FONT", (0, 0), (-1, -1), ts.fonts.regular, 8.5)]))
    return table

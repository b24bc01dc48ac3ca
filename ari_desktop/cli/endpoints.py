"""Command-line face of the trial's endpoint tables (CLINICAL.md section 7): the safety endpoints, then
the efficacy ones; each table states its as-of date, its denominator and who is evaluable."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable

import click

from ..core.dates import parse_date
from ..core.efficacy import MONTH_DAYS, EfficacyEndpoints
from ..core.endpoints import NOT_EVALUABLE_REASONS, SafetyEndpoints
from ..core.protocol import Protocol
from ..i18n import N_, _


def safety_lines(safety: SafetyEndpoints, protocol: Protocol) -> list[str]:
    """The safety endpoint table as a person reads it: the table first, then who is in each count,
    the study IDs wrapped under their heading."""
    window = f"D+{safety.window_days}"

    def listed(heading: str, study_ids) -> list[str]:
        ids = textwrap.wrap(", ".join(study_ids), width=96, initial_indent="    ", subsequent_indent="    ")
        return [f"{heading}: {len(study_ids)}", *ids]

    lines = [_("Safety endpoints of {protocol} as of {as_of}").format(protocol=protocol.code, as_of=safety.as_of),
             _("CRS and ICANS with onset D0 to {window} after the first infusion, each episode followed to its "
               "end.").format(window=window),
             "", f"{'':<24}{_('patients'):>9}{_('evaluable'):>11}{'%':>8}{_('grade >= 3'):>12}   "
                 + _("max grade 0/1/2/3/4/5")]
    for label, endpoint in ((_("CRS within {days} days").format(days=safety.window_days), safety.crs),
                            (_("ICANS within {days} days").format(days=safety.window_days), safety.icans)):
        share = "—" if endpoint.proportion is None else f"{100 * endpoint.proportion:.1f}"
        lines.append(f"{label:<24}{len(endpoint.patients):>9}{endpoint.evaluable:>11}{share:>8}"
                     f"{len(endpoint.grade_3_or_more):>12}   {'/'.join(str(n) for n in endpoint.by_max_grade)}")
    lines += ["", *listed(_("Denominator, infused (fraction 1 recorded given)"), safety.infused),
              *listed(_("Evaluable (assessed, and followed to {window} or until death or leaving the study)").format(
                          window=window), safety.evaluable)]
    for code, words in NOT_EVALUABLE_REASONS.items():
        apart = [study_id for study_id, why in safety.not_evaluable if why == code]
        if apart:
            lines += listed(_("Not evaluable, {why}").format(why=_(words)), apart)
    lines += listed(_("Prolonged cytopenia (grade >= 3 neutropenia or thrombocytopenia past D+{day})").format(
                        day=protocol.prolonged_cytopenia_after_day), safety.prolonged_cytopenia)
    lines += ["", _("Not infused, listed apart (not in the denominator): {count}").format(
        count=len(safety.not_infused))]
    lines += [f"    {study_id}  {why}" for study_id, why in safety.not_infused]
    return lines


def efficacy_lines(table: EfficacyEndpoints, protocol: Protocol) -> list[str]:
    """The efficacy tables as a person reads them, by section: each endpoint's value, then its
    denominator and what it counts (the rows the window's Analysis view shows)."""
    lines = [_("Efficacy endpoints of {protocol} as of {as_of}").format(protocol=protocol.code, as_of=table.as_of),
             _("Denominator: {infused} infused (fraction 1 recorded given); {not_infused} not infused, listed apart "
               "above.").format(infused=len(table.infused), not_infused=len(table.not_infused)),
             _("Proportions with their exact (Clopper-Pearson) 95 % CI; months = days / {days}.").format(
                 days=MONTH_DAYS)]
    section = None
    for row in table.rows():
        shown = row.shown()
        if shown.section != section:
            section = shown.section
            lines += ["", section]
        lines.append(f"  {shown.label}: {shown.value}")
        if shown.note:
            note = shown.note if row.evaluable is None else f"n = {row.evaluable}; {shown.note}"
            lines += textwrap.wrap(note, width=100, initial_indent="      ", subsequent_indent="      ")
    return lines


def register(cli: click.Group, get_store: Callable[[click.Context], object]) -> None:
    """Add the endpoint commands to the main command group."""

    @cli.command("endpoints")
    @click.option("--as-of", help="Count what was known on this date, YYYY-MM-DD (default today).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (codes, not labels).")
    @click.pass_context
    def endpoints(ctx, as_of, as_json) -> None:
        """The trial's endpoint tables: CRS and ICANS within 30 days of the first infusion, then response,
        MRD, time to CR, duration of response, PFS, OS, extramedullary response, late toxicity, CAR-T
        persistence and BCMA, each with its denominator, who is evaluable and the patients listed apart."""
        store = get_store(ctx)
        day = parse_date(as_of, N_("as-of date")) if as_of else None
        safety, efficacy = store.efficacy.tables(day)
        if as_json:
            click.echo(json.dumps({"as_of": safety.as_of.isoformat(), "protocol": store.protocol.code,
                                   "safety": safety.as_json(), "efficacy": efficacy.as_json()},
                                  indent=2, ensure_ascii=False))
            return
        for line in [*safety_lines(safety, store.protocol), "", *efficacy_lines(efficacy, store.protocol)]:
            click.echo(line)

"""Command-line faces of bedside toxicity: grading, assessments, go/hold, events, the summary."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from ..core import grading
from ..core.dates import local_now, parse_date, parse_datetime
from ..core.errors import ClinicalInputError
from ..core.gate import FractionDecision, age_text
from ..core.protocol import Protocol
from ..core.toxicity import EVENT_KINDS, BedsideFindings, Treatments

OXYGEN_HELP = "|".join(grading.OXYGEN_DEVICES)


def crs_options(command: Callable) -> Callable:
    for option in reversed([
        click.option("--temperature", type=float, required=True, help="Highest temperature, °C."),
        click.option("--fever-masked", is_flag=True,
                     help="Fever masked by antipyretics, tocilizumab or steroids given after CRS began."),
        click.option("--hypotension", is_flag=True, help="Hypotension not needing vasopressors."),
        click.option("--vasopressors", type=int, default=0, help="Vasopressors other than vasopressin (implies "
                     "hypotension)."),
        click.option("--vasopressin", is_flag=True, help="Vasopressin given."),
        click.option("--oxygen", default="none", help=OXYGEN_HELP),
        click.option("--flow", type=float, help="Oxygen flow, L/min."),
    ]):
        command = option(command)
    return command


def icans_options(command: Callable, ice_required: bool) -> Callable:
    for option in reversed([
        click.option("--ice", type=int, required=ice_required,
                     help="ICE score 0-10 (may be left out only when the patient is unarousable)."),
        click.option("--consciousness", default="alert", help="|".join(grading.CONSCIOUSNESS_LEVELS)),
        click.option("--seizure", default="none", help="|".join(grading.SEIZURE_KINDS)),
        click.option("--motor-weakness", is_flag=True, help="Deep focal motor weakness."),
        click.option("--edema", default="none", help="|".join(grading.EDEMA_KINDS)),
    ]):
        command = option(command)
    return command


def _findings(options: dict) -> BedsideFindings:
    return BedsideFindings(
        temperature_c=options["temperature"], fever_masked=options["fever_masked"],
        hypotension=options["hypotension"], vasopressors=options["vasopressors"], vasopressin=options["vasopressin"],
        oxygen=options["oxygen"], flow_l_min=options["flow"], ice=options["ice"],
        consciousness=options["consciousness"], seizure=options["seizure"],
        motor_weakness=options["motor_weakness"], edema=options["edema"])


def _print_grade(result: grading.Grade, as_json: bool) -> None:
    click.echo(json.dumps({"grade": result.grade, "reason": result.reason}) if as_json else result.reason)


def decision_json(d: FractionDecision, protocol: Protocol) -> dict:
    """A go / hold with what the physician saw then: the assessment, its grades and age, the override."""
    age = d.assessment_age_seen
    until = d.valid_until(protocol)
    return {
        "timepoint": d.timepoint, "decision": d.decision, "reason": d.reason, "by": d.decided_by,
        "at": d.decided_at.isoformat(timespec="minutes"), "override": d.override,
        "assessment_seen": d.assessment_seen, "crs_grade_seen": d.crs_grade_seen,
        "icans_grade_seen": d.icans_grade_seen,
        "assessment_age_minutes": None if age is None else int(age.total_seconds() // 60),
        "valid_until": until.isoformat(timespec="minutes") if until else None}


def register(cli: click.Group, get_store: Callable[[click.Context], object]) -> None:
    """Add the toxicity commands to the main command group."""

    @cli.group()
    def grade() -> None:
        """Compute an ASTCT grade from findings (nothing is saved)."""

    @grade.command("crs")
    @crs_options
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def grade_crs(as_json: bool, **options) -> None:
        """ASTCT CRS grade from temperature, hypotension and oxygen."""
        _print_grade(grading.crs(options["temperature"], fever_masked=options["fever_masked"],
                                 hypotension=options["hypotension"], vasopressors=options["vasopressors"],
                                 vasopressin=options["vasopressin"], oxygen=options["oxygen"],
                                 flow_l_min=options["flow"]), as_json)

    @grade.command("icans")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def grade_icans(as_json: bool, **options) -> None:
        """ASTCT ICANS grade (adults) from the ICE score and neurological findings."""
        _print_grade(grading.icans(options["ice"], consciousness=options["consciousness"],
                                   seizure=options["seizure"], motor_weakness=options["motor_weakness"],
                                   edema=options["edema"]), as_json)

    icans_options(grade_icans, ice_required=False)

    @cli.command("assess")
    @click.argument("study_id")
    @click.option("--at", "at_text", required=True, help="When the patient was assessed: YYYY-MM-DDTHH:MM.")
    @crs_options
    @click.option("--by", "assessor", help="Assessing physician (default: --user).")
    @click.option("--tocilizumab", type=float, default=0.0, help="Tocilizumab given, mg.")
    @click.option("--dexamethasone", type=float, default=0.0, help="Dexamethasone given, mg.")
    @click.option("--methylprednisolone", type=float, default=0.0, help="Methylprednisolone given, mg.")
    @click.option("--anakinra", type=float, default=0.0, help="Anakinra given, mg.")
    @click.option("--notes", default="", help="Free text.")
    @click.pass_context
    def assess(ctx, study_id, at_text, assessor, tocilizumab, dexamethasone, methylprednisolone, anakinra, notes,
               **options) -> None:
        """Save a bedside CRS/ICANS assessment; the grades are computed from the findings."""
        at = parse_datetime(at_text, "assessment time")
        findings = _findings(options)
        treatments = Treatments(tocilizumab, dexamethasone, methylprednisolone, anakinra)
        saved = get_store(ctx).assess(study_id, at, findings, treatments, assessor=assessor, notes=notes)
        click.echo(f"Saved for {study_id} at {saved.at:%Y-%m-%d %H:%M} by {saved.assessor}: "
                   f"CRS {saved.crs.reason}; ICANS {saved.icans.reason}.")

    icans_options(assess, ice_required=False)

    @cli.command("fraction")
    @click.argument("study_id")
    @click.option("--timepoint", required=True,
                  help="A fraction that needs a go: D+3 or D+7 ([infusion] go_decision_before in the protocol file).")
    @click.option("--go", "decision", flag_value="go", help="Give the fraction (with active CRS/ICANS: an override, "
                  "needs --reason).")
    @click.option("--hold", "decision", flag_value="hold", help="Hold the fraction (needs --reason).")
    @click.option("--reason", default="", help="Why (required to hold, and for a go against active CRS/ICANS).")
    @click.option("--by", "decided_by", help="Deciding physician (default: --user).")
    @click.option("--at", "at_text", help="When decided (default: now).")
    @click.option("--json", "as_json", is_flag=True, help="Print the decision recorded, with what was seen, as JSON.")
    @click.pass_context
    def fraction(ctx, study_id, timepoint, decision, reason, decided_by, at_text, as_json) -> None:
        """Record a physician's go or hold before fraction 2 or 3, with what was seen at the decision time."""
        if decision is None:
            raise ClinicalInputError("Say --go or --hold.", "decision")
        at = parse_datetime(at_text, "decision time") if at_text else local_now()
        store = get_store(ctx)
        saved = store.decide_fraction(study_id, timepoint, decision, reason, decided_by, at)
        if as_json:
            click.echo(json.dumps(decision_json(saved, store.protocol), indent=2, ensure_ascii=False))
            return
        seen = ("no assessment yet" if saved.assessment_seen is None
                else f"latest CRS grade {saved.crs_grade_seen}, ICANS grade {saved.icans_grade_seen}, "
                     f"assessed {age_text(saved.assessment_age_seen)}")
        override = ", an override of active toxicity" if saved.override else ""
        until = f"; valid until {saved.valid_until(store.protocol):%Y-%m-%d %H:%M}" if saved.decision == "go" else ""
        click.echo(f"{saved.decision.capitalize()} for the fraction at {timepoint} of {study_id} by "
                   f"{saved.decided_by} ({seen}{override}){until}.")

    @cli.command("event")
    @click.argument("study_id")
    @click.option("--kind", required=True, help="|".join(EVENT_KINDS))
    @click.option("--onset", required=True, help="Onset date, YYYY-MM-DD.")
    @click.option("--grade", "ctcae_grade", type=int, help="CTCAE grade 1-5.")
    @click.option("--count", type=float,
                  help="For a cytopenia: neutrophils or platelets x10^9/L, or haemoglobin g/dL; the grade is computed.")
    @click.option("--resolved", help="Resolution date, YYYY-MM-DD.")
    @click.option("--notes", default="", help="Free text.")
    @click.pass_context
    def event(ctx, study_id, kind, onset, ctcae_grade, count, resolved, notes) -> None:
        """Record TLS, a cytopenia, an infection, IEC-HS or hypogammaglobulinaemia."""
        if ctcae_grade is not None and count is not None:
            raise ClinicalInputError("Give --grade or --count, not both.", "grade")
        saved = get_store(ctx).add_event(
            study_id, kind, parse_date(onset, "onset date"), grade=ctcae_grade, value=count,
            resolution=parse_date(resolved, "resolution date") if resolved else None, notes=notes)
        click.echo(f"Recorded {saved.label} for {study_id}: {saved.grade_reason} (event {saved.id}).")

    @cli.command("toxicity")
    @click.argument("study_id")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def toxicity(ctx, study_id, as_json) -> None:
        """A patient's assessments, go/hold decisions, events and toxicity summary."""
        store = get_store(ctx)
        patient = store.patient(study_id)
        assessments, decisions = store.assessments(study_id), store.decisions(study_id)
        events, summary = store.events(study_id), store.toxicity_summary(study_id)
        day0 = patient.anchors.day0
        if as_json:
            click.echo(json.dumps({
                "study_id": patient.study_id,
                "assessments": [{
                    "id": a.id, "at": a.at.isoformat(timespec="minutes"), "assessor": a.assessor,
                    "day": (a.at.astimezone().date() - day0).days if day0 else None,
                    "study_day": patient.anchors.study_day(a.at.astimezone().date()),
                    "crs_grade": a.crs.grade, "crs_reason": a.crs.reason,
                    "icans_grade": a.icans.grade, "icans_reason": a.icans.reason,
                    "temperature_c": a.findings.temperature_c, "ice": a.findings.ice,
                    "tocilizumab_mg": a.treatments.tocilizumab_mg, "dexamethasone_mg": a.treatments.dexamethasone_mg,
                    "methylprednisolone_mg": a.treatments.methylprednisolone_mg,
                    "anakinra_mg": a.treatments.anakinra_mg, "notes": a.notes} for a in assessments],
                "fraction_decisions": [decision_json(d, store.protocol) for d in decisions],
                "events": [{
                    "id": e.id, "kind": e.kind, "grade": e.grade, "reason": e.grade_reason,
                    "onset": e.onset.isoformat(), "resolution": e.resolution.isoformat() if e.resolution else None,
                    "notes": e.notes} for e in events],
                "summary": summary,
            }, indent=2, ensure_ascii=False))
            return
        for a in assessments:
            day = patient.anchors.study_day(a.at.astimezone().date())
            click.echo(f"{a.at:%Y-%m-%d %H:%M} {day:<5} CRS {a.crs.grade}  ICANS {a.icans.grade}  {a.assessor}")
        for d in decisions:
            override = " [override]" if d.override else ""
            click.echo(f"{d.decided_at:%Y-%m-%d %H:%M} {d.timepoint:<5} {d.decision.upper():<4}{override} "
                       f"{d.reason or '(no reason given)'} ({d.decided_by})")
        for e in events:
            resolved = f", resolved {e.resolution}" if e.resolution else ""
            click.echo(f"{e.onset} {e.label}: {e.grade_reason}{resolved}")
        for course, values in summary.items():
            if values:
                click.echo(f"{course.replace('_', ' ')}: max CRS {values['max_crs_grade']}, "
                           f"max ICANS {values['max_icans_grade']}, CRS onset day {values['crs_onset_day']}, "
                           f"tocilizumab {values['tocilizumab_total_mg']:g} mg")

"""Command-line faces of bedside toxicity: grading, assessments, go/hold, events, the summary."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import click

from ..core import grading
from ..core.counts import CYTOPENIAS, UNITS, VALUES, GradedCount
from ..core.ctcae import LabSet, TlsFinding, TlsLabs
from ..core.dates import parse_date, parse_datetime
from ..core.endpoints import course_sentence
from ..core.errors import ClinicalInputError
from ..core.gate import FractionDecision, age_text
from ..core.protocol import Protocol
from ..core.toxicity import EVENT_GRADES, EVENT_KINDS, EVENT_SUBTYPES, BedsideFindings, Treatments, grades_text
from ..i18n import N_, _
from .numbers import DecimalNumber, WholeNumber

# The findings chosen from a list. `grade` only computes and takes the calm one when none is given;
# `assess` saves, so it must be told each one: a default would record "alert, no seizure" nobody said.
CHOSEN_FINDINGS = {"oxygen": (grading.OXYGEN_DEVICES, "none"), "consciousness": (grading.CONSCIOUSNESS_LEVELS, "alert"),
                   "seizure": (grading.SEIZURE_KINDS, "none"), "edema": (grading.EDEMA_KINDS, "none")}


def _finding_option(name: str, saved: bool) -> Callable:
    codes, calm = CHOSEN_FINDINGS[name]
    return click.option(f"--{name}", default=None if saved else calm,
                        help="|".join(codes) + (" (required)" if saved else f" (default {calm})"))


def _say_every_finding(options: dict) -> None:
    """Refuse an assessment that leaves a finding of a list unsaid, naming every one left out."""
    missing = [f"--{name}" for name in CHOSEN_FINDINGS if options[name] is None]
    if missing:
        listed = " and ".join(filter(None, (", ".join(missing[:-1]), missing[-1])))
        raise ClinicalInputError(_("Say what was seen: give {listed} (e.g. --oxygen none --consciousness alert "
                                   "--seizure none --edema none).").format(listed=listed),
                                 missing[0].removeprefix("--"))


def crs_options(command: Callable, saved: bool = False) -> Callable:
    for option in reversed([
        click.option("--temperature", type=DecimalNumber(N_("Temperature"), "38.6"),
                     required=True, help="Highest temperature, °C."),
        click.option("--fever-masked", is_flag=True,
                     help="Fever masked by antipyretics, tocilizumab or steroids given after CRS began."),
        click.option("--hypotension", is_flag=True, help="Hypotension not needing vasopressors."),
        click.option("--vasopressors", type=WholeNumber(N_("Number of vasopressors"), "1"),
                     default=0, help="Vasopressors other than vasopressin (implies "
                     "hypotension)."),
        click.option("--vasopressin", is_flag=True, help="Vasopressin given."),
        _finding_option("oxygen", saved),
        click.option("--flow", type=DecimalNumber(N_("Oxygen flow"), "4"), help="Oxygen flow, L/min."),
    ]):
        command = option(command)
    return command


def icans_options(command: Callable, ice_required: bool, saved: bool = False) -> Callable:
    for option in reversed([
        click.option("--ice", type=WholeNumber(N_("ICE score"), "10"), required=ice_required,
                     help="ICE score 0-10 (may be left out only when the patient is unarousable)."),
        _finding_option("consciousness", saved),
        _finding_option("seizure", saved),
        click.option("--motor-weakness", is_flag=True, help="Deep focal motor weakness."),
        _finding_option("edema", saved),
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
    @functools.partial(crs_options, saved=True)
    @click.option("--tocilizumab", type=DecimalNumber(N_("The tocilizumab dose"), "8"),
                  default=0.0, help="Tocilizumab given, mg.")
    @click.option("--dexamethasone", type=DecimalNumber(N_("The dexamethasone dose"), "8"),
                  default=0.0, help="Dexamethasone given, mg.")
    @click.option("--methylprednisolone", type=DecimalNumber(N_("The methylprednisolone dose"), "8"),
                  default=0.0, help="Methylprednisolone given, mg.")
    @click.option("--anakinra", type=DecimalNumber(N_("The anakinra dose"), "8"), default=0.0,
                  help="Anakinra given, mg.")
    @click.option("--notes", default="", help="Free text.")
    @click.pass_context
    def assess(ctx, study_id, at_text, tocilizumab, dexamethasone, methylprednisolone, anakinra, notes,
               **options) -> None:
        """Save a bedside CRS/ICANS assessment, assessed by you; the grades are computed from the findings."""
        _say_every_finding(options)
        at = parse_datetime(at_text, N_("assessment time"))
        findings = _findings(options)
        treatments = Treatments(tocilizumab, dexamethasone, methylprednisolone, anakinra)
        saved = get_store(ctx).assessments.add(study_id, at, findings, treatments, notes=notes)
        click.echo(_("Saved for {study_id} at {at:%Y-%m-%d %H:%M} by {assessor}: CRS {reason}; ICANS {icans}.").format(
                       study_id=study_id, at=saved.at, assessor=saved.assessor, reason=saved.crs.reason,
                       icans=saved.icans.reason))

    icans_options(assess, ice_required=False, saved=True)

    @cli.command("fraction")
    @click.argument("study_id")
    @click.option("--timepoint", required=True,
                  help="A fraction that needs a go: D+3 or D+7 ([infusion] go_decision_before in the protocol file).")
    @click.option("--go", "decision", flag_value="go", help="Give the fraction (with active CRS/ICANS: an override, "
                  "needs --reason).")
    @click.option("--hold", "decision", flag_value="hold", help="Hold the fraction (needs --reason).")
    @click.option("--reason", default="", help="Why (required to hold, and for a go against active CRS/ICANS).")
    @click.option("--at", "at_text", help="When decided (default: now).")
    @click.option("--json", "as_json", is_flag=True, help="Print the decision recorded, with what was seen, as JSON.")
    @click.pass_context
    def fraction(ctx, study_id, timepoint, decision, reason, at_text, as_json) -> None:
        """Record your go or hold (a physician's) before fraction 2 or 3, with what was seen at the decision time."""
        if decision is None:
            raise ClinicalInputError(_("Say --go or --hold."), "decision")
        at = parse_datetime(at_text, N_("decision time")) if at_text else None  # None: now, by the store's clock
        store = get_store(ctx)
        saved = store.fractions.decide(study_id, timepoint, decision, reason, at)
        if as_json:
            click.echo(json.dumps(decision_json(saved, store.protocol), indent=2, ensure_ascii=False))
            return
        seen = (_("no assessment yet") if saved.assessment_seen is None
                else _("latest CRS grade {crs}, ICANS grade {icans}, assessed {age}").format(
                    crs=saved.crs_grade_seen, icans=saved.icans_grade_seen, age=age_text(saved.assessment_age_seen)))
        if saved.override:
            seen = _("{seen}, an override of active toxicity").format(seen=seen)
        if saved.decision == "go":
            said = _("Go for the fraction at {timepoint} of {study_id} by {decided_by} ({seen}); valid until "
                     "{until:%Y-%m-%d %H:%M}.")
        else:
            said = _("Hold for the fraction at {timepoint} of {study_id} by {decided_by} ({seen}).")
        click.echo(said.format(timepoint=timepoint, study_id=study_id, decided_by=saved.decided_by, seen=seen,
                               until=saved.valid_until(store.protocol)))

    @cli.command("event")
    @click.argument("study_id")
    @click.option("--kind", required=True, help="|".join(EVENT_KINDS))
    @click.option("--onset", required=True, help="Onset date, YYYY-MM-DD (for a death: the date of death).")
    @click.option("--grade", "ctcae_grade", type=WholeNumber(N_("The grade"), "3"),
                  help="The grade, as assessed: only the grades the term has ("
                  + "; ".join(f"{kind} {grades_text(grades)}" for kind, (_, grades) in EVENT_GRADES.items()) + ").")
    @click.option("--subtype", help="; ".join(f"{kind}: {'|'.join(subtypes)}" for kind, subtypes in
                                              EVENT_SUBTYPES.items()) + " (other: say which in --notes).")
    @click.option("--resolved", help="Resolution date, YYYY-MM-DD.")
    @click.option("--notes", default="", help="Free text.")
    @click.pass_context
    def event(ctx, study_id, kind, onset, ctcae_grade, subtype, resolved, notes) -> None:
        """Record an event graded by a physician: TLS, a cytopenia graded clinically, an infection,
        IEC-HS, hypogammaglobulinaemia, delayed neurotoxicity, or the cause of death."""
        saved = get_store(ctx).events.add(
            study_id, kind, parse_date(onset, N_("onset date")), grade=ctcae_grade, subtype=subtype,
            resolution=parse_date(resolved, N_("resolution date")) if resolved else None, notes=notes)
        click.echo(_("Recorded {label} for {study_id}: {grade_reason} (event {id}).").format(
                       label=saved.label, study_id=study_id, grade_reason=saved.grade_reason, id=saved.id))

    @cli.command("count")
    @click.argument("study_id")
    @click.option("--at", "at_text", required=True, help="When the blood was taken: YYYY-MM-DDTHH:MM.")
    @click.option("--neutrophils", type=DecimalNumber(N_("Neutrophils"), "0.4"), help="Neutrophils, ×10^9/L.")
    @click.option("--platelets", type=DecimalNumber(N_("Platelets"), "40"), help="Platelets, ×10^9/L.")
    @click.option("--haemoglobin", type=DecimalNumber(N_("Haemoglobin"), "9.5"), help="Haemoglobin, g/dL.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def count(ctx, study_id, at_text, neutrophils, platelets, haemoglobin, as_json) -> None:
        """Save a blood count (at least one value) and print its CTCAE grades."""
        saved = get_store(ctx).counts.add(study_id, parse_datetime(at_text, N_("count time")), neutrophils=neutrophils,
                                         platelets=platelets, haemoglobin=haemoglobin)
        if as_json:
            click.echo(json.dumps(_count_json(saved), indent=2, ensure_ascii=False))
            return
        click.echo(_("Saved the count of {measured_at:%Y-%m-%d %H:%M} for {study_id}: {grades}.").format(
                       measured_at=saved.count.measured_at, study_id=study_id, grades=_grades(saved)))

    @cli.command("counts")
    @click.argument("study_id")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def counts(ctx, study_id, as_json) -> None:
        """A patient's blood counts in time order with their CTCAE grades, and the cytopenias they show."""
        store = get_store(ctx)
        series = store.counts.of(study_id)
        episodes = [e for e in store.events.of(study_id) if e.from_counts]
        if as_json:
            click.echo(json.dumps({
                "counts": [_count_json(c) for c in series],
                "cytopenias": [{"kind": e.kind, "grade": e.grade, "reason": e.grade_reason,
                                "onset": e.onset.isoformat(),
                                "resolution": e.resolution.isoformat() if e.resolution else None} for e in episodes],
            }, indent=2, ensure_ascii=False))
            return
        for c in series:
            click.echo(f"{c.count.measured_at:%Y-%m-%d %H:%M}  {_grades(c)}")
        for e in episodes:
            line = (_("{label} from {onset}, worst grade {grade}, resolved {resolution}") if e.resolution
                    else _("{label} from {onset}, worst grade {grade}, ongoing"))
            click.echo(line.format(label=e.label, onset=e.onset, grade=e.grade, resolution=e.resolution))

    @cli.command("labs")
    @click.argument("study_id")
    @click.option("--at", "at_text", required=True, help="When the blood was taken: YYYY-MM-DDTHH:MM.")
    @click.option("--uric-acid", type=DecimalNumber(N_("Uric acid"), "350"), required=True, help="Uric acid, µmol/L.")
    @click.option("--potassium", type=DecimalNumber(N_("Potassium"), "4.2"), required=True, help="Potassium, mmol/L.")
    @click.option("--phosphate", type=DecimalNumber(N_("Phosphate"), "1.1"), required=True, help="Phosphate, mmol/L.")
    @click.option("--calcium", type=DecimalNumber(N_("Calcium"), "2.3"), required=True, help="Calcium, mmol/L.")
    @click.option("--creatinine-x-uln", type=DecimalNumber(N_("Creatinine"), "1.2"),
                  help="Creatinine as a multiple of the upper limit of normal.")
    @click.option("--arrhythmia", is_flag=True, help="Cardiac arrhythmia or sudden death.")
    @click.option("--seizure", is_flag=True, help="Seizure.")
    @click.option("--baseline", is_flag=True, help="This set is the baseline for the +25 % changes.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def labs(ctx, study_id, at_text, uric_acid, potassium, phosphate, calcium, creatinine_x_uln, arrhythmia, seizure,
             baseline, as_json) -> None:
        """Save a tumour-lysis lab set and print its Cairo-Bishop reading (laboratory or clinical TLS)."""
        lab_set, finding = get_store(ctx).labs.add(
            study_id, parse_datetime(at_text, N_("lab time")), TlsLabs(uric_acid, potassium, phosphate, calcium),
            creatinine_x_uln=creatinine_x_uln, arrhythmia=arrhythmia, seizure=seizure, baseline=baseline)
        if as_json:
            click.echo(json.dumps(_labs_json(lab_set, finding), indent=2, ensure_ascii=False))
            return
        click.echo(_("Saved the lab set of {measured_at:%Y-%m-%d %H:%M} for {study_id}: {reason}.").format(
                       measured_at=lab_set.measured_at, study_id=study_id, reason=finding.reason))
        if finding.laboratory:
            click.echo(_("Tumour lysis (Cairo-Bishop) on {window_day}: give its CTCAE grade (3-5) with 'ari-desktop "
                         "event {study_id} --kind tls --onset {measured_at:%Y-%m-%d} --grade N'.").format(
                           window_day=finding.window_day, study_id=study_id, measured_at=lab_set.measured_at))

    @cli.command("toxicity")
    @click.argument("study_id")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def toxicity(ctx, study_id, as_json) -> None:
        """A patient's assessments, go/hold decisions, events and toxicity summary."""
        store = get_store(ctx)
        patient = store.patients.get(study_id)
        assessments, decisions = store.assessments.of(study_id), store.fractions.of(study_id)
        events, summary = store.events.of(study_id), store.toxicity.summary(study_id)
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
                "summary": summary.as_json(),
            }, indent=2, ensure_ascii=False))
            return
        for a in assessments:
            day = patient.anchors.study_day(a.at.astimezone().date())
            click.echo(f"{a.at:%Y-%m-%d %H:%M} {day:<5} CRS {a.crs.grade}  ICANS {a.icans.grade}  {a.assessor}")
        for d in decisions:
            override = " [override]" if d.override else ""
            click.echo(f"{d.decided_at:%Y-%m-%d %H:%M} {d.timepoint:<5} {d.decision.upper():<4}{override} "
                       f"{d.reason or _('(no reason given)')} ({d.decided_by})")
        for e in events:
            line = (_("{onset} {label}: {reason}, resolved {resolution}") if e.resolution
                    else _("{onset} {label}: {reason}"))
            click.echo(line.format(onset=e.onset, label=e.label, reason=e.grade_reason, resolution=e.resolution))
        for label, course in ((_("First infusion"), summary.first_infusion), (_("Booster"), summary.booster)):
            if course is not None:
                click.echo(_("{label}: {course}").format(label=label, course=course_sentence(course)))


def _grades(graded: GradedCount) -> str:
    return "; ".join(graded.grades[kind].reason for kind in CYTOPENIAS if kind in graded.grades)


def _count_json(graded: GradedCount) -> dict:
    c = graded.count
    return {"id": c.id, "at": c.measured_at.isoformat(timespec="minutes"),
            **{VALUES[kind]: getattr(c, VALUES[kind]) for kind in CYTOPENIAS},
            "units": UNITS, "recorded_by": c.recorded_by,
            "grades": {kind: {"grade": g.grade, "reason": g.reason} for kind, g in graded.grades.items()}}


def _labs_json(lab_set: LabSet, finding: TlsFinding) -> dict:
    return {"id": lab_set.id, "at": lab_set.measured_at.isoformat(timespec="minutes"),
            "uric_acid_umol_l": lab_set.labs.uric_acid_umol_l, "potassium_mmol_l": lab_set.labs.potassium_mmol_l,
            "phosphate_mmol_l": lab_set.labs.phosphate_mmol_l, "calcium_mmol_l": lab_set.labs.calcium_mmol_l,
            "creatinine_x_uln": lab_set.creatinine_x_uln, "arrhythmia": lab_set.arrhythmia,
            "seizure": lab_set.seizure, "baseline": lab_set.baseline,
            "baseline_at": finding.baseline.measured_at.isoformat(timespec="minutes") if finding.baseline else None,
            "window_day": finding.window_day, "laboratory_tls": finding.laboratory, "clinical_tls": finding.clinical,
            "reason": finding.reason}

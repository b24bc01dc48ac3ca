"""CTCAE v5.0 cytopenias, prolonged cytopenia and Cairo-Bishop tumour lysis.

Pure functions over plain values, with the rules of CLINICAL.md section 4. Like the ASTCT graders,
each grade comes with the finding that decided it and bad input raises ClinicalInputError.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from ..i18n import N_, _
from .errors import ClinicalInputError
from .grading import Grade, as_number, as_whole_number, as_written
from .phrases import Joined, Phrase, Reasoned, Words, english, said
from .protocol import day_code

# --------------------------------------------------------------------------------------------
# Cytopenias (CTCAE v5.0)


@dataclass(frozen=True, eq=False)  # the three scales below, each itself: hashed by identity in _cytopenia's cache
class _CytopeniaScale:
    name: str  # as written in the reason: "neutrophils" (the reasons are kept in English; N_ for the errors)
    unit: str
    field: str
    absurd_high: float
    bands: tuple[tuple[float, int], ...]  # (value below this -> grade), worst first


_NEUTROPHILS = _CytopeniaScale(N_("neutrophils"), "×10⁹/L", "anc", 100.0, ((0.5, 4), (1.0, 3), (1.5, 2)))
_PLATELETS = _CytopeniaScale(N_("platelets"), "×10⁹/L", "platelets", 2000.0, ((25.0, 4), (50.0, 3), (75.0, 2)))
# Anaemia grade 4 (life-threatening, urgent intervention) is a clinical judgement, not a value.
_HAEMOGLOBIN = _CytopeniaScale(N_("haemoglobin"), "g/dL", "haemoglobin", 25.0, ((8.0, 3), (10.0, 2)))


@lru_cache(maxsize=4096)  # a cohort's counts repeat a few hundred values: the Today flags grade 70,000 of them
def _cytopenia(scale: _CytopeniaScale, value: float, lln: float) -> Grade:
    what = _(scale.name).capitalize()
    value = as_number(value, what=what, field=scale.field)
    if not 0.0 <= value <= scale.absurd_high:
        raise ClinicalInputError(
            _("{what} {value} {unit} is outside the plausible range 0–{high} {unit}.").format(
                what=what, value=as_written(value), unit=scale.unit, high=as_written(scale.absurd_high)),
            field=scale.field,
        )
    lln = as_number(lln, what=_("Lower limit of normal for {name}").format(name=_(scale.name)), field="lln")
    if not 0.0 < lln <= scale.absurd_high:
        raise ClinicalInputError(
            _("Lower limit of normal for {name} {lln} {unit} is not plausible: it must be above 0 and at most "
              "{high} {unit}.").format(name=_(scale.name), lln=as_written(lln), unit=scale.unit,
                                       high=as_written(scale.absurd_high)),
            field="lln",
        )
    shown = f"{scale.name} {as_written(value)} {scale.unit}"
    if value >= lln:
        return Grade(0, f"grade 0: {shown}, not below the lower limit of normal {as_written(lln)} {scale.unit}")
    for limit, grade in scale.bands:
        if value < limit:
            return Grade(grade, f"grade {grade}: {shown}, below {as_written(limit)}")
    return Grade(1, f"grade 1: {shown}, below the lower limit of normal {as_written(lln)} {scale.unit}")


def neutropenia(anc_10e9_l: float, lln: float = 2.0) -> Grade:
    """CTCAE v5 neutrophil count decreased: G1 < LLN-1.5, G2 < 1.5-1.0, G3 < 1.0-0.5, G4 < 0.5."""
    return _cytopenia(_NEUTROPHILS, anc_10e9_l, lln)


def thrombocytopenia(platelets_10e9_l: float, lln: float = 150.0) -> Grade:
    """CTCAE v5 platelet count decreased: G1 < LLN-75, G2 < 75-50, G3 < 50-25, G4 < 25."""
    return _cytopenia(_PLATELETS, platelets_10e9_l, lln)


def anaemia(haemoglobin_g_dl: float, lln: float = 12.0) -> Grade:
    """CTCAE v5 anaemia by value: G1 < LLN-10, G2 < 10-8, G3 < 8 g/dL (no grade 4 by value)."""
    return _cytopenia(_HAEMOGLOBIN, haemoglobin_g_dl, lln)


def prolonged_cytopenia(day: int, neutropenia_grade: int, thrombocytopenia_grade: int, after_day: int = 30) -> bool:
    """True when grade >= 3 neutropenia or thrombocytopenia is found past ``after_day``.

    "Past" means strictly after: on day +30 itself it is not yet prolonged with the default.
    This judges one assessment; whether the cytopenia persisted between assessments is for the
    caller to see in the series of results.
    """
    day = as_whole_number(day, what=N_("Study day"), field="day")
    after_day = as_whole_number(after_day, what=N_("Prolonged-cytopenia day"), field="after_day")
    for grade, field, what in (
        (neutropenia_grade, "neutropenia_grade", _("Neutropenia grade")),
        (thrombocytopenia_grade, "thrombocytopenia_grade", _("Thrombocytopenia grade")),
    ):
        grade = as_whole_number(grade, what=what, field=field)
        if not 0 <= grade <= 4:
            raise ClinicalInputError(_("{what} {grade} is outside the range 0–4.").format(
                                         what=what, grade=grade), field=field)
    return day > after_day and max(neutropenia_grade, thrombocytopenia_grade) >= 3


# --------------------------------------------------------------------------------------------
# Tumour lysis (Cairo-Bishop)


@dataclass(frozen=True)
class TlsLabs:
    """One set of results in SI units; None = not measured."""

    uric_acid_umol_l: float | None = None
    potassium_mmol_l: float | None = None
    phosphate_mmol_l: float | None = None
    calcium_mmol_l: float | None = None


@dataclass(frozen=True)
class TlsResult(Reasoned):
    laboratory: bool
    clinical: bool
    reason: str  # English, as written into JSON and the CLI's lines
    words: Words | None = dataclasses.field(default=None, compare=False)  # the reason as phrases


@dataclass(frozen=True)
class _TlsCriterion:
    attribute: str  # field of TlsLabs
    name: str
    field: str
    unit: str
    limit: float
    limit_text: str  # the limit as Cairo-Bishop writes it: "6.0 mmol/L"
    rises: bool  # True: >= limit or +25 % from baseline; False: <= limit or -25 %
    absurd_high: float


_TLS_CRITERIA = (
    _TlsCriterion("uric_acid_umol_l", N_("uric acid"), "uric_acid", "µmol/L", 476.0, "476 µmol/L", True, 3000.0),
    _TlsCriterion("potassium_mmol_l", N_("potassium"), "potassium", "mmol/L", 6.0, "6.0 mmol/L", True, 12.0),
    _TlsCriterion("phosphate_mmol_l", N_("phosphate"), "phosphate", "mmol/L", 1.45, "1.45 mmol/L", True, 10.0),
    _TlsCriterion("calcium_mmol_l", N_("calcium"), "calcium", "mmol/L", 1.75, "1.75 mmol/L", False, 5.0),
)
_TLS_CHANGE = Decimal("0.25")
CREATININE_X_ULN_LIMIT = 1.5
MAX_CREATININE_X_ULN = 30.0


def _lab_value(criterion: _TlsCriterion, labs: TlsLabs, *, baseline: bool) -> float | None:
    value = getattr(labs, criterion.attribute)
    if value is None:
        return None
    prefix = "baseline_" if baseline else ""
    what = (_("Baseline {name}").format(name=_(criterion.name)) if baseline else _(criterion.name)).capitalize()
    value = as_number(value, what=what, field=prefix + criterion.field)
    if not 0.0 <= value <= criterion.absurd_high:
        raise ClinicalInputError(
            _("{what} {value} {unit} is outside the plausible range 0–{high} {unit}.").format(
                what=what, value=as_written(value), unit=criterion.unit, high=as_written(criterion.absurd_high)),
            field=prefix + criterion.field,
        )
    return value


def _tls_finding(criterion: _TlsCriterion, value: float, base: float | None) -> Phrase | None:
    """Words for a met criterion, or None when it is not met."""
    reasons: list[Words] = []
    if value >= criterion.limit if criterion.rises else value <= criterion.limit:
        sign = "≥" if criterion.rises else "≤"
        reasons.append(f"{sign} {criterion.limit_text}")  # a limit: the same in every language
    if base is not None and base > 0:
        # Decimal from the shortest repr compares exactly what was typed: 4.0 -> 5.0 is +25 %.
        change = (Decimal(str(value)) - Decimal(str(base))) / Decimal(str(base))
        if change >= _TLS_CHANGE if criterion.rises else change <= -_TLS_CHANGE:
            reasons.append(said(N_("{change} % from baseline {baseline}"), change=f"{float(change) * 100:+.0f}",
                                baseline=as_written(base)))
    if not reasons:
        return None
    return said(N_("{name} {value} {unit} ({criteria})"), name=said(criterion.name), value=as_written(value),
                unit=criterion.unit, criteria=Joined(reasons))


def tumour_lysis(
    labs: TlsLabs,
    baseline: TlsLabs | None = None,
    *,
    creatinine_x_uln: float | None = None,
    arrhythmia: bool = False,
    seizure: bool = False,
) -> TlsResult:
    """Cairo-Bishop laboratory and clinical tumour lysis syndrome for one set of results.

    Laboratory TLS: two or more of uric acid >= 476 µmol/L, potassium >= 6.0 mmol/L, phosphate
    >= 1.45 mmol/L (each or +25 % from ``baseline``), calcium <= 1.75 mmol/L (or -25 %).
    Clinical TLS: laboratory TLS plus creatinine >= 1.5 x ULN, arrhythmia or sudden death, or
    seizure. The Cairo-Bishop window (3 days before to 7 days after treatment) is the caller's
    to apply when choosing which results to pass.
    """
    met: list[Phrase] = []
    not_measured: list[Phrase] = []
    for criterion in _TLS_CRITERIA:
        value = _lab_value(criterion, labs, baseline=False)
        base = None if baseline is None else _lab_value(criterion, baseline, baseline=True)
        if value is None:
            not_measured.append(said(criterion.name))
            continue
        finding = _tls_finding(criterion, value, base)
        if finding is not None:
            met.append(finding)

    triggers: list[Phrase] = []
    if creatinine_x_uln is not None:
        creatinine_x_uln = as_number(creatinine_x_uln, what=N_("Creatinine"), field="creatinine")
        if not 0.0 <= creatinine_x_uln <= MAX_CREATININE_X_ULN:
            raise ClinicalInputError(
                _("Creatinine {creatinine_x_uln} × ULN is outside the plausible range 0–{high} × ULN.").format(
                    creatinine_x_uln=as_written(creatinine_x_uln), high=as_written(MAX_CREATININE_X_ULN)),
                field="creatinine",
            )
        if creatinine_x_uln >= CREATININE_X_ULN_LIMIT:
            triggers.append(said(N_("creatinine {creatinine_x_uln} × ULN (≥ 1.5 × ULN)"),
                                 creatinine_x_uln=as_written(creatinine_x_uln)))
    if arrhythmia:
        triggers.append(said(N_("arrhythmia or sudden death")))
    if seizure:
        triggers.append(said(N_("seizure")))

    laboratory = len(met) >= 2
    clinical = laboratory and bool(triggers)
    if clinical:
        words: Words = said(N_("clinical TLS: {triggers}; laboratory TLS: {criteria}"),
                            triggers=Joined(triggers, ", "), criteria=Joined(met))
    elif laboratory:
        words = said(N_("laboratory TLS: {criteria}; no clinical criterion (creatinine ≥ 1.5 × ULN, arrhythmia, "
                        "seizure)"), criteria=Joined(met))
    else:
        found = said(N_("1 criterion met, 2 needed: {criterion}"), criterion=met[0]) if met else said(
            N_("no criterion met"))
        parts: list[Words] = [said(N_("no laboratory TLS: {found}"), found=found)]
        if not_measured:
            parts.append(said(N_("not measured: {measurements}"), measurements=Joined(not_measured, ", ")))
        if triggers:
            parts.append(said(N_("{triggers} without laboratory TLS is not clinical TLS"),
                              triggers=Joined(triggers, ", ")))
        words = Joined(parts)
    return TlsResult(laboratory=laboratory, clinical=clinical, reason=english(words), words=words)


# Cairo-Bishop counts laboratory changes from 3 days before to 7 days after treatment (day 0, B0).
TLS_WINDOW_DAYS = (-3, 7)


@dataclass(frozen=True)
class LabSet:
    """One set of tumour-lysis results with the clinical findings at that time; `baseline` when the
    physician marks it as the reference for the +25 % changes."""

    measured_at: datetime
    labs: TlsLabs
    creatinine_x_uln: float | None = None
    arrhythmia: bool = False
    seizure: bool = False
    baseline: bool = False
    id: int | None = None
    recorded_by: str = ""


@dataclass(frozen=True)
class TlsFinding(Reasoned):
    """Cairo-Bishop for one lab set: laboratory and clinical TLS (never a CTCAE grade: the physician
    gives it), the study day when inside a Cairo-Bishop window, and the baseline it was compared to."""

    laboratory: bool
    clinical: bool
    reason: str  # English, as written into JSON and the CLI's lines
    window_day: str | None
    baseline: LabSet | None
    words: Words | None = dataclasses.field(default=None, compare=False)  # the reason as phrases


def tls_baseline(lab_set: LabSet, lab_sets: Iterable[LabSet]) -> LabSet | None:
    """The reference for a lab set's +25 % changes: the latest set marked baseline before it; when
    none is marked, the patient's earliest set, if it is earlier. None: only the absolute limits."""
    before = sorted((s for s in lab_sets if s.measured_at < lab_set.measured_at), key=lambda s: s.measured_at)
    marked = [s for s in before if s.baseline]
    if marked:
        return marked[-1]
    return before[0] if before else None


def tls_window_day(day: date, day0: date | None, booster: date | None) -> str | None:
    """ "D+2" or "B-1" when `day` is within 3 days before to 7 days after day 0 or the booster."""
    first, last = TLS_WINDOW_DAYS
    for anchor, start in (("booster", booster), ("day0", day0)):
        if start is not None and first <= (day - start).days <= last:
            return day_code(anchor, (day - start).days)
    return None


def tls_finding(lab_set: LabSet, lab_sets: Iterable[LabSet], day0: date | None, booster: date | None) -> TlsFinding:
    """Cairo-Bishop laboratory / clinical TLS of one lab set of the patient's series; outside the
    window (3 days before to 7 days after day 0 or B0) the results are read but are not TLS."""
    baseline = tls_baseline(lab_set, lab_sets)
    result = tumour_lysis(lab_set.labs, baseline.labs if baseline else None, creatinine_x_uln=lab_set.creatinine_x_uln,
                          arrhythmia=lab_set.arrhythmia, seizure=lab_set.seizure)
    window_day = tls_window_day(lab_set.measured_at.astimezone().date(), day0, booster)
    if window_day is None and result.laboratory:
        words = said(N_("outside the Cairo-Bishop window (3 days before to 7 days after day 0 or the booster), so not "
                        "TLS: {reading}"), reading=result.words)
        return TlsFinding(False, False, english(words), None, baseline, words)
    return TlsFinding(result.laboratory, result.clinical, result.reason, window_day, baseline, result.words)

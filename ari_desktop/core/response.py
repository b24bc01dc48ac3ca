"""Myeloma response by the IMWG 2016 criteria (Kumar et al., Lancet Oncol 2016;17:e328).

Pure functions over plain values, the rules of ``CLINICAL.md`` section 6: the category an assessment
shows against screening (baseline) and the lowest values so far (nadir), the criterion that decided
it, what is missing when the numbers do not allow one, its confirmation over two consecutive
assessments, and MRD negativity (reported apart from the category).

Where ``CLINICAL.md`` is silent or ambiguous the published IMWG 2016 reading is used; each such place
says "IMWG 2016 reading" in a comment. Units are those the laboratory reports: serum M-protein g/dL,
urine M-protein mg/24 h, free light chains mg/L (10 mg/dL = 100 mg/L), marrow plasma cells %.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

from ..i18n import N_, _
from .errors import ClinicalInputError
from .grading import as_number, as_written
from .phrases import Joined, Phrase, Reasoned, Words, english, in_words, said

__all__ = [
    "CATEGORIES",
    "CLONALITY_METHODS",
    "IMMUNOFIXATION",
    "MRD_METHODS",
    "PET_CT_RESPONSES",
    "Confirmation",
    "Mrd",
    "MrdStatus",
    "Nadir",
    "Response",
    "ResponseAssessment",
    "confirmations",
    "followed_parameter",
    "imaging_plus_mrd_negative",
    "imwg_response",
    "is_overall_response",
    "mrd_negative",
    "nadir_of",
    "sustained_mrd_negative",
]

# Best first. MR and SD are categories of their own; PD stands apart from the ranking.
CATEGORIES = ("sCR", "CR", "VGPR", "PR", "MR", "SD", "PD")
_RANKED = CATEGORIES[:-1]

IMMUNOFIXATION = ("negative", "positive")
CLONALITY_METHODS = ("immunohistochemistry", "flow cytometry")
# Extramedullary response of the soft-tissue disease read on PET-CT. "complete" is the
# disappearance of every area of increased uptake (IMWG 2016 reading, as for imaging-plus MRD).
PET_CT_RESPONSES = (N_("complete"), N_("partial"), N_("stable"), N_("progressive"))  # codes, shown with _()
MRD_METHODS = (N_("next-generation flow"), N_("next-generation sequencing"), N_("other"))  # codes, shown with _()

# -- thresholds, each once ------------------------------------------------------------------------
NORMAL_FLC_RATIO = (0.26, 1.65)  # kappa/lambda; IMWG 2016 reading (CLINICAL.md says "normal")
MEASURABLE_SERUM_G_DL = 1.0  # "serum M-protein >= 1 g/dL"
MEASURABLE_URINE_MG = 200.0  # "urine M-protein >= 200 mg/24 h"
MEASURABLE_FLC_MG_L = 100.0  # "involved FLC >= 10 mg/dL with an abnormal ratio"
MEASURABLE_MARROW_PCT = 30.0  # marrow followed "when baseline was >= 30 %"
CR_MARROW_BELOW_PCT = 5.0  # "< 5 % plasma cells in marrow"
VGPR_FALL = 0.90  # ">= 90 % fall in serum M-protein"
VGPR_URINE_BELOW_MG = 100.0  # "with urine M-protein < 100 mg/24 h"
PR_FALL = 0.50  # ">= 50 % fall"
PR_URINE_FALL = 0.90  # "urine M-protein down >= 90 % ..."
PR_URINE_BELOW_MG = 200.0  # "... or < 200 mg/24 h"
MR_SERUM_FALL = 0.25  # "serum M-protein down 25-49 %"
MR_URINE_FALL = 0.50  # "urine M-protein down 50-89 %"
# CLINICAL.md writes "(plasmacytomas >= 50 %)" for MR; IMWG 2016 reading: a 25-49 % shrink suffices.
MR_PLASMACYTOMA_FALL = 0.25
PD_RISE = 0.25  # ">= 25 % from the nadir"
PD_SERUM_MIN_G_DL = 0.5  # "absolute >= 0.5 g/dL"
PD_SERUM_HIGH_NADIR_G_DL = 5.0  # "when the nadir was >= 5 g/dL" ...
PD_SERUM_HIGH_MIN_G_DL = 1.0  # ... a rise of >= 1 g/dL is progression (IMWG 2016 reading, see _serum_pd)
PD_URINE_MIN_MG = 200.0  # "(>= 200 mg/24 h)"
PD_FLC_MORE_THAN_MG_L = 100.0  # "(absolute > 10 mg/dL)": strictly more
PD_MARROW_MIN_PCT = 10.0  # "(absolute >= 10 %)"
PD_LESION_GROWTH = 0.50  # ">= 50 % growth of existing ones"
MRD_SENSITIVITY = 1e-5  # "MRD negativity (sensitivity 10^-5)"
MRD_SUSTAINED_DAYS = 365  # "confirmed at least a year apart"

_EPS = 1e-9  # lab values have a few decimals: 0.7 - 0.2 is a rise of 0.5, not 0.49999999999999994


def _at_least(value: float, limit: float) -> bool:
    return value >= limit - _EPS


def _pct(fraction: float) -> str:
    return f"{as_written(round(fraction * 100, 1))} %"


# -- what was measured ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Mrd:
    """One minimal-residual-disease test of the marrow."""

    method: str  # one of MRD_METHODS
    sensitivity: float  # the smallest fraction of cells the test detects: 1e-5 is one in 100,000
    result: str  # "negative" or "positive"

    def __post_init__(self):
        if self.method not in MRD_METHODS:
            raise ClinicalInputError(_("MRD method {method!r} is not known: choose one of {allowed}.").format(
                                         method=self.method, allowed=', '.join(MRD_METHODS)), field="mrd_method")
        sensitivity = as_number(self.sensitivity, what=N_("MRD sensitivity"), field="mrd_sensitivity")
        if not 0 < sensitivity < 1:
            raise ClinicalInputError(_("MRD sensitivity must be a fraction between 0 and 1, such as 1e-5 (got "
                                       "{sensitivity}).").format(sensitivity=as_written(sensitivity)),
                                     field="mrd_sensitivity")
        if self.result not in IMMUNOFIXATION:
            raise ClinicalInputError(_("MRD result {result!r} is not known: choose negative or positive.").format(
                                         result=self.result),
                                     field="mrd_result")


# field -> (what the clinic calls it, unit, the largest possible value)
_NUMBERS = {
    "serum_m_g_dl": (N_("serum M-protein"), "g/dL", 20.0),
    "urine_m_mg_24h": (N_("urine M-protein"), "mg/24 h", 100_000.0),
    "kappa_mg_l": (N_("kappa free light chain"), "mg/L", 1_000_000.0),
    "lambda_mg_l": (N_("lambda free light chain"), "mg/L", 1_000_000.0),
    "marrow_plasma_cells_pct": (N_("marrow plasma cells"), "%", 100.0),
    "plasmacytoma_spd_mm2": (N_("sum of products of plasmacytoma diameters"), "mm²", 1_000_000.0),
}
_YES_NO = {"marrow_clonal": N_("clonal plasma cells in the marrow"), "new_lesion": N_("a new lesion")}
_CHOICES = {
    "serum_ife": (N_("serum immunofixation"), IMMUNOFIXATION),
    "urine_ife": (N_("urine immunofixation"), IMMUNOFIXATION),
    "clonality_method": (N_("clonality method"), CLONALITY_METHODS),
    "pet_ct": (N_("PET-CT extramedullary response"), PET_CT_RESPONSES),
}


@dataclass(frozen=True)
class ResponseAssessment:
    """The numbers of one response assessment. None always means "not measured / not done"."""

    serum_m_g_dl: float | None = None  # electrophoresis; 0 = no M-spike
    urine_m_mg_24h: float | None = None  # 24-h urine electrophoresis; 0 = none
    serum_ife: str | None = None  # "negative" / "positive"
    urine_ife: str | None = None
    kappa_mg_l: float | None = None
    lambda_mg_l: float | None = None
    marrow_plasma_cells_pct: float | None = None  # None: no marrow taken
    marrow_clonal: bool | None = None  # clonal plasma cells seen in the marrow; None: not assessed
    clonality_method: str | None = None  # how clonality was assessed
    plasmacytoma_spd_mm2: float | None = None  # soft-tissue plasmacytomas; 0 = none seen
    new_lesion: bool | None = None  # a new soft-tissue or bone lesion; None: not looked for
    pet_ct: str | None = None  # extramedullary response on PET-CT
    mrd: Mrd | None = None

    def __post_init__(self):
        for name, (what, unit, largest) in _NUMBERS.items():
            value = getattr(self, name)
            if value is not None and not 0 <= as_number(value, what=what, field=name) <= largest:
                raise ClinicalInputError(_("The {what} must be between 0 and {largest} {unit} (got {value}).").format(
                                             what=_(what), largest=as_written(largest), unit=unit,
                                             value=as_written(value)), field=name)
        for name, what in _YES_NO.items():
            if not (getattr(self, name) is None or isinstance(getattr(self, name), bool)):
                raise ClinicalInputError(_("Whether there is {what} must be yes, no or not assessed (got "
                                           "{value!r}).").format(what=_(what), value=getattr(self, name)), field=name)
        for name, (what, allowed) in _CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ClinicalInputError(_("{what} {value!r} is not known: choose one of {allowed}.").format(
                                             what=_(what).capitalize(), value=value, allowed=", ".join(allowed)),
                                         field=name)

    @property
    def flc_ratio(self) -> float | None:
        """Kappa/lambda, computed so it can never disagree with the two values."""
        if self.kappa_mg_l is None or self.lambda_mg_l is None or self.lambda_mg_l == 0:
            return None
        return self.kappa_mg_l / self.lambda_mg_l

    def flc_difference(self, involved: str) -> float | None:
        """Involved minus uninvolved free light chain (mg/L); a value below 0 counts as 0."""
        if self.kappa_mg_l is None or self.lambda_mg_l is None:
            return None
        difference = self.kappa_mg_l - self.lambda_mg_l
        return max(difference if involved == "kappa" else -difference, 0.0)

    @property
    def has_marrow(self) -> bool:
        return self.marrow_plasma_cells_pct is not None or self.marrow_clonal is not None


def _ratio_normal(ratio: float) -> bool:
    low, high = NORMAL_FLC_RATIO
    return low <= ratio <= high


def _involved_chain(baseline: ResponseAssessment) -> str | None:
    """The light chain the myeloma makes, read from the screening ratio; None when it is normal."""
    ratio = baseline.flc_ratio
    if ratio is None or _ratio_normal(ratio):
        return None
    return "kappa" if ratio > NORMAL_FLC_RATIO[1] else "lambda"


@dataclass(frozen=True)
class Disease:
    """What is followed for this patient, decided once from screening (measurable disease)."""

    serum: bool  # serum M-protein >= 1 g/dL
    urine: bool  # urine M-protein >= 200 mg/24 h
    involved: str | None  # "kappa"/"lambda" when FLC is followed, else None
    marrow: bool  # marrow followed: nothing else measurable and >= 30 % plasma cells

    @property
    def m_protein(self) -> bool:
        return self.serum or self.urine

    @property
    def nothing_else(self) -> bool:
        """No measurable serum, urine or FLC disease: marrow is the one left."""
        return not self.m_protein and self.involved is None


def _disease(baseline: ResponseAssessment) -> Disease:
    serum = baseline.serum_m_g_dl is not None and _at_least(baseline.serum_m_g_dl, MEASURABLE_SERUM_G_DL)
    urine = baseline.urine_m_mg_24h is not None and _at_least(baseline.urine_m_mg_24h, MEASURABLE_URINE_MG)
    involved = None
    chain = _involved_chain(baseline)
    if not (serum or urine) and chain is not None:
        level = baseline.kappa_mg_l if chain == "kappa" else baseline.lambda_mg_l
        involved = chain if _at_least(level, MEASURABLE_FLC_MG_L) else None
    marrow = (not (serum or urine) and involved is None and baseline.marrow_plasma_cells_pct is not None
              and _at_least(baseline.marrow_plasma_cells_pct, MEASURABLE_MARROW_PCT))
    return Disease(serum, urine, involved, marrow)


def followed_parameter(baseline: ResponseAssessment) -> str | None:
    """In words, what the response is measured on (CLINICAL.md: measurable disease at baseline)."""
    disease = _disease(baseline)
    if disease.m_protein:
        return " and ".join(name for name, on in (("serum M-protein", disease.serum),
                                                  ("urine M-protein", disease.urine)) if on)
    if disease.involved:
        return f"the {disease.involved} free light chain difference"
    return "marrow plasma cells" if disease.marrow else None


@dataclass(frozen=True)
class Nadir:
    """The lowest value of each parameter so far, screening included; None when never measured."""

    serum_m_g_dl: float | None = None
    urine_m_mg_24h: float | None = None
    flc_difference_mg_l: float | None = None
    marrow_plasma_cells_pct: float | None = None
    plasmacytoma_spd_mm2: float | None = None


def nadir_of(baseline: ResponseAssessment, earlier: Sequence[ResponseAssessment]) -> Nadir:
    """The nadir progression is measured from: the lowest of screening and the assessments before."""
    return _nadirs(baseline, earlier)[-1]


def _lowest(nadir: float | None, value: float | None) -> float | None:
    return value if nadir is None else nadir if value is None else min(nadir, value)


def _nadirs(baseline: ResponseAssessment, assessments: Sequence[ResponseAssessment]) -> list[Nadir]:
    """The nadir before each assessment, and after the last one: in one pass, not one per assessment."""
    involved = _involved_chain(baseline)
    out = [Nadir()]
    for a in [baseline, *assessments]:
        last = out[-1]
        out.append(Nadir(**{f.name: _lowest(getattr(last, f.name), getattr(a, f.name))
                            for f in fields(Nadir) if f.name != "flc_difference_mg_l"},
                         flc_difference_mg_l=_lowest(last.flc_difference_mg_l, a.flc_difference(involved))
                         if involved else None))
    return out[1:]


# -- the pieces each category is made of ---------------------------------------------------------
# Each finding is a phrase (English kept for JSON and the command line, shown in the window's language);
# what is measured is itself a phrase, so each sentence is whole in every language.

@dataclass(frozen=True)
class _Test:
    ok: bool | None  # None: the data do not say
    words: Phrase  # the finding, or (ok None) what is missing: "a bone-marrow aspirate: not done"

    @property
    def says(self) -> str:
        return english(self.words)


_SERUM_M, _URINE_M = N_("serum M-protein"), N_("urine M-protein")
_FLC_DIFFERENCE = {"kappa": N_("kappa-minus-uninvolved FLC difference"),
                   "lambda": N_("lambda-minus-uninvolved FLC difference")}


def _not_measured(what: str) -> Phrase:
    return said(N_("{what}: not measured"), what=said(what))


def _fall(what: str, unit: str, before: float, now: float | None, fall: float) -> _Test:
    """A fall of at least `fall` from screening."""
    if now is None:
        return _Test(None, _not_measured(what))
    down = (before - now) / before
    return _Test(_at_least(down, fall), said(N_("{what} down {share} ({before} to {now} {unit})"), what=said(what),
                                             share=_pct(down), before=as_written(before), now=as_written(now),
                                             unit=unit))


def _measured(what: str, value: float, unit: str) -> Phrase:
    return said(N_("{what} {value} {unit}"), what=said(what), value=as_written(value), unit=unit)


def _below(what: str, unit: str, now: float | None, limit: float) -> _Test:
    if now is None:
        return _Test(None, _not_measured(what))
    return _Test(not _at_least(now, limit), _measured(what, now, unit))


def _serum_fall(b: ResponseAssessment, a: ResponseAssessment, fall: float) -> _Test:
    return _fall(_SERUM_M, "g/dL", b.serum_m_g_dl, a.serum_m_g_dl, fall)


def _urine_fall(b: ResponseAssessment, a: ResponseAssessment, fall: float) -> _Test:
    return _fall(_URINE_M, "mg/24 h", b.urine_m_mg_24h, a.urine_m_mg_24h, fall)


def _flc_fall(disease: Disease, b: ResponseAssessment, a: ResponseAssessment, fall: float) -> _Test:
    return _fall(_FLC_DIFFERENCE[disease.involved], "mg/L",
                 b.flc_difference(disease.involved), a.flc_difference(disease.involved), fall)


# kind -> (M-protein seen on electrophoresis, immunofixation not done, {result: immunofixation result})
_IMMUNOFIXATION = {
    "serum": (N_("serum M-protein on electrophoresis"), N_("serum immunofixation: not done"),
              {"negative": N_("serum immunofixation negative"), "positive": N_("serum immunofixation positive")}),
    "urine": (N_("urine M-protein on electrophoresis"), N_("urine immunofixation: not done"),
              {"negative": N_("urine immunofixation negative"), "positive": N_("urine immunofixation positive")}),
}


def _immunofixation_negative(kind: str, electrophoresis: float | None, ife: str | None) -> _Test:
    # An M-protein seen on electrophoresis is one immunofixation would find: CR is excluded at once.
    seen, not_done, results = _IMMUNOFIXATION[kind]
    if electrophoresis is not None and electrophoresis > 0:
        return _Test(False, said(seen))
    if ife is None:
        return _Test(None, said(not_done))
    return _Test(ife == "negative", said(results[ife]))


def _none_on_electrophoresis(a: ResponseAssessment) -> _Test:
    """VGPR's first route: M-protein "detectable by immunofixation but not electrophoresis"."""
    tests = [_Test(None if v is None else v == 0, _not_measured(what) if v is None else _measured(what, v, unit))
             for what, v, unit in ((_SERUM_M, a.serum_m_g_dl, "g/dL"), (_URINE_M, a.urine_m_mg_24h, "mg/24 h"))]
    if any(t.ok is False for t in tests):
        return next(t for t in tests if t.ok is False)
    if any(t.ok is None for t in tests):
        return next(t for t in tests if t.ok is None)
    return _Test(True, said(N_("no M-protein on serum or urine electrophoresis")))


def _marrow_below(a: ResponseAssessment) -> _Test:
    if a.marrow_plasma_cells_pct is None:
        return _Test(None, said(N_("a bone-marrow aspirate: not done")))
    return _Test(not _at_least(a.marrow_plasma_cells_pct, CR_MARROW_BELOW_PCT),
                 said(N_("{value} % plasma cells in marrow"), value=as_written(a.marrow_plasma_cells_pct)))


def _ratio_normal_test(a: ResponseAssessment) -> _Test:
    ratio = a.flc_ratio
    if ratio is None:
        return _Test(None, said(N_("both free light chains: not measured")))
    return _Test(_ratio_normal(ratio), said(N_("FLC ratio {ratio}"), ratio=as_written(round(ratio, 2))))


def _no_clonal_cells(a: ResponseAssessment) -> _Test:
    if a.marrow_clonal is None:
        return _Test(None, said(N_("marrow clonality (immunohistochemistry or flow cytometry): not done")))
    return _Test(not a.marrow_clonal, said(N_("clonal plasma cells in marrow")) if a.marrow_clonal
                 else said(N_("no clonal plasma cells in marrow")))


def _pet_ct(response: str) -> Phrase:
    return said(N_("PET-CT extramedullary response {response}"), response=said(response))


def _no_plasmacytoma(b: ResponseAssessment, a: ResponseAssessment) -> _Test:
    if a.pet_ct is not None:
        return _Test(a.pet_ct == "complete", _pet_ct(a.pet_ct))
    if a.plasmacytoma_spd_mm2 is not None:
        return _Test(a.plasmacytoma_spd_mm2 == 0, said(N_("no soft-tissue plasmacytoma")) if a.plasmacytoma_spd_mm2 == 0
                     else said(N_("a soft-tissue plasmacytoma remains")))
    if b.plasmacytoma_spd_mm2:
        return _Test(None, said(N_("a plasmacytoma measurement or PET-CT: not done")))
    # A plasmacytoma nobody recorded at screening is not asked to disappear.
    return _Test(True, said(N_("no soft-tissue plasmacytoma recorded")))


def _plasmacytoma_shrink(b: ResponseAssessment, a: ResponseAssessment, fall: float) -> list[_Test]:
    """"Plasmacytomas present at baseline must shrink": no test when none was present."""
    if not b.plasmacytoma_spd_mm2:
        return []
    if a.pet_ct is not None:
        return [_Test(a.pet_ct in ("complete", "partial"), _pet_ct(a.pet_ct))]
    return [_fall(N_("plasmacytomas (sum of products of diameters)"), "mm²", b.plasmacytoma_spd_mm2,
                  a.plasmacytoma_spd_mm2, fall)]


def _urine_pr(b: ResponseAssessment, a: ResponseAssessment) -> _Test:
    """"Urine M-protein down >= 90 % or < 200 mg/24 h"."""
    if a.urine_m_mg_24h is None:
        return _Test(None, _not_measured(_URINE_M))
    if not _at_least(a.urine_m_mg_24h, PR_URINE_BELOW_MG):
        return _below(_URINE_M, "mg/24 h", a.urine_m_mg_24h, PR_URINE_BELOW_MG)
    return _urine_fall(b, a, PR_URINE_FALL)


# -- the categories, best first: each a list of alternatives, each alternative a list of tests ------
# IMWG 2016 reading (as in its uniform reporting): the M-protein criteria apply to the parameters
# measurable at screening; VGPR's urine < 100 mg/24 h and CR's immunofixation apply to everyone.

def _cr(d: Disease, b: ResponseAssessment, a: ResponseAssessment) -> list[list[_Test]]:
    tests = [_immunofixation_negative("serum", a.serum_m_g_dl, a.serum_ife),
             _immunofixation_negative("urine", a.urine_m_mg_24h, a.urine_ife),
             _no_plasmacytoma(b, a), _marrow_below(a)]
    if d.involved:  # IMWG 2016 reading: CR of FLC-only disease also needs a normal ratio
        tests.append(_ratio_normal_test(a))
    return [tests]


def _scr(d: Disease, b: ResponseAssessment, a: ResponseAssessment) -> list[list[_Test]]:
    tests = _cr(d, b, a)[0]
    if not d.involved:
        tests.append(_ratio_normal_test(a))
    return [[*tests, _no_clonal_cells(a)]]


def _vgpr(d: Disease, b: ResponseAssessment, a: ResponseAssessment) -> list[list[_Test]]:
    if d.m_protein:
        by_fall = [_serum_fall(b, a, VGPR_FALL)] if d.serum else []
        return [[_none_on_electrophoresis(a)],
                [*by_fall, _below(_URINE_M, "mg/24 h", a.urine_m_mg_24h, VGPR_URINE_BELOW_MG)]]
    if d.involved:  # IMWG 2016 reading: >= 90 % fall in the FLC difference for FLC-only disease
        return [[_flc_fall(d, b, a, VGPR_FALL)]]
    return []  # marrow-only disease has no VGPR


def _pr(d: Disease, b: ResponseAssessment, a: ResponseAssessment) -> list[list[_Test]]:
    if d.m_protein:
        tests = ([_serum_fall(b, a, PR_FALL)] if d.serum else []) + ([_urine_pr(b, a)] if d.urine else [])
    elif d.involved:
        tests = [_flc_fall(d, b, a, PR_FALL)]
    elif d.marrow:
        tests = [_fall(N_("marrow plasma cells"), "%", b.marrow_plasma_cells_pct, a.marrow_plasma_cells_pct, PR_FALL)]
    else:
        return []
    return [[*tests, *_plasmacytoma_shrink(b, a, PR_FALL)]]


def _mr(d: Disease, b: ResponseAssessment, a: ResponseAssessment) -> list[list[_Test]]:
    if not d.m_protein:
        return []  # MR is defined on the M-protein only
    tests = ([_serum_fall(b, a, MR_SERUM_FALL)] if d.serum else []) + \
        ([_urine_fall(b, a, MR_URINE_FALL)] if d.urine else [])
    return [[*tests, *_plasmacytoma_shrink(b, a, MR_PLASMACYTOMA_FALL)]]


_RULES = (("sCR", _scr), ("CR", _cr), ("VGPR", _vgpr), ("PR", _pr), ("MR", _mr))


# -- progression, from the nadir -----------------------------------------------------------------

def _rise(what: str, unit: str, nadir: float | None, now: float | None, minimum: float, *,
          strictly: bool = False) -> Phrase | None:
    """The PD finding when `now` is >= 25 % above the nadir by at least `minimum` (or more than it)."""
    if nadir is None or now is None:
        return None
    rise = now - nadir
    enough = rise > minimum + _EPS if strictly else _at_least(rise, minimum)
    if enough and _at_least(rise, PD_RISE * nadir):
        values = {"what": said(what), "rise": as_written(round(rise, 3)), "unit": unit, "nadir": as_written(nadir)}
        if nadir:
            return said(N_("{what} up {rise} {unit} ({share}) from its nadir of {nadir} {unit}"),
                        share=_pct(rise / nadir), **values)
        return said(N_("{what} up {rise} {unit} from its nadir of {nadir} {unit}"), **values)
    return None


def _serum_pd(nadir: float | None, now: float | None) -> Phrase | None:
    # CLINICAL.md: "absolute >= 0.5 g/dL; >= 1 g/dL when the nadir was >= 5 g/dL". Read as a raised
    # minimum, the second clause would never matter (25 % of 5 g/dL is already 1.25), so the IMWG 2016
    # reading is used: from a nadir >= 5 g/dL a rise of 1 g/dL is progression by itself.
    if nadir is not None and now is not None and _at_least(nadir, PD_SERUM_HIGH_NADIR_G_DL):
        if _at_least(now - nadir, PD_SERUM_HIGH_MIN_G_DL):
            return said(N_("serum M-protein up {rise} g/dL from a nadir of {nadir} g/dL (at least 1 g/dL from a "
                           "nadir of 5 g/dL or more)"), rise=as_written(round(now - nadir, 3)), nadir=as_written(nadir))
        return None
    return _rise(_SERUM_M, "g/dL", nadir, now, PD_SERUM_MIN_G_DL)


def _progression(d: Disease, n: Nadir, a: ResponseAssessment) -> tuple[list[Phrase], Phrase | None]:
    """The PD criteria met by the current assessment: those on other findings, and the marrow's."""
    found = [
        _serum_pd(n.serum_m_g_dl, a.serum_m_g_dl),
        _rise(_URINE_M, "mg/24 h", n.urine_m_mg_24h, a.urine_m_mg_24h, PD_URINE_MIN_MG),
        # "the FLC difference when M-protein is not measurable"
        _rise(N_("the FLC difference"), "mg/L", n.flc_difference_mg_l, a.flc_difference(d.involved),
              PD_FLC_MORE_THAN_MG_L, strictly=True) if d.involved else None,
        said(N_("a new lesion")) if a.new_lesion else None,
        said(N_("PET-CT shows progressive extramedullary disease")) if a.pet_ct == "progressive" else None,
    ]
    if n.plasmacytoma_spd_mm2 is not None and a.plasmacytoma_spd_mm2 is not None:
        if n.plasmacytoma_spd_mm2 == 0 and a.plasmacytoma_spd_mm2 > 0:
            found.append(said(N_("a soft-tissue plasmacytoma where none was left")))
        elif n.plasmacytoma_spd_mm2 and _at_least(a.plasmacytoma_spd_mm2 / n.plasmacytoma_spd_mm2 - 1,
                                                  PD_LESION_GROWTH):
            found.append(said(N_("plasmacytomas grown {share} from their nadir"),
                              share=_pct(a.plasmacytoma_spd_mm2 / n.plasmacytoma_spd_mm2 - 1)))
    # "marrow plasma cells when nothing else is measurable"
    marrow = _rise(N_("marrow plasma cells"), "%", n.marrow_plasma_cells_pct, a.marrow_plasma_cells_pct,
                   PD_MARROW_MIN_PCT) if d.nothing_else else None
    return [f for f in found if f], marrow


# -- the proposal --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    """The category the numbers show, the criterion that decided it, and what kept a better one open."""

    category: str | None  # one of CATEGORIES, or None when the data do not allow one
    criterion: str  # one sentence in the clinic's words, English (stored, JSON, the command line)
    missing: tuple[str, ...] = ()  # e.g. "CR needs a bone-marrow aspirate: not done" (English)
    by_marrow_alone: bool = False  # decided by the marrow only: needs no confirmation
    # The same sentences as phrases, shown in the window's language; None: the English text is all there is.
    criterion_words: Words | None = dataclasses.field(default=None, compare=False)
    missing_words: tuple[Words, ...] | None = dataclasses.field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.criterion_words is None:
            object.__setattr__(self, "criterion_words", self.criterion)
        if self.missing_words is None:
            object.__setattr__(self, "missing_words", self.missing)

    @property
    def criterion_shown(self) -> str:
        """The criterion in the active language."""
        return in_words(self.criterion_words)

    @property
    def missing_shown(self) -> tuple[str, ...]:
        """What is missing, in the active language."""
        return tuple(in_words(m) for m in self.missing_words)

    @property
    def needs_confirmation(self) -> bool:
        """CLINICAL.md: two consecutive assessments, except SD and what the marrow alone decides."""
        return self.category not in (None, "SD") and not self.by_marrow_alone


def _decide(alternatives: list[list[_Test]]) -> tuple[bool | None, list[_Test]]:
    """Met when every test of one alternative is met; None when one could still be, for lack of data."""
    undecided = []
    for tests in alternatives:
        if all(t.ok for t in tests):
            return True, tests
        if not any(t.ok is False for t in tests):
            undecided.extend(t for t in tests if t.ok is None)
    return (None if undecided else False), undecided


def _needs(keeps_open: dict[str, tuple[Phrase, str]]) -> list[Phrase]:
    ordered = sorted(keeps_open.values(), key=lambda item: _RANKED.index(item[1]))  # best category first
    return [said(N_("{category} needs {finding}"), category=name, finding=words) for words, name in ordered]


def _response(category: str | None, criterion: Phrase, missing: Sequence[Phrase] = (), *,
              by_marrow_alone: bool = False) -> Response:
    return Response(category, english(criterion), tuple(english(m) for m in missing), by_marrow_alone,
                    criterion, tuple(missing))


def imwg_response(baseline: ResponseAssessment, nadir: Nadir, current: ResponseAssessment) -> Response:
    """The IMWG 2016 category of `current`, against screening and the nadir before it."""
    disease = _disease(baseline)
    progression, marrow = _progression(disease, nadir, current)
    if progression or marrow:
        return _response("PD", said(N_("PD: {findings}."), findings=Joined([*progression, *([marrow] if marrow
                                                                                           else [])])),
                         by_marrow_alone=not progression)
    keeps_open: dict[str, tuple[Phrase, str]] = {}  # what is missing (English) -> it, the lowest category it keeps open
    for name, rule in _RULES:
        met, tests = _decide(rule(disease, baseline, current))
        if met:
            return _response(name, said(N_("{category}: {findings}."), category=name,
                                        findings=Joined([t.words for t in tests], ", ")), _needs(keeps_open),
                             by_marrow_alone=name == "PR" and disease.marrow)
        keeps_open.update((t.says, (t.words, name)) for t in tests)
    missing = _needs(keeps_open)
    if followed_parameter(baseline) is None:
        missing.append(said(N_("no measurable disease at screening: below CR the response cannot be assessed")))
    if missing:
        return _response(None, said(N_("No category: {missing}."), missing=Joined(missing)), missing)
    findings = Joined([t.words for t in _pr(disease, baseline, current)[0]], ", ")
    return _response("SD", said(N_("SD: {findings}; neither a response nor progression."), findings=findings))


def is_overall_response(category: str | None) -> bool:
    """"Overall response = PR or better"."""
    return category in _RANKED[: _RANKED.index("PR") + 1]


# -- confirmation over two consecutive assessments ----------------------------------------------

@dataclass(frozen=True)
class Confirmation(Reasoned):
    """The category confirmed at one assessment (None: nothing confirmed yet) and why."""

    category: str | None
    reason: str  # English (JSON, the command line); shown in the window's language from `words`
    proposed: Response  # this assessment's own proposal
    words: Words | None = dataclasses.field(default=None, compare=False)


def _confirmation(category: str | None, words: Phrase, proposed: Response) -> Confirmation:
    return Confirmation(category, english(words), proposed, words)


def _with_marrow_of(assessment: ResponseAssessment, other: ResponseAssessment) -> ResponseAssessment:
    """Marrow needs no confirmation: the one marrow of a pair of assessments serves both."""
    if assessment.has_marrow or not other.has_marrow:
        return assessment
    return replace(assessment, marrow_plasma_cells_pct=other.marrow_plasma_cells_pct,
                   marrow_clonal=other.marrow_clonal, clonality_method=other.clonality_method)


def confirmations(baseline: ResponseAssessment, assessments: Sequence[ResponseAssessment]) -> list[Confirmation]:
    """For each assessment in order, the category confirmed by it and the one before."""
    out, owns, nadirs = [], [], _nadirs(baseline, assessments)
    for i, current in enumerate(assessments):
        own = imwg_response(baseline, nadirs[i], current)
        owns.append(own)
        if not own.needs_confirmation:
            if own.category:
                out.append(_confirmation(own.category, said(N_("{category} needs no confirmation."),
                                                            category=own.category), own))
            else:
                out.append(Confirmation(None, own.criterion, own, own.criterion_words))
            continue
        if i == 0:
            out.append(_confirmation(None, _awaits(own.category), own))
            continue
        # Each read again with the other's marrow when only the other has one, else as read already.
        previous = assessments[i - 1]
        previous_read, current_read = _with_marrow_of(previous, current), _with_marrow_of(current, previous)
        before = owns[i - 1] if previous_read is previous else imwg_response(baseline, nadirs[i - 1], previous_read)
        now = own if current_read is current else imwg_response(baseline, nadirs[i], current_read)
        out.append(_confirmation(*_pair(before.category, now.category), own))
    return out


def _awaits(category: str) -> Phrase:
    return said(N_("{category} awaits confirmation at the next assessment."), category=category)


def _pair(before: str | None, now: str | None) -> tuple[str | None, Phrase]:
    if now is None:
        return None, said(N_("Nothing confirmed: this assessment allows no category."))
    if now == "PD":
        if before == "PD":
            return "PD", said(N_("PD confirmed: PD at the previous assessment and at this one."))
        return None, _awaits("PD")
    if before in (None, "PD"):
        return None, _awaits(now)
    worse = max(before, now, key=_RANKED.index)
    if worse == now:
        return now, said(N_("{now} confirmed: {before} at the previous assessment and {now} at this one."),
                         now=now, before=before)
    return worse, said(N_("{worse} confirmed ({before} before, {now} now); {now} awaits confirmation at the next "
                          "assessment."), worse=worse, before=before, now=now)


# -- MRD, reported apart from the category --------------------------------------------------------

@dataclass(frozen=True)
class MrdStatus(Reasoned):
    negative: bool  # MRD negative as IMWG 2016 defines it
    reason: str  # English (JSON, the command line); shown in the window's language from `words`
    words: Words | None = dataclasses.field(default=None, compare=False)


def _mrd(negative: bool, words: Phrase) -> MrdStatus:
    return MrdStatus(negative, english(words), words)


def mrd_negative(mrd: Mrd | None) -> MrdStatus:
    """"MRD negativity (sensitivity 10^-5) by next-generation flow or sequencing"."""
    if mrd is None:
        return _mrd(False, said(N_("MRD: not done.")))
    if mrd.result == "positive":
        return _mrd(False, said(N_("MRD positive by {method}."), method=said(mrd.method)))
    if mrd.method == "other":
        return _mrd(False, said(N_("MRD negative, but only next-generation flow or sequencing counts.")))
    if mrd.sensitivity > MRD_SENSITIVITY * (1 + _EPS):
        return _mrd(False, said(N_("MRD negative at a sensitivity of {sensitivity} only: MRD negativity needs 1e-05 "
                                   "or better."), sensitivity=f"{mrd.sensitivity:.0e}"))
    return _mrd(True, said(N_("MRD negative by {method} at a sensitivity of {sensitivity}."), method=said(mrd.method),
                           sensitivity=f"{mrd.sensitivity:.0e}"))


def imaging_plus_mrd_negative(assessment: ResponseAssessment) -> MrdStatus:
    """"Imaging-plus" when PET-CT is also negative (every area of uptake gone)."""
    status = mrd_negative(assessment.mrd)
    if not status.negative:
        return status
    if assessment.pet_ct is None:
        return _mrd(False, said(N_("Imaging-plus MRD needs a PET-CT: not done.")))
    return _mrd(assessment.pet_ct == "complete", said(N_("Imaging-plus MRD: PET-CT extramedullary response "
                                                         "{response}."), response=said(assessment.pet_ct)))


def sustained_mrd_negative(results: Sequence[tuple[date, Mrd]]) -> MrdStatus:
    """"Sustained" when MRD negativity is confirmed at least a year apart, with no positive between."""
    first = None
    for on, mrd in sorted(results, key=lambda r: r[0]):
        if mrd_negative(mrd).negative:
            first = first or on
            if (on - first).days >= MRD_SUSTAINED_DAYS:
                return _mrd(True, said(N_("Sustained MRD negativity: negative on {first} and on {on}."),
                                       first=str(first), on=str(on)))
        elif mrd.result == "positive":
            first = None  # a positive result ends the run
    return _mrd(False, said(N_("MRD negativity not confirmed a year apart.")))

"""Toxicity grading for the ARI0002h trial: CRS and ICANS (ASTCT consensus).

Pure functions over plain values: no Qt, no SQL, no I/O. The rules are those of
``CLINICAL.md`` sections 2-4:

- CRS: ASTCT consensus (Lee et al., Biol Blood Marrow Transplant 2019;25:625-638).
- ICANS: ASTCT consensus for adults, with the 10-point ICE score.

Input a user can get wrong (an implausible temperature, an unknown oxygen device, an ICE score
of 11) raises :class:`~ari_desktop.core.errors.ClinicalInputError` with one sentence a nurse
understands and ``field`` naming the input. Every grade comes with a reason that names the
finding(s) that decided it, so the physician can check it at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..i18n import N_, _
from .errors import ClinicalInputError
from .phrases import Joined, Phrase, Reasoned, Words, english, in_words, said

__all__ = [
    "CONSCIOUSNESS_LEVELS",
    "EDEMA_KINDS",
    "ICE_ITEMS",
    "OXYGEN_DEVICES",
    "SEIZURE_KINDS",
    "Grade",
    "crs",
    "icans",
    "ice_score",
]


# Every CRS and ICANS reason: the grade, then the finding(s) that decided it.
_GRADED = N_("grade {grade}: {finding}")


@dataclass(frozen=True)
class Grade(Reasoned):
    """A computed grade and the finding(s) that decided it."""

    grade: int  # 0..5 for CRS/ICANS (5 is never computed), 0..4 for CTCAE
    reason: str  # e.g. "grade 3: one vasopressor": English, as stored and written into JSON
    # The reason as phrases, put into the window's language where it is shown (see Reasoned).
    words: Words | None = field(default=None, compare=False)

    @property
    def finding(self) -> str:
        """The reason without its "grade N: ", in the active language: "one vasopressor"."""
        if isinstance(self.words, Phrase) and self.words.template == _GRADED:
            return in_words(self.words.fields["finding"])
        return self.shown.removeprefix(f"grade {self.grade}: ")


def graded(grade: int, finding: Words) -> Grade:
    """The grade with its reason "grade N: finding", English in `reason` and a phrase in `words`."""
    words = said(_GRADED, grade=grade, finding=finding)
    return Grade(grade, english(words), words)


# --------------------------------------------------------------------------------------------
# Shared checks


def as_number(value: float, *, what: str, field: str) -> float:
    """Refuse NaN, infinities and non-numbers; return the value as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClinicalInputError(_("{what} must be a number (got {value!r}).").format(what=_(what), value=value),
                                 field=field)
    if not math.isfinite(value):
        raise ClinicalInputError(_("{what} must be a number (got {value!r}).").format(what=_(what), value=value),
                                 field=field)
    return float(value)


def as_whole_number(value: int, *, what: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClinicalInputError(_("{what} must be a whole number (got {value!r}).").format(
                                     what=_(what), value=value), field=field)
    return value


def as_written(value: float) -> str:
    """A measured value as a person would write it: 4 not 4.0, 1.49 not 1.4900."""
    return f"{value:g}"


def _celsius(temperature_c: float) -> str:
    """37.9 stays 37.9 and 38 becomes 38.0, but 37.95 is never rounded up to look like a fever."""
    return f"{temperature_c:.1f}" if round(temperature_c, 1) == temperature_c else as_written(temperature_c)


def _choice(value: str, allowed: tuple[str, ...], *, what: str, field: str) -> str:
    if value not in allowed:
        raise ClinicalInputError(_("{what} {value!r} is not known: choose one of {allowed}.").format(
                                     what=_(what), value=value, allowed=", ".join(allowed)), field=field)
    return value


# --------------------------------------------------------------------------------------------
# CRS (ASTCT 2019)

OXYGEN_DEVICES: tuple[str, ...] = (
    "none",
    "blow-by",
    "nasal-cannula",
    "high-flow-nasal-cannula",
    "facemask",
    "non-rebreather",
    "venturi",
    "cpap",
    "bipap",
    "mechanical-ventilation",
)

FEVER_C = 38.0
TEMPERATURE_RANGE_C = (30.0, 44.0)
MAX_VASOPRESSORS = 10
MAX_FLOW_L_MIN = 80.0
LOW_FLOW_LIMIT_L_MIN = 6.0

# Grade and words for every device whose grade does not depend on the flow.
_OXYGEN_BY_DEVICE: dict[str, tuple[int, str]] = {
    "none": (0, N_("no oxygen")),
    "blow-by": (2, N_("blow-by oxygen")),
    "high-flow-nasal-cannula": (3, N_("high-flow nasal cannula")),
    "facemask": (3, N_("facemask")),
    "non-rebreather": (3, N_("non-rebreather mask")),
    "venturi": (3, N_("Venturi mask")),
    "cpap": (4, N_("CPAP")),
    "bipap": (4, N_("BiPAP")),
    "mechanical-ventilation": (4, N_("mechanical ventilation")),
}


def _hypotension_part(hypotension: bool, vasopressors: int, vasopressin: bool) -> tuple[int, Phrase]:
    if vasopressors >= 2:
        return 4, said(N_("{count} vasopressors (plus vasopressin)") if vasopressin else N_("{count} vasopressors"),
                       count=vasopressors)
    if vasopressors == 1:
        return 3, said(N_("one vasopressor with vasopressin") if vasopressin else N_("one vasopressor"))
    if vasopressin:
        return 3, said(N_("vasopressin alone, counted as one vasopressor"))
    if hypotension:
        return 2, said(N_("hypotension without vasopressors"))
    return 0, said(N_("no hypotension"))


def _hypoxia_part(oxygen: str, flow_l_min: float | None) -> tuple[int, Phrase]:
    if oxygen != "nasal-cannula":
        grade, words = _OXYGEN_BY_DEVICE[oxygen]
        return grade, said(words)
    assert flow_l_min is not None  # checked by crs()
    if flow_l_min <= LOW_FLOW_LIMIT_L_MIN:
        return 2, said(N_("low-flow nasal cannula ≤ 6 L/min ({flow} L/min)"), flow=as_written(flow_l_min))
    return 3, said(N_("nasal cannula above 6 L/min ({flow} L/min), counted as high flow"), flow=as_written(flow_l_min))


def crs(
    temperature_c: float,
    *,
    fever_masked: bool = False,
    hypotension: bool = False,
    vasopressors: int = 0,
    vasopressin: bool = False,
    oxygen: str = "none",
    flow_l_min: float | None = None,
) -> Grade:
    """CRS grade (ASTCT 2019) from the highest temperature, hypotension and oxygen need.

    - ``temperature_c``: highest temperature; fever is >= 38.0 °C. Without fever there is no CRS
      (grade 0) unless ``fever_masked`` (antipyretics, tocilizumab or corticosteroids given after
      CRS began): then hypotension and hypoxia alone decide, and with neither the grade is 1.
    - ``vasopressors``: number of vasopressors other than vasopressin (any count >= 1 implies
      hypotension). ``vasopressin`` alone counts as one vasopressor.
    - ``oxygen``: one of :data:`OXYGEN_DEVICES`; ``flow_l_min`` is required for a nasal cannula,
      where more than 6 L/min counts as high flow.

    The grade is the worse of the hypotension and hypoxia parts. Grade 5 (death from CRS) is an
    outcome that is recorded, never computed here.
    """
    low, high = TEMPERATURE_RANGE_C
    temperature_c = as_number(temperature_c, what=N_("Temperature"), field="temperature")
    if not low <= temperature_c <= high:
        raise ClinicalInputError(
            _("Temperature {value} °C is outside the plausible range {low}–{high} °C.").format(
                value=_celsius(temperature_c), low=_celsius(low), high=_celsius(high)),
            field="temperature",
        )
    vasopressors = as_whole_number(vasopressors, what=N_("Number of vasopressors"), field="vasopressors")
    if not 0 <= vasopressors <= MAX_VASOPRESSORS:
        raise ClinicalInputError(
            _("Number of vasopressors {vasopressors} is outside the plausible range 0–{high} (vasopressin is recorded "
              "separately).").format(vasopressors=vasopressors, high=MAX_VASOPRESSORS),
            field="vasopressors",
        )
    _choice(oxygen, OXYGEN_DEVICES, what=N_("Oxygen device"), field="oxygen")
    if flow_l_min is not None:
        flow_l_min = as_number(flow_l_min, what=N_("Oxygen flow"), field="flow")
        if not 0.0 <= flow_l_min <= MAX_FLOW_L_MIN:
            raise ClinicalInputError(
                _("Oxygen flow {flow_l_min} L/min is outside the plausible range 0–{high} L/min.").format(
                    flow_l_min=as_written(flow_l_min), high=as_written(MAX_FLOW_L_MIN)),
                field="flow",
            )
        if oxygen == "nasal-cannula" and flow_l_min == 0:
            raise ClinicalInputError(
                _("A nasal cannula at 0 L/min gives no oxygen: enter the flow, or choose no oxygen."), field="flow")
        if oxygen == "none":
            raise ClinicalInputError(
                _("An oxygen flow of {flow_l_min} L/min was entered but the oxygen device is 'none': choose the "
                  "device or clear the flow.").format(flow_l_min=as_written(flow_l_min)),
                field="flow",
            )
    elif oxygen == "nasal-cannula":
        raise ClinicalInputError(
            _("Enter the oxygen flow for the nasal cannula: above 6 L/min counts as high flow and raises the grade."),
            field="flow",
        )

    hypotension_grade, hypotension_words = _hypotension_part(hypotension, vasopressors, vasopressin)
    hypoxia_grade, hypoxia_words = _hypoxia_part(oxygen, flow_l_min)
    worst = max(hypotension_grade, hypoxia_grade)
    if hypotension_grade == hypoxia_grade:
        deciding: Phrase = said(N_("{hypotension} and {hypoxia}"), hypotension=hypotension_words,
                                hypoxia=hypoxia_words)
    else:
        deciding = hypotension_words if hypotension_grade > hypoxia_grade else hypoxia_words
    temperature = _celsius(temperature_c)

    if temperature_c >= FEVER_C:
        if worst == 0:
            return graded(1, said(N_("fever {temperature} °C, no hypotension or hypoxia"), temperature=temperature))
        return graded(worst, deciding)

    if not fever_masked:
        if worst == 0:
            return graded(0, said(N_("no fever ({temperature} °C)"), temperature=temperature))
        return graded(0, said(N_("no fever ({temperature} °C); without fever, {findings} is not graded as CRS "
                                 "unless the fever was masked by treatment"),
                              temperature=temperature, findings=deciding))
    if worst == 0:
        return graded(1, said(N_("established CRS with fever masked by treatment ({temperature} °C), no hypotension "
                                 "or hypoxia"), temperature=temperature))
    return graded(worst, Joined([deciding, said(N_("fever masked by treatment ({temperature} °C)"),
                                                temperature=temperature)]))


# --------------------------------------------------------------------------------------------
# ICE score and ICANS (ASTCT 2019, adults)

CONSCIOUSNESS_LEVELS: tuple[str, ...] = (
    "alert",
    "awakens-spontaneously",
    "awakens-to-voice",
    "awakens-to-touch",
    "unarousable",
)
SEIZURE_KINDS: tuple[str, ...] = ("none", "resolved-rapidly", "prolonged")
EDEMA_KINDS: tuple[str, ...] = ("none", "focal", "diffuse")

# (code, what the patient does as the ICE form words it (N_: shown with _()), points)
ICE_ITEMS: tuple[tuple[str, str, int], ...] = (
    ("orient_year", N_("Orientation: says the year"), 1),
    ("orient_month", N_("Orientation: says the month"), 1),
    ("orient_city", N_("Orientation: says the city"), 1),
    ("orient_hospital", N_("Orientation: says the hospital"), 1),
    ("name_object_1", N_("Names the first object shown (e.g. clock)"), 1),
    ("name_object_2", N_("Names the second object shown (e.g. pen)"), 1),
    ("name_object_3", N_("Names the third object shown (e.g. button)"), 1),
    ("follows_commands", N_("Follows simple commands (e.g. 'show me two fingers')"), 1),
    ("writes_sentence", N_("Writes a standard sentence"), 1),
    ("counts_back", N_("Counts back from 100 by tens"), 1),
)
ICE_MAX = sum(points for _, _, points in ICE_ITEMS)

_ICE_POINTS: dict[str, int] = {code: points for code, _, points in ICE_ITEMS}

# Each domain's grade and words (N_: a phrase of the reason).
_CONSCIOUSNESS: dict[str, tuple[int, str]] = {
    "alert": (0, N_("alert")),
    "awakens-spontaneously": (1, N_("awakens spontaneously")),
    "awakens-to-voice": (2, N_("awakens to voice")),
    "awakens-to-touch": (3, N_("awakens only to touch")),
    "unarousable": (4, N_("unarousable")),
}
_SEIZURE: dict[str, tuple[int, str]] = {
    "none": (0, N_("no seizure")),
    "resolved-rapidly": (3, N_("seizure that resolved rapidly")),
    "prolonged": (4, N_("prolonged or repetitive seizure")),
}
_EDEMA: dict[str, tuple[int, str]] = {
    "none": (0, N_("no cerebral oedema")),
    "focal": (3, N_("focal cerebral oedema on imaging")),
    "diffuse": (4, N_("diffuse cerebral oedema")),
}
_MOTOR_WEAKNESS = {False: (0, N_("no motor weakness")), True: (4, N_("deep focal motor weakness"))}


def ice_score(items: Mapping[str, bool]) -> int:
    """ICE score 0-10 from the items the patient achieved (code -> True).

    Codes are those of :data:`ICE_ITEMS`. An item left out was not achieved and scores 0, so a
    partly filled form can only under-score the patient (and so over-grade ICANS), never hide
    a deficit.
    """
    score = 0
    for code, achieved in items.items():
        if code not in _ICE_POINTS:
            raise ClinicalInputError(_("{code!r} is not one of the {count} ICE items.").format(
                                         code=code, count=len(ICE_ITEMS)), field="ice")
        if not isinstance(achieved, bool):
            raise ClinicalInputError(_("ICE item {code!r} must be answered yes or no (got {achieved!r}).").format(
                                         code=code, achieved=achieved), field="ice")
        if achieved:
            score += _ICE_POINTS[code]
    return score


def _ice_domain(ice: int | None, unarousable: bool) -> tuple[int, Words]:
    """The ICE domain's grade and words ("ICE 7/10" is a score, the same in every language)."""
    if unarousable:
        return 4, said(N_("cannot perform ICE")) if ice is None else f"ICE {ice}/{ICE_MAX}"
    assert ice is not None  # checked by icans()
    if ice == ICE_MAX:
        grade = 0
    elif ice >= 7:
        grade = 1
    elif ice >= 3:
        grade = 2
    else:
        grade = 3
    return grade, f"ICE {ice}/{ICE_MAX}"


def icans(
    ice: int | None,
    *,
    consciousness: str = "alert",
    seizure: str = "none",
    motor_weakness: bool = False,
    edema: str = "none",
) -> Grade:
    """ICANS grade (ASTCT 2019, adults): the worst of the five domains.

    ICE 10 -> 0, 7-9 -> 1, 3-6 -> 2, 0-2 -> 3 (ICE 0 while awake is grade 3). ``ice=None``
    means the ICE cannot be performed and is allowed only for an unarousable patient (grade 4).
    ``motor_weakness`` is deep focal motor weakness (hemiparesis, paraparesis).
    """
    _choice(consciousness, CONSCIOUSNESS_LEVELS, what=N_("Level of consciousness"), field="consciousness")
    _choice(seizure, SEIZURE_KINDS, what=N_("Seizure"), field="seizure")
    _choice(edema, EDEMA_KINDS, what=N_("Cerebral oedema"), field="edema")
    unarousable = consciousness == "unarousable"
    if ice is None:
        if not unarousable:
            raise ClinicalInputError(
                _("Enter the ICE score (0–{high}): it may be left empty only when the patient is "
                  "unarousable.").format(high=ICE_MAX),
                field="ice",
            )
    else:
        ice = as_whole_number(ice, what=N_("ICE score"), field="ice")
        if not 0 <= ice <= ICE_MAX:
            raise ClinicalInputError(_("ICE score {ice} is outside the range 0–{high}.").format(
                                         ice=ice, high=ICE_MAX), field="ice")
        if unarousable and ice > 0:
            raise ClinicalInputError(
                _("An unarousable patient cannot score {ice} on the ICE: enter 0 or leave it empty, or correct the "
                  "level of consciousness.").format(ice=ice),
                field="ice",
            )

    domains = (
        _ice_domain(ice, unarousable),
        *((grade, said(words)) for grade, words in (_CONSCIOUSNESS[consciousness], _SEIZURE[seizure],
                                                    _MOTOR_WEAKNESS[motor_weakness], _EDEMA[edema])),
    )
    worst = max(grade for grade, _ in domains)
    if worst == 0:
        return graded(0, said(N_("ICE {maximum}/{maximum}, alert, no seizure, motor weakness or cerebral oedema"),
                              maximum=ICE_MAX))
    return graded(worst, Joined([words for grade, words in domains if grade == worst]))

"""The shipped protocol holds every timepoint of the trial record; a broken file is refused clearly."""

import pytest

from ari_desktop.core import protocol
from ari_desktop.core.protocol import ProtocolError

P = protocol.load_default()


def cells(activity: str, anchors=("screening", "day0")) -> set[str]:
    """Timepoints of the first-infusion schedule (the booster has its own) where the activity is done."""
    return {t.code for t in P.timepoints if activity in t.activities and t.anchor in anchors}


# The trial record's lists (CLINICAL.md, "Timepoints the record names").
@pytest.mark.parametrize("activity, timepoints", [
    ("sbcma", {"SCR", "D0", "D+3", "D+7", "D+14", "D+28", "D+70", "D+100", "M4", "M5", "M6", "M7", "M8", "M9",
               "M10", "M11", "M12", "M18", "M24"}),
    ("bcma_bm", {"SCR", "D+28", "D+100", "M6", "M12", "M18", "M24"}),
    ("cart_pb", {"M1", "M2", "M3", "M4", "M5", "M6", "M12", "M18", "M24"}),
    ("mrd_bm", {"M3", "M6"}),
    ("infusion", {"D0", "D+3", "D+7"}),
])
def test_trial_record_timepoints_are_all_in_the_protocol(activity, timepoints):
    assert cells(activity) == timepoints


def test_soluble_bcma_includes_month_10_that_the_record_misprints_as_1():
    assert "M10" in cells("sbcma")


def test_response_is_assessed_at_month_3_6_over_the_first_year_and_to_month_36():
    assert {"M3", "M6", "M12", "M36"} <= cells("response")
    assert {f"M{n}" for n in range(1, 13)} <= cells("response")


def test_pet_ct_at_baseline_and_month_3_only_for_extramedullary_disease():
    assert {"SCR", "M3"} <= cells("pet_ct")
    assert P.activity("pet_ct").condition == "extramedullary"


def test_toxicity_is_assessed_every_day_from_d0_to_d30_and_b0_to_b14():
    assert {f"D+{n}" for n in range(1, 31)} | {"D0"} <= cells("tox")
    assert {f"B+{n}" for n in range(1, 15)} | {"B0"} <= cells("tox", anchors=("booster",))


def test_a_booster_is_one_non_fractionated_infusion():
    assert cells("infusion", anchors=("booster",)) == {"B0"}


def test_daily_toxicity_keeps_its_exact_day_on_a_visit_with_a_wider_window():
    d14 = P.timepoint("D+14")
    assert d14.window_for("tox") == (0, 0)
    assert d14.window_for("sbcma") == (1, 1)


def test_survival_contacts_run_to_month_36():
    assert "M36" in cells("visit")


def test_month_visits_follow_the_written_convention():
    assert P.month_days == 30
    assert P.timepoint("M6").day == 180
    assert P.timepoint("M1").day == 28 and P.timepoint("M3").day == 100
    assert "month 1" in P.conventions.lower()


def test_fractions_are_labelled_with_their_share_of_the_dose():
    assert "10 %" in P.timepoint("D0").note_for("infusion")
    assert "30 %" in P.timepoint("D+3").note_for("infusion")
    assert "60 %" in P.timepoint("D+7").note_for("infusion")


def test_every_window_contains_its_target_day():
    for t in P.timepoints:
        for a in t.activities:
            before, after = t.window_for(a)
            assert before >= 0 and after >= 0


def test_sample_tubes_are_marked_as_site_editable_defaults():
    for a in P.activities:
        if a.kind == "sample":
            assert a.tube and a.lab and a.volume_ml and a.site_default


SHIPPED = protocol.shipped_text()


def broken(old: str, new: str, count: int = 1) -> str:
    assert old in SHIPPED
    return SHIPPED.replace(old, new, count)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_wrong_kind_is_refused_with_its_line_and_field():
    text = broken('kind = "assessment"\nlab = "Nuclear medicine"', 'kind = "scan"\nlab = "Nuclear medicine"')
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    assert f"line {line_of(text, 'scan')}" in str(error.value)
    assert "'kind'" in str(error.value) and "sample, assessment, visit, infusion" in str(error.value)


def test_an_unknown_activity_in_a_timepoint_is_refused_with_its_line():
    text = broken('activities = ["cbc"]', 'activities = ["cbcx"]')
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    assert f"line {line_of(text, 'cbcx')}" in str(error.value) and "'cbcx' is not a defined activity" in str(
        error.value)


def test_a_window_that_excludes_its_target_is_refused():
    text = broken("window = [-2, 2]", "window = [2, 4]")
    with pytest.raises(ProtocolError, match=r"line \d+: \[\[timepoint\]\] #\d+ field 'window'"):
        protocol.parse(text, "unit.toml")


def test_a_missing_field_is_named():
    text = broken('label = "Day +21"\n', "")
    with pytest.raises(ProtocolError, match="field 'label': missing"):
        protocol.parse(text, "unit.toml")


def test_toml_syntax_errors_carry_the_line():
    with pytest.raises(ProtocolError, match="line 3"):
        protocol.parse("[protocol]\ncode = 'X'\ntitle = \n", "unit.toml")


def test_a_timepoint_defined_twice_is_refused():
    text = broken('code = "D+21"', 'code = "D+14"')
    with pytest.raises(ProtocolError, match="'D\\+14' is defined twice"):
        protocol.parse(text, "unit.toml")


# -- Spanish for the printouts -------------------------------------------------------------------

ES = P.in_language("es")


def test_every_activity_of_the_shipped_file_has_its_spanish_words():
    for english, spanish in zip(P.activities, ES.activities, strict=True):
        assert dict(english.translations).get("es"), english.code
        assert spanish.label != english.label, english.code
        given = dict(english.translations)["es"]
        for field in ("sample", "tube", "lab"):  # 'Plasma' is the same word in both
            assert (getattr(given, field) is None) == (getattr(english, field) is None), (english.code, field)
        assert (spanish.kind, spanish.volume_ml, spanish.condition) == (english.kind, english.volume_ml,
                                                                         english.condition)


def test_every_timepoint_and_note_of_the_shipped_file_has_its_spanish_words():
    for english, spanish in zip(P.timepoints, ES.timepoints, strict=True):
        assert spanish.code == english.code and spanish.day == english.day
        assert spanish.activities == english.activities and spanish.window_for("tox") == english.window_for("tox")
        assert spanish.label != english.label, english.code
        assert {a for a, _ in spanish.notes} == {a for a, _ in english.notes}, english.code
        for activity, note in english.notes:
            assert spanish.note_for(activity) != note, (english.code, activity)
    assert ES.title != P.title and "mieloma múltiple" in ES.title


def test_spanish_words_as_the_unit_writes_them():
    assert ES.activity("sbcma").label == "BCMA soluble" and ES.activity("sbcma").sample == "Suero"
    assert ES.activity("cbc").tube == "EDTA (tapón lila)"
    assert ES.activity("sbcma").lab == "Laboratorio de Inmunología"
    assert ES.timepoint("SCR").label == "Selección"
    assert ES.timepoint("D+7").label == "Día +7"
    assert ES.timepoint("M3").label == "Mes 3 (con la visita del D+100; respuesta primaria)"
    assert ES.timepoint("D+3").note_for("infusion") == "Fracción 2 (30 % de la dosis), tras decisión de administrar"


def test_generated_days_are_labelled_by_rule_in_spanish():
    assert ES.timepoint("D+5").label == "Día +5" and P.timepoint("D+5").label == "Day +5"
    assert ES.timepoint("B+3").label == "Día +3 del refuerzo" and P.timepoint("B+3").label == "Booster day +3"
    assert protocol.day_label("booster", 0, "es") == "Día 0 del refuerzo"
    assert protocol.day_label("day0", -5, "es") == "Día -5"


def test_english_is_kept_where_no_spanish_is_given_and_english_asks_get_the_protocol_itself():
    text = broken('es = { label = "Hemograma", ', 'es = { ')
    bare = protocol.parse(text, "unit.toml")
    assert bare.in_language("es").activity("cbc").label == "Blood count"
    assert bare.in_language("es").activity("cbc").tube == "EDTA (tapón lila)"
    assert P.in_language("en") is P and P.activity("cbc").in_language("fr") == P.activity("cbc")
    no_spanish = protocol.parse(text.replace("title_es = ", "# title_es = "), "unit.toml")
    assert no_spanish.in_language("es").title == P.title


def test_the_english_words_are_unchanged_by_the_spanish_ones():
    assert P.activity("sbcma").label == "Soluble BCMA" and P.activity("sbcma").tube == "Serum gel (gold)"
    assert P.timepoint("D+7").label == "Day +7" and P.title.startswith("ARI0002h (cesnicabtagene autoleucel) in")


def test_an_unknown_key_in_spanish_words_is_refused_with_its_line_and_field():
    text = broken('es = { label = "Hemograma", sample', 'es = { label = "Hemograma", sampel')
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    message = str(error.value)
    assert f"line {line_of(text, 'sampel')}" in message
    assert "[[activity]] #6 field 'es.sampel'" in message and "label, sample, tube, lab" in message


def test_an_unknown_key_in_a_timepoints_spanish_words_is_refused_with_its_line_and_field():
    text = broken('es = { label = "Día +21" }', 'es = { label = "Día +21", nota = "x" }')
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    assert f"line {line_of(text, 'nota')}" in str(error.value) and "field 'es.nota'" in str(error.value)


@pytest.mark.parametrize("old, new, field", [
    ('es = { label = "Hemograma", ', 'es = { label = 3, ', "es.label"),
    ('es = { label = "Día +21" }', 'es = "Día +21"', "es"),
    ('notes = { infusion = "Fracción 2', 'notes = { infusio = "Fracción 2', "es.notes"),
    ('notes = { infusion = "Fracción 2 (30 % de la dosis), tras decisión de administrar" }',
     'notes = { infusion = 2 }', "es.notes.infusion"),
    ('notes = { infusion = "Fracción 2 (30 % de la dosis), tras decisión de administrar" }',
     'notes = "Fracción 2"', "es.notes"),
    ('title_es = "ARI0002h (cesnicabtagén autoleucel) en mieloma múltiple en recaída o refractario"',
     'title_es = 2', "title_es"),
])
def test_spanish_words_of_the_wrong_type_are_refused_with_their_line_and_field(old, new, field):
    text = broken(old, new)
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    assert f"field '{field}'" in str(error.value)
    assert f"line {line_of(text, new)}:" in str(error.value)


def test_spanish_words_written_as_a_sub_table_are_read_and_located():
    text = broken('es = { label = "Hemograma", sample = "Sangre periférica", tube = "EDTA (tapón lila)", '
                  'lab = "Laboratorio de Hematología" }',
                  '[activity.es]\nlabel = "Hemograma"\nsampel = "Sangre periférica"')
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    assert f"line {line_of(text, 'sampel')}" in str(error.value) and "field 'es.sampel'" in str(error.value)

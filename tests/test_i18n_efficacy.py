"""The endpoint tables, the safety and efficacy report and the figures in Spanish and Catalan: the same
numbers in every language, the words the unit's; JSON the same in the three."""

from __future__ import annotations

from datetime import date

import figure_cohort
import pytest
from click.testing import CliRunner
from conftest import cli_db
from pypdf import PdfReader
from test_efficacy_store import TODAY, db  # noqa: F401 (the cohort of eight counted by hand)

from ari_desktop import i18n
from ari_desktop.cli import cli

COHORT_DAY = "2026-06-01"  # figure_cohort's as-of date


@pytest.fixture
def speaking():
    """Speak a language on the command line (as the remembered one does), English again after."""
    yield i18n.use
    i18n.use("en")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    store = figure_cohort.build(tmp_path_factory.mktemp("cohort") / "cohort.db")
    yield store
    store.close()


def endpoints(db, *args):  # noqa: F811
    result = CliRunner().invoke(cli, ["--db", cli_db(db), "endpoints", "--as-of", TODAY.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_endpoints_json_is_the_same_in_english_spanish_and_catalan(db, speaking):  # noqa: F811
    english = endpoints(db, "--json")
    for lang in ("es", "ca"):
        speaking(lang)
        assert endpoints(db, "--json") == english, lang
    assert "Overall response (PR or better) at month 3 (primary endpoint)" in english


@pytest.mark.parametrize(("lang", "words"), [
    ("es", ("Tasa de respuesta global (RP o mejor) en el mes 3 (variable principal)",
            "Supervivencia libre de progresión", "EMR (enfermedad mínima residual)", "EMR medular negativa",
            "mejor respuesta confirmada hasta M3", "Persistencia de CAR-T", "Toxicidad tardía", "IC del 95 %")),
    ("ca", ("Taxa de resposta global (RP o millor) al mes 3 (variable principal)",
            "Supervivència lliure de progressió", "MRM (malaltia mínima residual)", "MRM medul·lar negativa",
            "Persistència de CAR-T", "Toxicitat tardana", "Extramedul·lar")),
])
def test_the_endpoint_tables_print_in_the_units_words(db, speaking, lang, words):  # noqa: F811
    speaking(lang)
    printed = " ".join(endpoints(db).split())  # the notes are wrapped
    for word in words:
        assert word in printed, (word, printed)
    assert "best confirmed response" not in printed and "Overall survival" not in printed


def test_a_row_is_shown_in_any_catalog_and_stays_english_for_json(cohort):
    _, efficacy = cohort.efficacy.tables(date(2026, 6, 1))
    row = next(r for r in efficacy.rows() if r.code == "pfs")
    assert row.label == "Progression-free survival" == efficacy.numbers["pfs"]["label"]
    shown = row.shown(i18n.catalog("ca"))
    assert (shown.section, shown.label) == ("Supervivència", "Supervivència lliure de progressió")
    assert shown.value.startswith("mediana ") and "esdeveniment" in shown.value
    assert row.shown().label == row.label  # the active language: English here


def test_a_number_of_thousands_is_grouped_as_its_language_groups_it_never_with_a_comma_that_reads_as_decimals(
        cohort):
    _, efficacy = cohort.efficacy.tables(date(2026, 6, 1))
    row = next(r for r in efficacy.rows() if r.code == "car_t_M1")  # copies/µg DNA median 14,000
    assert "median 14,000" in row.value
    for lang in ("es", "ca"):
        assert "14\u00a0000" in row.shown(i18n.catalog(lang)).value and "14,000" not in row.shown(
            i18n.catalog(lang)).value
    assert (i18n.grouped(4583, "en"), i18n.grouped(4583, "es"), i18n.grouped(999, "ca")) == ("4,583", "4\u00a0583",
                                                                                          "999")


@pytest.mark.parametrize(("lang", "words"), [
    ("es", ("Informe de seguridad y eficacia", "Seguridad", "Eficacia", "Supervivencia global", "Qué cuenta",
            "Gráfico de nadadores", "Supervivencia libre de progresión, ")),
    ("ca", ("Informe de seguretat i eficàcia", "Seguretat", "Eficàcia", "Supervivència global", "Què compta",
            "Gràfic de nedadors", "Supervivència lliure de progressió, ")),
])
def test_the_report_is_printed_in_its_language_figures_and_all(cohort, tmp_path, monkeypatch, lang, words):
    from ari_desktop.reports import efficacy_report

    titles = []  # the figures are pictures in the PDF: their titles are read as they are placed
    image = efficacy_report._image
    monkeypatch.setattr(efficacy_report, "_image", lambda figure, *size: titles.append(figure.get_suptitle())
                        or image(figure, *size))
    out = tmp_path / f"report-{lang}.pdf"
    done = CliRunner().invoke(cli, ["--db", cli_db(cohort.path), "report", "--out", str(out), "--as-of", COHORT_DAY,
                                    "--lang", lang])
    assert done.exit_code == 0, done.output
    text = " ".join([*(page.extract_text() for page in PdfReader(out).pages), *titles])
    for word in words:
        assert word in text, word
    assert "Overall survival" not in text and "Endpoint" not in text
    assert i18n.current() == "en"  # the figures spoke the report's language only while it was written


def test_a_figures_title_and_axes_are_in_catalan(cohort, speaking):
    from ari_desktop.figures import draw

    speaking("ca")
    figure = draw("swimmer", cohort, date(2026, 6, 1))
    texts = [figure.get_suptitle(), *(ax.get_xlabel() for ax in figure.axes), *(ax.get_ylabel() for ax in figure.axes),
             *(t.get_text() for legend in figure.legends for t in legend.get_texts())]
    shown = " ".join(texts)
    for word in ("Gràfic de nedadors", "infosos (fracció 1 administrada)", "Mesos des de la fracció 1", "Pacient",
                 "Progressió", "Reforç administrat"):
        assert word in shown, (word, shown)
    survival = draw("os", cohort, date(2026, 6, 1))
    assert survival.get_suptitle().startswith("Supervivència global, ")

"""The figures on a cohort counted by hand (tests/figure_cohort.py): what each one draws is read back from
the Figure's artists, saved as a real PNG and a PDF that pypdf reads; the `figure` command logs the export."""

from __future__ import annotations

from datetime import timedelta

import conftest
import figure_cohort
import matplotlib.image
import pytest
from click.testing import CliRunner
from conftest import cli_db
from figure_cohort import DAY0, TODAY
from matplotlib.collections import LineCollection, PathCollection
from pypdf import PdfReader

from ari_desktop.cli import cli
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.figures import draw, months, save
from ari_desktop.figures.cohort import read
from ari_desktop.figures.expansion import expansion
from ari_desktop.figures.sbcma import sbcma
from ari_desktop.figures.swimmer import swimmer


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = figure_cohort.build(tmp_path_factory.mktemp("cohort") / "cohort.db")
    yield store
    store.close()


def scatter(ax, label: str) -> list[tuple[float, float]]:
    """The points of the scatter named `label` in the legend, in order of x."""
    found = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_label() == label]
    assert len(found) == 1, [c.get_label() for c in ax.collections]
    return sorted((float(x), float(y)) for x, y in found[0].get_offsets())


def tick_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def line(ax, label: str) -> list[tuple[float, float]]:
    found = [li for li in ax.get_lines() if li.get_label() == label]
    assert len(found) == 1
    return list(zip(found[0].get_xdata(), found[0].get_ydata(), strict=True))


def test_the_denominator_is_the_patients_infused_by_the_as_of_date(store):
    cohort = read(store, TODAY)
    assert [p.study_id for p in cohort.infused] == ["ARI-001", "ARI-002", "ARI-003"]
    assert cohort.not_infused == 1
    earlier = read(store, DAY0["ARI-002"] - timedelta(days=1))
    assert ([p.study_id for p in earlier.infused], earlier.not_infused) == (["ARI-001"], 3)


def test_a_figure_of_a_day_not_yet_come_is_refused(store):
    with pytest.raises(ClinicalInputError, match="is in the future"):
        swimmer(store, TODAY + timedelta(days=1))


def test_the_swimmer_has_one_bar_per_infused_patient_to_death_end_of_study_or_the_as_of_date(store):
    figure = swimmer(store, TODAY)
    ax = figure.axes[0]
    assert tick_labels(ax) == ["ARI-003", "ARI-002", "ARI-001"]  # longest follow-up on top
    assert [round(bar.get_width(), 6) for bar in ax.patches] == [round(months(d), 6) for d in (60, 200, 350)]
    assert "as of 2026-06-01: all 3 infused (fraction 1 given)" in figure.get_suptitle()
    assert "1 enrolled but not infused" in figure.get_suptitle()
    assert scatter(ax, "Death") == [(months(350), 2)]
    assert scatter(ax, "Off study") == [(months(60), 0)]
    assert scatter(ax, "Followed on 2026-06-01 (ongoing)") == [(months(200), 1)]


def test_the_swimmer_marks_each_confirmed_response_booster_and_progression_on_its_day(store):
    ax = swimmer(store, TODAY).axes[0]
    assert scatter(ax, "PR (confirmed)") == [(months(60), 1), (months(60), 2)]
    assert scatter(ax, "CR (confirmed)") == [(months(100), 2), (months(120), 2)]
    assert scatter(ax, "Progression") == [(months(300), 2)]
    assert scatter(ax, "Booster given") == [(months(120), 1)]


def test_the_swimmer_writes_the_maximum_crs_and_icans_grades_of_the_30_days(store):
    grades = swimmer(store, TODAY).axes[1]
    assert tick_labels(grades) == ["CRS 0 · ICANS 0", "CRS 1 · ICANS 0", "CRS 2 · ICANS 0"]


def test_the_swimmer_as_of_an_earlier_date_shows_only_what_was_known_then(store):
    as_of = DAY0["ARI-001"] + timedelta(days=110)
    figure = swimmer(store, as_of)
    ax = figure.axes[0]
    assert tick_labels(ax) == ["ARI-001"]
    assert scatter(ax, "CR (confirmed)") == [(months(100), 0)]  # not M4 on D+120
    assert scatter(ax, f"Followed on {as_of} (ongoing)") == [(months(110), 0)]
    assert "Progression" not in [c.get_label() for c in ax.collections]


def test_a_large_cohort_shows_its_first_infused_the_longest_followed_and_says_so(store):
    figure = swimmer(store, TODAY, lines=2)
    assert tick_labels(figure.axes[0]) == ["ARI-002", "ARI-001"]
    assert "the first 2 infused of 3 infused (fraction 1 given)" in figure.get_suptitle()


def test_the_swimmer_reads_the_response_reviews_of_the_patients_it_shows(tmp_path):
    with figure_cohort.build(tmp_path / "reviewed.db") as store:
        store.results.review("ARI-002", "M2", "VGPR", "immunofixation read again")
        ids = {p.study_id: p.patient_id for p in read(store, TODAY).infused}
        assert store.results.reviews_by_patient([ids["ARI-001"]]) == {}
        assert store.results.reviews_by_patient([ids["ARI-001"], ids["ARI-002"]]) == {
            ids["ARI-002"]: store.results.reviews_by_patient()[ids["ARI-002"]]}
        ax = swimmer(store, TODAY, lines=2).axes[0]
        assert scatter(ax, "VGPR (confirmed)") == [(months(60), 0)]  # the physician's category, not the proposal


def test_a_patients_expansion_marks_cmax_at_tmax_and_writes_the_auc(store):
    figure = expansion(store, TODAY, "ARI-001")
    copies, cells = figure.axes
    assert line(copies, "Measured") == [(28, 20000.0), (60, 6000.0), (100, 900.0)]
    assert scatter(copies, "Cmax 20,000 copies/µg DNA, Tmax D+28") == [(28, 20000.0)]
    assert copies.get_yscale() == "log"
    assert "AUC D0 to D+28: 280,000 copies/µg DNA × days" in copies.get_title(loc="left")
    assert any("No CAR+ T cells measured by 2026-06-01." in t.get_text() for t in cells.texts)
    assert "fraction 1 given on 2025-04-27" in figure.get_suptitle()


def test_an_expansion_without_a_measurement_near_day_28_says_why_there_is_no_auc(store):
    copies = expansion(store, DAY0["ARI-001"] + timedelta(days=40), "ARI-001").axes[0]
    assert "AUC D0 to D+28: 280,000" in copies.get_title(loc="left")
    early = expansion(store, DAY0["ARI-001"] + timedelta(days=27), "ARI-001").axes[0]
    assert any("No CAR transgene measured" in t.get_text() for t in early.texts)


def test_a_patient_not_infused_has_no_expansion_to_draw(store):
    with pytest.raises(ClinicalInputError, match="ARI-004 had no fraction 1 given by 2026-06-01"):
        expansion(store, TODAY, "ARI-004")


def test_the_cohort_expansion_overlays_every_patient_and_the_median_at_each_timepoint(store):
    copies, cells = expansion(store, TODAY).axes
    lines = next(c for c in copies.collections if isinstance(c, LineCollection))
    assert [s.tolist() for s in lines.get_segments()] == [[[28, 20000], [60, 6000], [100, 900]], [[28, 8000]]]
    assert line(copies, "Median at each timepoint (its protocol day)") == [(28, 14000.0), (60, 6000.0),
                                                                           (100, 900.0)]
    assert "Cmax median 14,000 copies/µg DNA" in copies.get_title(loc="left")
    assert line(cells, "Median at each timepoint (its protocol day)") == [(28, 40.0)]


def test_sbcma_shows_the_median_and_quartiles_at_each_timepoint_and_the_patients_lines(store):
    figure = sbcma(store, TODAY)
    ax = figure.axes[0]
    codes = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    at = {code: n for n, code in enumerate(codes)}
    assert codes[:3] == ["SCR", "D0", "D+3"] and "B0" not in codes
    assert line(ax, "Median") == [(at["SCR"], 135.0), (at["D0"], 115.0), (at["D+28"], 21.0), (at["D+100"], 6.0)]
    assert line(ax, "Each patient")[0] == (at["SCR"], 180.0)
    assert "2 of 3 infused (fraction 1 given) with a value" in figure.get_suptitle()
    assert ax.get_xticklabels()[at["D+28"]].get_text() == "D+28\nn=2"


def test_sbcma_draws_the_patient_asked_for_on_top(store):
    ax = sbcma(store, TODAY, "ARI-002").axes[0]
    assert [v for _, v in line(ax, "ARI-002")] == [90.0, 80.0, 30.0, 8.0]


@pytest.mark.parametrize(("which", "durations", "events", "at_risk"), [
    # progression; the last response assessment; no assessment: fraction 1
    ("pfs", (300, 60, 0), (True, False, False), ["3", "1", "1", "0"]),
    # death; followed on the as-of date; leaving the study
    ("os", (350, 200, 60), (True, False, False), ["3", "2", "2", "0"]),
])
def test_the_kaplan_meier_figure_draws_the_efficacy_tables_own_fit(store, which, durations, events, at_risk):
    km = store.efficacy.endpoints(TODAY).curves[which]
    assert km.durations == tuple(months(d) for d in durations) and km.observed == events
    figure = draw(which, store, TODAY)
    curve, risk = figure.axes
    assert line(curve, "Kaplan-Meier") == list(zip(km.timeline, km.survival, strict=True))
    band = next(c for c in curve.collections if c.get_label().startswith("95 % confidence band"))
    assert band.get_paths()
    assert [(round(x, 6), y) for x, y in line(curve, "Censored")] == sorted(
        (round(months(d), 6), km.survival_at(months(d)).survival) for d, seen in zip(durations, events, strict=True)
        if not seen)
    assert [t.get_text() for t in risk.texts] == [f"{km.at_risk[m]:,}" for m in (0, 3, 6, 12, 18, 24, 36)]
    assert [t.get_text() for t in risk.texts][:4] == at_risk  # months 0, 3, 6, 12
    assert "as of 2026-06-01: 3 infused (fraction 1 given), 1 event, 2 censored" in figure.get_suptitle()


@pytest.mark.parametrize("make", [lambda s: swimmer(s, TODAY), lambda s: expansion(s, TODAY, "ARI-001"),
                                  lambda s: expansion(s, TODAY), lambda s: sbcma(s, TODAY),
                                  lambda s: draw("pfs", s, TODAY), lambda s: draw("os", s, TODAY)],
                         ids=["swimmer", "expansion", "expansion-cohort", "sbcma", "pfs", "os"])
def test_each_figure_saves_as_a_real_png_and_a_pdf_with_its_title(store, tmp_path, make):
    figure = make(store)
    png, pdf = save(figure, tmp_path / "figure.png"), save(figure, tmp_path / "figure.PDF")
    image = matplotlib.image.imread(png)
    assert image.shape[0] > 400 and image.shape[1] > 1000
    pages = PdfReader(pdf).pages
    assert len(pages) == 1
    assert "2026-06-01" in pages[0].extract_text()


def test_a_figure_is_saved_as_png_or_pdf_only_and_never_over_another_kind_of_file(store, tmp_path):
    figure = swimmer(store, TODAY)
    with pytest.raises(ClinicalInputError, match=r"A figure is saved as .png or .pdf; 'plot.svg' is neither."):
        save(figure, tmp_path / "plot.svg")
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    with pytest.raises(ClinicalInputError, match="already exists and is not a PNG image"):
        save(figure, notes)
    assert notes.read_text() == "not an image"
    earlier = save(figure, tmp_path / "earlier.png")
    assert save(swimmer(store, TODAY, lines=1), earlier) == earlier  # an earlier figure is replaced


def test_the_cohort_is_read_alike_on_a_file_and_on_the_server(database):
    with figure_cohort.build(database) as store:
        cohort = read(store, TODAY)
        assert [(p.study_id, p.fraction_1) for p in cohort.infused] == [
            (s, DAY0[s]) for s in ("ARI-001", "ARI-002", "ARI-003")]
        assert len(swimmer(store, TODAY).axes[0].patches) == 3


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_figure_command_saves_the_figure_and_logs_the_export(store, tmp_path):
    out = tmp_path / "swimmer.png"
    done = run("--db", cli_db(store.path), "figure", "swimmer", "--out", str(out), "--as-of", "2026-06-01")
    assert done.exit_code == 0, done.output
    assert done.output == f"Wrote {out}.\n"
    assert matplotlib.image.imread(out).shape[1] > 1000
    logged = [e for e in store.audit.trail() if e.new.get("event") == "export"]
    assert logged[-1].new["detail"] == f"the cohort's swimmer plot as of 2026-06-01 → {out}"
    assert logged[-1].login == conftest.GUI_USER


def test_the_figure_command_draws_one_patients_expansion(store, tmp_path):
    out = tmp_path / "expansion.pdf"
    done = run("--db", cli_db(store.path), "figure", "expansion", "--patient", "ARI-001", "--out", str(out),
               "--as-of", "2026-06-01")
    assert done.exit_code == 0, done.output
    assert "CAR-T expansion of ARI-001" in PdfReader(out).pages[0].extract_text()


@pytest.mark.parametrize(("args", "says"), [
    (("swimmer", "--patient", "ARI-001", "--out", "x.png"), "A patient is drawn on the expansion and sbcma figures"),
    (("sbcma", "--out", "x.svg"), "A figure is saved as .png or .pdf; 'x.svg' is neither."),
    (("expansion", "--patient", "ARI-004", "--as-of", "2026-06-01", "--out", "x.png"),
     "ARI-004 had no fraction 1 given"),
])
def test_the_figure_command_refuses_in_one_sentence_with_exit_2(store, tmp_path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    done = run("--db", cli_db(store.path), "figure", *args)
    assert done.exit_code == 2
    assert says in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_report_holds_the_endpoint_tables_and_every_figure_in_one_pdf(store, tmp_path):
    from ari_desktop.reports.efficacy_report import write

    printed = write(store, tmp_path / "report.pdf", TODAY)
    pages = PdfReader(printed.path).pages
    assert len(pages) == printed.pages
    text = "".join(page.extract_text() for page in pages)
    assert "Safety and efficacy report as of 2026-06-01" in text
    assert "Denominator: 3 patients with fraction 1 recorded given" in text
    assert "CRS within 30 days" in text and "Progression-free survival" in text
    assert "Overall response (PR or" in text  # wrapped in its cell
    images = sum(len(page.images) for page in pages)
    assert images == 5  # swimmer, PFS, OS, expansion, sBCMA


def test_the_report_command_writes_the_pdf_and_logs_the_export(store, tmp_path):
    out = tmp_path / "report.pdf"
    done = run("--db", cli_db(store.path), "report", "--out", str(out), "--as-of", "2026-06-01")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"Wrote {out} (")
    logged = [e for e in store.audit.trail() if e.new.get("event") == "export"]
    assert logged[-1].new["detail"] == f"safety and efficacy report as of 2026-06-01 → {out}"
    notes = tmp_path / "notes.txt"
    notes.write_text("kept")
    refused = run("--db", cli_db(store.path), "report", "--out", str(notes))
    assert refused.exit_code == 2 and "is not a PDF" in refused.stderr
    assert notes.read_text() == "kept"


def test_a_large_cohorts_expansion_draws_its_first_infused_lines_and_counts_everyone(store, monkeypatch):
    from ari_desktop.figures import expansion as module

    monkeypatch.setattr(module, "LINES_DRAWN", 1)
    copies = expansion(store, TODAY).axes[0]
    lines = next(c for c in copies.collections if isinstance(c, LineCollection))
    assert lines.get_label() == "Each patient (the first 1 infused of 2)"
    assert len(lines.get_segments()) == 1
    assert "n = 2" in copies.get_title(loc="left")


def test_a_curve_with_many_censored_times_says_so_rather_than_hide_the_curve(store, monkeypatch):
    from ari_desktop.figures import survival as module

    monkeypatch.setattr(module, "CENSOR_MARKS", 1)
    curve = draw("os", store, TODAY).axes[0]
    assert [li.get_label() for li in curve.get_lines()][1] == "2 censored times, not marked"

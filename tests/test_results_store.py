"""Results in the store: on an item recorded done, checked, corrected with a reason, read into the IMWG
response; the physician's review, signed; progression. On a file and on the server."""

from datetime import date, datetime, timedelta

import conftest
import pytest
from conftest import TEST_PASSWORD, row_counts, sign_in

from ari_desktop.core import protocol
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.roles import NotAllowed
from ari_desktop.store import Store

P = protocol.load_default()
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0).astimezone()
DAY0 = TODAY - timedelta(days=200)


@pytest.fixture
def store(database):
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        patient = check_new_patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=30), DAY0), P, TODAY)
        store.patients.add(patient)
        yield store


def done(store, timepoint, activity, days_after_day0):
    when = datetime.combine(DAY0 + timedelta(days=days_after_day0), datetime.min.time().replace(hour=9)).astimezone()
    store.recordings.record("ARI-001", timepoint, activity, done_at=when)


def labs(store, timepoint, day, **values):
    done(store, timepoint, "response", day)
    return store.results.record("ARI-001", timepoint, "response", values)


def test_a_result_needs_its_item_recorded_done_first(store):
    with pytest.raises(ClinicalInputError, match="not recorded done: record it done"):
        store.results.record("ARI-001", "M1", "response", {"serum_m_g_dl": "0,4"})
    assert store.results.of("ARI-001") == []


def test_a_result_is_saved_as_typed_with_its_date_from_the_item(store):
    result = labs(store, "M1", 28, serum_m_g_dl="0,4", serum_ife="Positive", marrow_clonal=True)
    assert result.values == {"serum_m_g_dl": 0.4, "serum_ife": "positive", "marrow_clonal": "yes"}
    assert result.day == DAY0 + timedelta(days=28)
    assert result.recorded_by == conftest.GUI_USER
    entry = store.changes.all("results", result.id)[-1]
    assert entry.new["serum_m_g_dl"] == 0.4


@pytest.mark.parametrize(("values", "says"), [
    ({"serum_m_g_dl": "21"}, "serum M-protein must be between 0 and 20 g/dL"),
    ({"serum_m_g_dl": "-1"}, "between 0 and 20"),
    ({"serum_m_g_dl": "0.4.1"}, "is not a number"),
    ({"serum_ife": "maybe"}, "is not one of: negative, positive"),
    ({"marrow_plasma_cells_pct": "101"}, "between 0 and 100 %"),
    ({"sbcma_ng_ml": "10"}, "gives no soluble BCMA"),
])
def test_an_impossible_value_is_refused_in_one_sentence_and_nothing_is_written(store, values, says):
    done(store, "M1", "response", 28)
    before = row_counts(store.path, ("results", "change_log"))
    with pytest.raises(ClinicalInputError, match=says):
        store.results.record("ARI-001", "M1", "response", values)
    assert row_counts(store.path, ("results", "change_log")) == before


def test_filling_an_empty_field_adds_it_and_changing_a_value_is_a_correction_with_its_reason(store):
    labs(store, "M1", 28, serum_m_g_dl="0.4")
    store.results.record("ARI-001", "M1", "response", {"kappa_mg_l": "12"})  # added: no reason
    with pytest.raises(ClinicalInputError, match="already reads 0.4 g/dL: changing it is a correction"):
        store.results.record("ARI-001", "M1", "response", {"serum_m_g_dl": "0.3"})
    corrected = store.results.record("ARI-001", "M1", "response", {"serum_m_g_dl": "0.3"}, reason="lab re-ran it")
    assert corrected.values == {"serum_m_g_dl": 0.3, "kappa_mg_l": 12.0}
    last = store.changes.all("results", corrected.id)[-1]
    assert (last.old["serum_m_g_dl"], last.new["serum_m_g_dl"], last.reason) == (0.4, 0.3, "lab re-ran it")


def test_a_correction_from_a_stale_view_is_refused_with_who_changed_it(store):
    labs(store, "M1", 28, serum_m_g_dl="0.4")
    store.results.record("ARI-001", "M1", "response", {"serum_m_g_dl": "0.5"}, reason="typo")
    with pytest.raises(ClinicalInputError, match=r"was changed by .* \(0.4 → 0.5\) since you opened it"):
        store.results.record("ARI-001", "M1", "response", {"serum_m_g_dl": "0.6"}, reason="other",
                             expected={"serum_m_g_dl": 0.4})


def test_an_mrd_result_needs_its_method_and_sensitivity(store):
    done(store, "M3", "mrd_bm", 100)
    with pytest.raises(ClinicalInputError, match="method and its sensitivity"):
        store.results.record("ARI-001", "M3", "mrd_bm", {"mrd_result": "negative"})
    saved = store.results.record("ARI-001", "M3", "mrd_bm", {"mrd_method": "next-generation flow",
                                                            "mrd_sensitivity": "1e-5", "mrd_result": "negative"})
    assert saved.complete_mrd().sensitivity == 1e-5


def test_the_response_is_proposed_from_screening_and_confirmed_over_two_assessments(store):
    labs(store, "SCR", -30, serum_m_g_dl="3.0", urine_m_mg_24h="50", serum_ife="positive")
    labs(store, "M1", 28, serum_m_g_dl="1.2", urine_m_mg_24h="20")
    first = store.results.responses("ARI-001")
    assert [(a.timepoint, a.proposal.proposed.category, a.proposal.category) for a in first] == [("M1", "PR", None)]
    labs(store, "M2", 60, serum_m_g_dl="1.0", urine_m_mg_24h="20")
    course = store.results.responses("ARI-001")
    assert [(a.timepoint, a.proposed, a.category) for a in course] == [("M1", "PR", None), ("M2", "PR", "PR")]


def test_the_physician_confirms_or_overrides_with_a_reason_and_signs_it(store):
    labs(store, "SCR", -30, serum_m_g_dl="3.0", urine_m_mg_24h="50")
    labs(store, "M1", 28, serum_m_g_dl="1.2", urine_m_mg_24h="20")
    labs(store, "M2", 60, serum_m_g_dl="1.0", urine_m_mg_24h="20")
    with pytest.raises(ClinicalInputError, match="propose PR: recording VGPR instead is an override"):
        store.results.review("ARI-001", "M2", "VGPR")
    reviewed = store.results.review("ARI-001", "M2", "pr")
    assert (reviewed.category, reviewed.review.override, reviewed.review.decided_by) == ("PR", False, conftest.GUI_USER)
    with pytest.raises(ClinicalInputError, match="reviewing it again is a correction"):
        store.results.review("ARI-001", "M2", "VGPR", reason="IFE pending")
    again = store.results.review("ARI-001", "M2", "VGPR", reason="IFE pending", correction_reason="second look")
    assert (again.category, again.review.override) == ("VGPR", True)
    signature = store.signatures.sign("response_reviews", again.review.id, None, "physician", TEST_PASSWORD)
    assert signature.meaning == "confirmed"


def test_a_nurse_may_record_a_result_but_not_review_a_response(store):
    labs(store, "SCR", -30, serum_m_g_dl="3.0")
    labs(store, "M1", 28, serum_m_g_dl="1.2")
    sign_in(store, "nurse")
    labs(store, "M2", 60, serum_m_g_dl="1.0")
    with pytest.raises(NotAllowed, match="confirm or override a response category"):
        store.results.review("ARI-001", "M2", "PR")


def test_a_progression_is_dated_after_day_0_and_corrected_with_a_reason(store):
    with pytest.raises(ClinicalInputError, match="is not one of: biochemical, imaging"):
        store.results.record_progression("ARI-001", DAY0 + timedelta(days=150), "guess")
    with pytest.raises(ClinicalInputError, match="on or after day 0"):
        store.results.record_progression("ARI-001", DAY0 - timedelta(days=1), "imaging")
    store.results.record_progression("ARI-001", DAY0 + timedelta(days=150), "imaging")
    with pytest.raises(ClinicalInputError, match="needs its reason"):
        store.results.record_progression("ARI-001", DAY0 + timedelta(days=140), "imaging")
    moved = store.results.record_progression("ARI-001", DAY0 + timedelta(days=140), "imaging", reason="scan re-read")
    assert moved.progressed_on == DAY0 + timedelta(days=140)


def test_several_reviews_of_a_patient_are_written_together_or_not_at_all(store):
    labs(store, "SCR", -30, serum_m_g_dl="3.0", urine_m_mg_24h="50")
    labs(store, "M1", 28, serum_m_g_dl="1.2", urine_m_mg_24h="20")
    labs(store, "M2", 60, serum_m_g_dl="1.0", urine_m_mg_24h="20")
    with pytest.raises(ClinicalInputError, match="is an override and needs its reason"):
        store.results.review_many("ARI-001", [("M1", "PR", None), ("M2", "CR", None)])
    assert all(a.review is None for a in store.results.responses("ARI-001"))
    reviewed = store.results.review_many("ARI-001", [("M1", "PR", None), ("M2", "VGPR", "IFE pending")])
    assert [(a.timepoint, a.category, a.review.override) for a in reviewed] == [("M1", "PR", False),
                                                                                ("M2", "VGPR", True)]


def test_signatures_made_before_results_existed_are_kept_and_new_ones_numbered_after_them(database, monkeypatch):
    """Migration 009 rebuilds the signatures table (a response review is signed too): on a file and on a
    server, the signatures already made stay as they were, and the next one is numbered after them."""
    import sqlite3

    from ari_desktop.store import schema
    from ari_desktop.store.engine import ServerAddress, connect, is_server

    server = is_server(database)
    with monkeypatch.context() as old_version:
        old_version.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:8])
        if server:
            db = connect(ServerAddress(database))
            schema.migrate_server(db)
        else:
            schema.migrate(database)
            db = sqlite3.connect(database, isolation_level=None)
    db.execute("INSERT INTO accounts (login, full_name, password_hash, must_change_password, created_at, "
               "created_by) VALUES ('pau', 'Pau Metge', 'x', 0, '2026-01-01T00:00:00+00:00', 'set-up')")
    signature = ("INSERT INTO signatures (table_name, row_id, content_hash, meaning, account_id, login, full_name, "
                 "signed_at) VALUES (?, 1, 'h', ?, (SELECT id FROM accounts), 'pau', 'Pau Metge', "
                 "'2026-01-01T00:00:00+00:00')")
    db.execute(signature, ["assessments", "performed"])
    db.close()
    Store(database, "set-up").close()  # brought up to date
    db = connect(ServerAddress(database)) if server else sqlite3.connect(database, isolation_level=None)
    db.execute(signature, ["response_reviews", "confirmed"])
    assert [tuple(r) for r in db.execute("SELECT id, table_name, meaning FROM signatures ORDER BY id")] == [
        (1, "assessments", "performed"), (2, "response_reviews", "confirmed")]
    db.close()

"""What the rules, the store and the command line say, in Spanish and Catalan: a refusal in the remembered
language on stderr (exit 2, nothing written), JSON the same in every language (codes, not words), plurals by
each language's rule, and every message of core/, store/ and cli/ translated with its fields kept."""

from __future__ import annotations

import json
import string
from dataclasses import replace
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from conftest import cli_db, file_digest, open_store

from ari_desktop import catalogs, i18n, launch
from ari_desktop.cli import cli
from ari_desktop.core.dates import local_today
from ari_desktop.core.errors import ClinicalInputError

TODAY = local_today()
SCREENING = (TODAY - timedelta(days=60)).isoformat()
DAY0 = (TODAY - timedelta(days=10)).isoformat()
# The parts whose messages this file holds complete (core/protocol.py and cli/printing.py are the printouts').
MINE = ("ari_desktop/core/", "ari_desktop/store/", "ari_desktop/cli/")
NOT_MINE = ("ari_desktop/core/protocol.py", "ari_desktop/cli/printing.py")


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "unit.db"
    result = run(cli_db(path), "patient", "add", "--study-id", "ARI-001", "--initials", "AB", "--sex", "F",
                 "--birth-year", "1961", "--screening-date", SCREENING, "--infusion-date", DAY0)
    assert result.exit_code == 0, result.output
    return path


def command_line(monkeypatch, capsys, lang: str, *args: str) -> tuple[int, str, str]:
    """The program as started from a terminal (launch.main), in the language View → Language remembered."""
    i18n.remember_language(lang)
    monkeypatch.setattr("sys.argv", ["ari-desktop", *args])
    with pytest.raises(SystemExit) as ended:
        launch.main()
    out, err = capsys.readouterr()
    return ended.value.code, out, err


@pytest.mark.parametrize(("lang", "sentence"), [
    ("es", "ari-desktop: «2024-02-30» (fecha de selección) no existe en el calendario.\n"),
    ("ca", "ari-desktop: «2024-02-30» (data de selecció) no existeix al calendari.\n"),
])
def test_a_date_that_does_not_exist_is_refused_in_the_remembered_language_and_nothing_is_written(
        db, monkeypatch, capsys, lang, sentence):
    before = file_digest(db)
    code, out, err = command_line(monkeypatch, capsys, lang, "--db", str(db), "patient", "add", "--study-id",
                                  "ARI-002", "--initials", "CD", "--sex", "M", "--birth-year", "1958",
                                  "--screening-date", "2024-02-30")
    assert (code, out, err) == (2, "", sentence)
    assert file_digest(db) == before


@pytest.mark.parametrize(("lang", "sentence"), [
    ("es", "ari-desktop: La temperatura 50.0 °C está fuera del intervalo plausible 30.0–44.0 °C.\n"),
    ("ca", "ari-desktop: La temperatura 50.0 °C és fora de l'interval plausible 30.0–44.0 °C.\n"),
])
def test_an_implausible_temperature_is_refused_in_the_remembered_language(monkeypatch, capsys, lang, sentence):
    code, out, err = command_line(monkeypatch, capsys, lang, "grade", "crs", "--temperature", "50")
    assert (code, out, err) == (2, "", sentence)


def test_the_same_refusal_reads_in_english_by_default(db):
    result = run(db, "patient", "add", "--study-id", "ARI-002", "--initials", "CD", "--sex", "M",
                 "--birth-year", "1850", "--screening-date", SCREENING)
    assert result.exit_code == 2 and result.stderr == "ari-desktop: The birth year 1850 is before 1900.\n"


@pytest.mark.parametrize("command", [
    ("patient", "list", "--json"),
    ("schedule", "ARI-001", "--json"),
    ("worklist", "--date", DAY0, "--json"),
    ("grade", "crs", "--temperature", "39.1", "--hypotension", "--vasopressors", "1", "--json"),
    ("grade", "icans", "--ice", "6", "--consciousness", "awakens-to-voice", "--json"),
])
def test_json_is_the_same_in_every_language(db, command):
    printed = {}
    for lang in i18n.LANGUAGES:
        i18n.use(lang)
        result = run(db, *command)
        assert result.exit_code == 0, result.output
        printed[lang] = json.loads(result.stdout)
    assert printed["es"] == printed["en"] and printed["ca"] == printed["en"]


@pytest.mark.parametrize(("lang", "one", "three"), [
    ("en", "1 toxicity event after D+30", "3 toxicity events after D+30"),
    ("es", "1 acontecimiento de toxicidad después de D+30", "3 acontecimientos de toxicidad después de D+30"),
    ("ca", "1 esdeveniment de toxicitat després de D+30", "3 esdeveniments de toxicitat després de D+30"),
])
def test_a_count_of_events_takes_each_languages_plural(lang, one, three):
    i18n.use(lang)
    said = [i18n.ngettext("{count} toxicity event after {window}", "{count} toxicity events after {window}",
                          n).format(count=n, window="D+30") for n in (1, 3)]
    assert said == [one, three]


@pytest.mark.parametrize(("lang", "one", "seven"), [
    ("en", "Fraction 2; held, may be given up to 1 day late", "Fraction 2; held, may be given up to 7 days late"),
    ("es", "Fraction 2; aplazada, puede administrarse hasta 1 día tarde",
     "Fraction 2; aplazada, puede administrarse hasta 7 días tarde"),
    ("ca", "Fraction 2; ajornada, es pot administrar fins a 1 dia tard",
     "Fraction 2; ajornada, es pot administrar fins a 7 dies tard"),
])
def test_a_held_fraction_says_its_delay_in_days(store, lang, one, seven):
    from ari_desktop.core.schedule import held_label

    i18n.use(lang)
    assert store.protocol.held_fraction_max_delay_days == 7
    assert held_label("Fraction 2", replace(store.protocol, held_fraction_max_delay_days=1)) == one
    assert held_label("Fraction 2", store.protocol) == seven


def test_the_store_refuses_in_catalan_naming_the_field_and_writes_nothing(db):
    before = file_digest(db)
    screening = date.fromisoformat(SCREENING)
    with open_store(db) as store:
        i18n.use("ca")
        with pytest.raises(ClinicalInputError) as refused:
            store.patients.update_dates("ARI-001", "typed wrong", day0=screening - timedelta(days=5))
    assert refused.value.field == "day0"
    assert refused.value.message == (f"El dia 0 ({screening - timedelta(days=5)}) és anterior a la data de selecció "
                                     f"({screening}).")
    assert file_digest(db) == before


def test_a_stale_correction_is_refused_in_spanish_with_who_changed_it(db):
    with open_store(db) as store:
        seen = store.patients.get("ARI-001")
        store.patients.correct("ARI-001", "typed wrong", initials="AC")
        i18n.use("es")
        with pytest.raises(ClinicalInputError) as refused:
            store.patients.correct("ARI-001", "typed wrong", expected=seen, initials="AD")
    assert refused.value.message.startswith("Las iniciales de ARI-001: ")
    assert "(AB → AC)" in refused.value.message and refused.value.message.endswith(
        "revíselo y corríjalo si aún es necesario.")


@pytest.mark.parametrize(("lang", "sentence"), [
    ("es", "El usuario o la contraseña no son correctos."),
    ("ca", "L'usuari o la contrasenya no són correctes."),
])
def test_a_refused_log_in_is_said_in_the_users_language(db, lang, sentence):
    with open_store(db) as store:
        i18n.use(lang)
        with pytest.raises(ClinicalInputError) as refused:
            store.accounts.authenticate("nobody", "not-the-password")
    assert refused.value.message == sentence


def _messages_of_mine(lang: str):
    for message in catalogs.read(catalogs.po_path(lang), lang):
        places = [where for where, _ in message.locations]
        if message.id and any(p.startswith(MINE) and not p.startswith(NOT_MINE) for p in places):
            yield message


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_every_message_of_the_rules_the_store_and_the_command_line_is_translated(lang):
    missing = [text for text, why in catalogs.problems(lang)
               if any(place.startswith(MINE) and not place.startswith(NOT_MINE)
                      for m in catalogs.read(catalogs.POT) if m.id and (m.id if isinstance(m.id, str) else m.id[0])
                      == text for place, _ in m.locations)]
    assert missing == []


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_each_translation_keeps_the_fields_of_its_message(lang):
    wrong = []
    for message in _messages_of_mine(lang):
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [(sources[-1], t) for t in translations if _fields(t) != _fields(sources[-1])]
    assert wrong == []

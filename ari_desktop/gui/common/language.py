"""The window's language: Qt asks the app's gettext catalogs, and dates and numbers follow the language.

QUiLoader asks the application's translators for every translatable string of a Designer form as it
loads it, so one QTranslator that answers from ari_desktop.i18n translates the forms from the same
catalog as the Python strings. Qt's own words (the standard buttons' OK, Cancel...) come from the
qtbase_<lang>.qm that PySide6 ships.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from ... import i18n
from ...i18n import N_, _

# The country whose conventions each language's window follows: the unit is in Barcelona.
LOCALES = {"es": "es_ES", "ca": "ca_ES"}


class CatalogTranslator(QTranslator):
    """Answers Qt from the active gettext catalog; no answer (so Qt's own .qm or the source text) when the
    catalog has none."""

    def translate(self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        if not source_text:
            return None
        if disambiguation:
            translated = i18n.pgettext(disambiguation, source_text)
        else:
            translated = i18n._(source_text)
        return translated if translated != source_text else None

    def isEmpty(self) -> bool:
        return False


def locale_for(lang: str) -> QLocale:
    """Dates dd/mm/yyyy and 24-hour times in Spanish and Catalan; in English the system's own conventions
    when it is English, else British ones (day first, 24 h), as a Spanish hospital's English reader expects."""
    if lang in LOCALES:
        return QLocale(LOCALES[lang])
    system = QLocale.system()
    return system if system.language() == QLocale.Language.English else QLocale("en_GB")


def install(app: QApplication, lang: str) -> None:
    """Speak `lang` in the whole application: Python strings, Designer forms loaded from now on, Qt's own
    buttons and dialogs, and the default locale of dates and numbers. Called before any form loads."""
    i18n.use(lang)
    for old in app.findChildren(QTranslator, "ari-language"):
        QApplication.removeTranslator(old)
        old.deleteLater()
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        _install(app, qt_own)
    _install(app, CatalogTranslator(app))  # installed last, so asked first
    QLocale.setDefault(locale_for(lang))


def _install(app: QObject, translator: QTranslator) -> None:
    translator.setObjectName("ari-language")
    QApplication.installTranslator(translator)


def date_format(locale: QLocale | None = None) -> str:
    """The locale's short date order with two-digit day and month and a four-digit year: 10/03/2025 in
    Spanish, Catalan and British English, 03/10/2025 in American English."""
    pattern = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
    return re.sub("y+", "yyyy", re.sub("M+", "MM", re.sub("d+", "dd", pattern)))


def date_text(day: date | None, empty: str = "—") -> str:
    """A date as the window shows it, in the user's language (the command line keeps ISO dates)."""
    if day is None:
        return empty
    return QLocale().toString(QDate(day.year, day.month, day.day), date_format())


def date_time_text(moment: datetime) -> str:
    """A time-zone-aware moment in local time: the date as date_text, then the locale's short time (24 h in
    Spanish, Catalan and British English)."""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
    return QLocale().toString(local, f"{date_format()} {QLocale().timeFormat(QLocale.FormatType.ShortFormat)}")


# -- View → Language ------------------------------------------------------------------------------------------


def add_language_menu(window, view_menu: QMenu) -> QMenu:
    """View → Language: the three languages in their own names, the remembered one checked. Choosing one
    remembers it for the next start and offers to restart now (the open forms closed first) or later."""
    menu = view_menu.addMenu(_("&Language"))
    group = QActionGroup(menu)
    chosen = i18n.remembered_language()
    for code, name in i18n.LANGUAGES.items():
        action = menu.addAction(name)
        action.setCheckable(True)
        action.setChecked(code == chosen)
        action.setData(code)
        group.addAction(action)
        action.triggered.connect(lambda _checked=False, code=code: choose_language(window, code))
    return menu


def choose_language(window, lang: str) -> None:
    """Remember `lang`; the window speaks it once restarted. Said in `lang` itself, which the person just chose."""
    if lang == i18n.remembered_language() and lang == i18n.current():
        return
    i18n.remember_language(lang)
    if lang != i18n.current() and ask_restart(window, lang):
        restart(window)


def ask_restart(window, lang: str) -> bool:
    """Whether to restart now: asked in the chosen language."""
    words = i18n.catalog(lang).gettext
    question = words(N_("The window will speak {language} after a restart. Restart ARI Desktop now? The open "
                        "forms are closed first; you sign in again."))
    box = QMessageBox(QMessageBox.Icon.Question, "ARI Desktop", question.format(language=i18n.LANGUAGES[lang]),
                      parent=window)
    now = box.addButton(words(N_("Restart now")), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(words(N_("Later")), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is now


def restart(window) -> None:
    """Close the open forms as Switch user does (an edited one asks first; kept: no restart), then the
    window, and start the app again once the window has closed (gui/app.run)."""
    if not window.sign_ins._close_forms(ask=True):
        return
    window.restart_asked = True
    window.close()


def restart_process() -> None:
    """The same command again, in place of this process (the chosen language is read at start)."""
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])

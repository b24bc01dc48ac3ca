"""The app's words in English, Spanish and Catalan: one gettext catalog per language.

English is the source language: a message is written in English where it is used, marked with `_()`
(or `ngettext()` where a number decides its form, `pgettext()` where one English word has two
meanings), and looked up in `resources/locale/<lang>/LC_MESSAGES/ari_desktop.mo`. A word kept in a
table at import time is marked with `N_()` and translated with `_()` where it is shown. The window,
its Designer forms, the printouts and the command line all read these catalogs (no Qt here).
"""

from __future__ import annotations

import gettext
import locale
import os
from functools import cache
from pathlib import Path

from .paths import shipped

# Each language in its own name, as the View → Language menu and the print options list them.
LANGUAGES = {"en": "English", "es": "Español", "ca": "Català"}
SOURCE_LANGUAGE = "en"
DOMAIN = "ari_desktop"
# Points the remembered language at another file than the user's config folder (tests, benchmarks).
LANGUAGE_FILE_ENV = "ARI_DESKTOP_LANGUAGE_FILE"


@cache
def catalog(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang` (English: the messages as written)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, str(shipped("resources") / "locale"), [lang])


_active: gettext.NullTranslations = catalog(SOURCE_LANGUAGE)
_active_lang = SOURCE_LANGUAGE


def use(lang: str) -> None:
    """Speak `lang` from now on (every `_()` after this call)."""
    global _active, _active_lang
    _active, _active_lang = catalog(lang), lang


def current() -> str:
    return _active_lang


def _(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _active.pgettext(context, message)


def language_of(translations: gettext.NullTranslations | None) -> str:
    """The language of a catalog `catalog` gave (None: the active language; any other: English)."""
    if translations is None:
        return _active_lang
    return next((lang for lang in LANGUAGES if catalog(lang) is translations), SOURCE_LANGUAGE)


def grouped(value: float, lang: str | None = None) -> str:
    """A whole number with its thousands grouped as `lang` (default: the active language) writes them: 12,345
    in English, 12 345 (a no-break space) in Spanish and Catalan, whose decimal sign is the comma."""
    text = f"{value:,.0f}"
    return text if (lang or _active_lang) == SOURCE_LANGUAGE else text.replace(",", "\u00a0")


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it yet (it is translated where shown)."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message and its plural for the catalog, kept to be put with `ngettext()` where shown."""
    return singular, plural


def system_language() -> str:
    """The language of the user's system among the three, English when it is none of them."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        for part in value.split(":"):
            code = part[:2].lower()
            if code in LANGUAGES:
                return code
        if value:
            break
    code = (locale.getlocale()[0] or "")[:2].lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def language_file() -> Path:
    """Where the chosen language is remembered: a one-word file the window and the command line both read
    without Qt (the user's config folder, or the file named by ARI_DESKTOP_LANGUAGE_FILE)."""
    given = os.environ.get(LANGUAGE_FILE_ENV)
    if given:
        return Path(given)
    from platformdirs import user_config_path

    return user_config_path("ari-desktop", appauthor=False) / "language"


def remembered_language() -> str:
    """The language chosen in View → Language; the system's until one is chosen (or if the file is unreadable)."""
    try:
        chosen = language_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        chosen = ""
    return chosen if chosen in LANGUAGES else system_language()


def remember_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    path = language_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(lang + "\n", encoding="utf-8")

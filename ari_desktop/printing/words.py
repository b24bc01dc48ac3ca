"""The printed sheets' words in the sheet's language (which may differ from the window's).

Each message is written in English where the sheet uses it, marked with N_() (ngettext() where a count
decides its form) so `python -m ari_desktop.catalogs update` finds it, and looked up in the catalog of
the sheet's language (`i18n.catalog`). What comes from the protocol file (activity labels, tubes,
laboratories, timepoint labels) is in the protocol file in each language (`Protocol.in_language`).
Messages may hold `{name}` fields for str.format and reportlab paragraph mark-up (<b>, <super>); '&' and
'<' as text are escaped.
"""

from __future__ import annotations

from .. import i18n
from ..core.errors import ClinicalInputError
from ..i18n import N_
from .options import LANGUAGES

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
# A schedule item's status as the sheets print it (an item: "actividad", "activitat" are feminine).
STATUSES = {"planned": N_("planned"), "due": N_("due"), "overdue": N_("OVERDUE"), "missed": N_("missed"),
            "done": N_("done"), "not_done": N_("not done"), "cancelled": N_("cancelled")}


class Words:
    """The sheet's words in one language: ``words(N_("Page {page} of {pages}"), page=1, pages=2)``."""

    def __init__(self, lang: str):
        if lang not in LANGUAGES:
            raise ClinicalInputError(f"The language '{lang}' is not one of {', '.join(LANGUAGES)}.", "lang")
        self.lang = lang
        self._catalog = i18n.catalog(lang)

    def __call__(self, message: str, **fields: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**fields) if fields else text

    def ngettext(self, singular: str, plural: str, count: int, **fields: object) -> str:
        """The form of the message for `count` in the sheet's language; `count` is also a field."""
        return self._catalog.ngettext(singular, plural, count).format(count=count, **fields)

    def number(self, value: float) -> str:
        """5 or 2.5 in English, 5 or 2,5 in Spanish and Catalan."""
        text = f"{value:g}"
        return text if self.lang == "en" else text.replace(".", ",")

    def weekday(self, day) -> str:
        return self(WEEKDAYS[day.weekday()])

    def status(self, status: str) -> str:
        return self(STATUSES[status])

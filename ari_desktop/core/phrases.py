"""Sentences kept as their English template and named fields, put into words when they are shown.

A table computed once (the efficacy endpoints) is shown in the window's language, printed in a report's
and written into JSON in English: each of its sentences is a Phrase, its template marked `N_()` (or `Nn_()`
with its plural) where it is written, and its fields numbers already formatted, codes, or other phrases.
`text(translations)` puts it into one catalog's words (`i18n.catalog(lang)`; None: the active language).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..i18n import _, grouped, language_of, ngettext

ENGLISH = gettext.NullTranslations()  # the templates as written: what JSON and the English tests read


@dataclass(frozen=True, eq=False)
class Phrase:
    template: str | tuple[str, str]  # English; (singular, plural) when `count` chooses the form
    fields: Mapping[str, object] = field(default_factory=dict)
    count: int | None = None

    def text(self, translations: gettext.NullTranslations | None = None) -> str:
        if isinstance(self.template, tuple):
            words = (translations.ngettext if translations else ngettext)(*self.template, self.count)
        else:
            words = (translations.gettext if translations else _)(self.template)
        return words.format(**{name: in_words(value, translations) for name, value in self.fields.items()})

    def __str__(self) -> str:
        return self.text(ENGLISH)


@dataclass(frozen=True, eq=False)
class Joined:
    """Phrases shown one after another, "; " between them (the same in the three languages)."""

    parts: Sequence[Phrase | str]
    separator: str = "; "

    def text(self, translations: gettext.NullTranslations | None = None) -> str:
        return self.separator.join(in_words(part, translations) for part in self.parts)

    def __str__(self) -> str:
        return self.text(ENGLISH)


@dataclass(frozen=True)
class Grouped:
    """A number of thousands or more, its digits grouped as the language it is shown in groups them (i18n.grouped):
    a comma would read as a decimal sign in Spanish and Catalan."""

    value: float

    def text(self, translations: gettext.NullTranslations | None = None) -> str:
        return grouped(self.value, language_of(translations))

    def __str__(self) -> str:
        return self.text(ENGLISH)


Words = Phrase | Joined | Grouped | str  # a plain str is data (codes, numbers): the same in every language


class Reasoned:
    """A frozen dataclass's mixin for a result with a `reason` (English: what is stored and written into JSON)
    and `words` (the same reason as phrases, shown in the window's language). A reason given as text alone
    (read back from the database, or not written as phrases) is data, shown as it is."""

    reason: str
    words: Words | None

    def __post_init__(self) -> None:
        if self.words is None:
            object.__setattr__(self, "words", self.reason)

    @property
    def shown(self) -> str:
        """The reason in the active language."""
        return in_words(self.words)


def said(template: str, **fields) -> Phrase:
    return Phrase(template, fields)


def counted(forms: tuple[str, str], count: int, **fields) -> Phrase:
    """The form of `forms` (Nn_) that `count` takes; `count` is also the field {count}."""
    return Phrase(forms, {"count": count, **fields}, count)


def in_words(words: object, translations: gettext.NullTranslations | None = None) -> object:
    return words.text(translations) if isinstance(words, Phrase | Joined | Grouped) else words


def english(words: Words) -> str:
    return str(in_words(words, ENGLISH))

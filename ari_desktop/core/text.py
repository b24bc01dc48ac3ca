"""Free text a person types (names, reasons, notes): the one check made before it is written.

The limits are generous for what each field is for and small enough that a paste gone wrong (a
whole document in a name) is refused instead of slowing every worksheet, list and export that
shows it. A value is refused, never cut: the record keeps what was typed, or nothing.
"""

from __future__ import annotations

import re
import unicodedata

from ..i18n import N_, _, grouped
from .errors import ClinicalInputError

# A person as they sign a form: a full name with titles and a role ("Dra. María José
# Fernández-Villaverde, hematología") fits in 80, and so does a line of a printed sheet.
NAME_LIMIT = 80
# Why something was corrected, not done, held or ended: a sentence or two, as the change log and
# the printed sheets show it beside the value.
REASON_LIMIT = 500
# Clinical notes of an assessment or an event: a few paragraphs; the source document holds more.
NOTES_LIMIT = 2000


def check_text(value: str | None, what: str, field: str, limit: int, *, lines: bool = False) -> str | None:
    """`value` unchanged (None stays None), or one sentence naming `what`: longer than `limit`
    characters, holding bytes that were not UTF-8 text, or a control character (a line break is
    allowed when `lines`, in notes)."""
    if value is None:
        return None
    if len(value) > limit:
        raise ClinicalInputError(_("The {what} is {length} characters long; at most {limit} are allowed.").format(
                                     what=_(what), length=grouped(len(value)), limit=grouped(limit)),
                                 field)
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":  # a lone surrogate: bytes that were not UTF-8, e.g. from a terminal
            raise ClinicalInputError(_("The {what} holds bytes that are not UTF-8 text; type it again.").format(
                                         what=_(what)), field)
        if category == "Cc" and not (lines and char == "\n"):
            message = (_("The {what} holds a control character (U+{code:04X}), which is not allowed (only line "
                         "breaks are).") if lines
                       else _("The {what} holds a control character (U+{code:04X}), which is not allowed."))
            raise ClinicalInputError(message.format(what=_(what), code=ord(char)), field)
    return value


def check_user(name: str) -> str:
    """The name stamped on everything a user records (without surrounding spaces), checked when
    the store is opened."""
    name = check_text(name, N_("user name"), "user", NAME_LIMIT).strip()
    if not name:
        raise ClinicalInputError(_("Say who is working: the user name is empty."), "user")
    return name


_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse_decimal(text: str, what: str, field: str, example: str = "72.5") -> float:
    """A decimal number as typed: "72.5" and "72,5" are the same, whatever the system's locale;
    anything else (thousands separators, letters, two separators) is refused, never guessed."""
    typed = text.strip()
    if not _DECIMAL.fullmatch(typed):
        raise ClinicalInputError(_("{what} '{typed}' is not a number: type e.g. {example}.").format(
                                     what=_(what), typed=typed, example=example), field)
    return float(typed.replace(",", "."))


_WHOLE = re.compile(r"[+-]?\d+")


def parse_whole_number(text: str, what: str, field: str, example: str = "1960") -> int:
    """A whole number as typed ("1960", not "1.960" nor "1960.0"); anything else is refused."""
    typed = text.strip()
    if not _WHOLE.fullmatch(typed):
        raise ClinicalInputError(_("{what} '{typed}' is not a whole number: type e.g. {example}.").format(
                                     what=_(what), typed=typed, example=example), field)
    return int(typed)

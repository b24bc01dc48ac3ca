"""A team's server address, as typed: postgresql://USER@HOST[:PORT]/DATABASE.

The address is remembered by the window and shown in messages, so it never holds a password: the
server's own means give it (a ~/.pgpass file, PGPASSWORD, or the server trusting the unit's network).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..i18n import _
from .errors import ClinicalInputError

SCHEMES = ("postgresql", "postgres")
EXAMPLE = "postgresql://ari@ward-server/ari"


def is_server_address(text: str) -> bool:
    return text.strip().lower().startswith(tuple(f"{scheme}://" for scheme in SCHEMES))


def check_server_address(text: str) -> str:
    """The address, stripped, or one sentence saying what is wrong with it."""
    address = text.strip()
    if not address:
        raise ClinicalInputError(_("Type the server's address, e.g. {example}.").format(example=EXAMPLE), "address")
    if not is_server_address(address):
        raise ClinicalInputError(_("'{address}' is not a server address: it begins with postgresql://, e.g. "
                                   "{example}.").format(address=address, example=EXAMPLE), "address")
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ClinicalInputError(_("The port of '{address}' is not a number.").format(address=address),
                                 "address") from None
    if parts.password is not None:
        raise ClinicalInputError(_("Leave the password out of the address: it is remembered, so the server's own "
                                   "means give the password (a .pgpass file or PGPASSWORD)."), "address")
    if not parts.path.strip("/") :
        raise ClinicalInputError(_("Name the database after the server, e.g. {example}.").format(
                                     example=EXAMPLE), "address")
    if not parts.hostname and "host=" not in parts.query:
        raise ClinicalInputError(_("Name the server, e.g. {example}.").format(example=EXAMPLE), "address")
    return address

"""Command-line faces of electronic signatures: sign an assessment or a go/hold decision, list the
signatures of one. Signing always asks for the signer's password again, even in a session."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from ..core.signatures import SIGNABLE, shown_meaning
from ..i18n import _
from .accounts import passwords_of, sign_in

# What the command line calls a signable record -> its table.
RECORDS = {"assessment": "assessments", "decision": "fraction_decisions", "review": "response_reviews"}


def _when(moment) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def _signed(signature) -> str:
    return _("Signed as {meaning} by {full_name} ({login}) at {at}.").format(
        meaning=shown_meaning(signature.meaning), full_name=signature.full_name, login=signature.login,
        at=_when(signature.signed_at))


def register(cli: click.Group, store_of: Callable[[click.Context], object]) -> None:
    @cli.group("sign")
    def sign() -> None:
        """Sign an assessment, a go/hold decision or a response review (the password is entered again)."""

    @sign.command("assessment")
    @click.argument("record_id", metavar="ID", type=int)
    @click.option("--meaning", type=click.Choice(["performed", "reviewed"]), required=True,
                  help="performed (you assessed the patient) or reviewed (you checked it).")
    @click.pass_context
    def sign_assessment(ctx, record_id, meaning):
        """Sign a bedside assessment as performed or reviewed (as --user, or the session's account)."""
        click.echo(_signed(_sign(ctx, "assessments", record_id, meaning)))

    @sign.command("decision")
    @click.argument("record_id", metavar="ID", type=int)
    @click.pass_context
    def sign_decision(ctx, record_id):
        """Sign a go/hold decision: its meaning is the decision (as --user, or the session's account)."""
        click.echo(_signed(_sign(ctx, "fraction_decisions", record_id, None)))

    @sign.command("review")
    @click.argument("record_id", metavar="ID", type=int)
    @click.pass_context
    def sign_review(ctx, record_id):
        """Sign a response review (a category confirmed or overridden) as confirmed."""
        click.echo(_signed(_sign(ctx, "response_reviews", record_id, None)))

    def _sign(ctx, table, record_id, meaning):
        """The signer's password is entered again, even within a session."""
        store, passwords = store_of(ctx), passwords_of(ctx)
        login = ctx.obj["login"] or sign_in(store, None, passwords).login
        password = passwords.read(_("Password of {login}").format(login=login))
        return store.signatures.sign(table, record_id, meaning, login, password)

    @cli.command("signatures")
    @click.argument("record", type=click.Choice(list(RECORDS)))
    @click.argument("record_id", metavar="ID", type=int)
    @click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
    @click.pass_context
    def signatures_command(ctx, record, record_id, as_json):
        """The signatures of an assessment or a decision: printed name, date and time, meaning, and whether
        each is valid or void (the record changed since it was signed)."""
        store = store_of(ctx)
        sign_in(store, ctx.obj["login"], passwords_of(ctx))
        signed = store.signatures.of(RECORDS[record], record_id)
        if as_json:
            click.echo(json.dumps([{"full_name": s.full_name, "login": s.login, "signed_at": s.signed_at.isoformat(),
                                    "meaning": s.meaning, "status": status, "content_hash": s.content_hash}
                                   for s, status in signed], indent=2, ensure_ascii=False))
            return
        if not signed:
            click.echo(_("The {record} {record_id} is not signed.").format(
                record=_(SIGNABLE[RECORDS[record]][0]), record_id=record_id))
        for s, status in signed:
            click.echo(f"{s.full_name}  {_when(s.signed_at)}  {shown_meaning(s.meaning)}  {shown_meaning(status)}")

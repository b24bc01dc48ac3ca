"""Command-line faces of electronic signatures: sign an assessment or a go/hold decision, list the
signatures of one. Signing always asks for the signer's password again, even in a session."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from .accounts import Passwords, password_stdin_option

# What the command line calls a signable record -> its table.
RECORDS = {"assessment": "assessments", "decision": "fraction_decisions"}
_login_option = click.option("--user", "login", metavar="LOGIN", required=True,
                             help="Who signs (their password is asked, or read from standard input).")


def _when(moment) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def _signed(signature) -> str:
    return (f"Signed as {signature.meaning} by {signature.full_name} ({signature.login}) at "
            f"{_when(signature.signed_at)}.")


def register(cli: click.Group, store_of: Callable[[click.Context], object]) -> None:
    @cli.group("sign")
    def sign() -> None:
        """Sign an assessment or a go/hold decision (the password is entered again)."""

    @sign.command("assessment")
    @click.argument("record_id", metavar="ID", type=int)
    @click.option("--meaning", type=click.Choice(["performed", "reviewed"]), required=True,
                  help="performed (you assessed the patient) or reviewed (you checked it).")
    @_login_option
    @password_stdin_option
    @click.pass_context
    def sign_assessment(ctx, record_id, meaning, login, password_stdin):
        """Sign a bedside assessment as performed or reviewed."""
        store = store_of(ctx)
        password = Passwords(password_stdin).read(f"Password of {login}")
        click.echo(_signed(store.signatures.sign("assessments", record_id, meaning, login, password)))

    @sign.command("decision")
    @click.argument("record_id", metavar="ID", type=int)
    @_login_option
    @password_stdin_option
    @click.pass_context
    def sign_decision(ctx, record_id, login, password_stdin):
        """Sign a go/hold decision: its meaning is the decision."""
        store = store_of(ctx)
        password = Passwords(password_stdin).read(f"Password of {login}")
        click.echo(_signed(store.signatures.sign("fraction_decisions", record_id, None, login, password)))

    @cli.command("signatures")
    @click.argument("record", type=click.Choice(list(RECORDS)))
    @click.argument("record_id", metavar="ID", type=int)
    @click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
    @click.pass_context
    def signatures_command(ctx, record, record_id, as_json):
        """The signatures of an assessment or a decision: printed name, date and time, meaning, and whether
        each is valid or void (the record changed since it was signed)."""
        signed = store_of(ctx).signatures.of(RECORDS[record], record_id)
        if as_json:
            click.echo(json.dumps([{"full_name": s.full_name, "login": s.login, "signed_at": s.signed_at.isoformat(),
                                    "meaning": s.meaning, "status": status, "content_hash": s.content_hash}
                                   for s, status in signed], indent=2, ensure_ascii=False))
            return
        if not signed:
            click.echo(f"The {record} {record_id} is not signed.")
        for s, status in signed:
            click.echo(f"{s.full_name}  {_when(s.signed_at)}  {s.meaning}  {status}")

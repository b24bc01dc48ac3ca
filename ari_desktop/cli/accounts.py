"""Command-line faces of accounts, sessions and backups (the audit trail: cli.audit).

A password is never an argument: it is asked (hidden), or read from standard input, one per line,
with --password-stdin. A command that needs someone signed in takes `--user LOGIN` (the password is
then read first), or else the session token of `ari-desktop login` (saved in the user's config
folder, or given in ARI_DESKTOP_TOKEN).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..core.errors import ClinicalInputError, StoreError
from ..i18n import _, ngettext

TOKEN_VARIABLE = "ARI_DESKTOP_TOKEN"

password_stdin_option = click.option("--password-stdin", is_flag=True,
                                     help="Read the password(s) from standard input, one per line, instead of "
                                     "asking.")


class Passwords:
    """The passwords a command needs, in order: asked with hidden typing, or read from standard input."""

    def __init__(self, from_stdin: bool):
        self.from_stdin = from_stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if not self.from_stdin:
            try:
                return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, prompt_suffix=": ")
            except click.Abort:  # end of input, or Ctrl-C: nothing is done
                raise ClinicalInputError(_("Nothing was typed for: {prompt}.").format(prompt=prompt),
                                         "password") from None
        line = sys.stdin.readline()
        if not line:
            raise ClinicalInputError(_("Standard input holds no line for: {prompt}.").format(prompt=prompt),
                                     "password")
        return line.rstrip("\r\n")


def _saved_token(db: Path) -> str | None:
    from ..paths import session_file

    token = os.environ.get(TOKEN_VARIABLE)
    if token:
        return token.strip()
    path = session_file(db)
    return path.read_text("utf-8").strip() if path.is_file() else None


def sign_in(store, signer: str | None, passwords: Passwords):
    """The account working: `--user LOGIN` with its password, or the saved session."""
    if signer:
        return store.accounts.sign_in(signer, passwords.read(_("Password of {login}").format(login=signer)))
    token = _saved_token(store.path)
    if token is None:
        raise ClinicalInputError(_("Sign in first: ari-desktop login --user LOGIN, or give --user LOGIN."), "user")
    return store.accounts.resume(token)


def passwords_of(ctx: click.Context) -> Passwords:
    return Passwords(ctx.obj["password_stdin"])


def signed_in(ctx: click.Context, store, passwords: Passwords | None = None):
    """Sign in the user of the command line (--user, or the session) in `store`."""
    return sign_in(store, ctx.obj["login"], passwords or passwords_of(ctx))


def _authorised(ctx: click.Context, store, action: str, passwords: Passwords | None = None) -> None:
    """Sign in and check `action`, once the database has accounts (before, no one can sign in)."""
    if store.accounts.exist():
        signed_in(ctx, store, passwords)
        store.accounts.require(action)


def _print_json(value) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _when(moment) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


def register(cli: click.Group, store_of: Callable[[click.Context], object]) -> None:
    @cli.command("login")
    @click.option("--print-token", is_flag=True,
                  help=f"Print the token (for {TOKEN_VARIABLE}) instead of saving it in your config folder.")
    @click.pass_context
    def login_command(ctx, print_token):
        """Sign in with --user LOGIN: a session token that lasts a shift, so later commands need no password."""
        from ..core.accounts import SESSION_HOURS
        from ..paths import session_file

        login = ctx.obj["login"]
        if not login:
            raise ClinicalInputError(_("Say who signs in: ari-desktop login --user LOGIN."), "user")
        store = store_of(ctx)
        account = store.accounts.sign_in(login, passwords_of(ctx).read("Password"))
        token = store.accounts.start_session()
        if print_token:
            click.echo(token)
            return
        path = session_file(store.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(token + "\n", "utf-8")
        click.echo(_("Signed in as {login} ({full_name}) for {hours} hours.").format(
                       login=account.login, full_name=account.full_name, hours=SESSION_HOURS))

    @cli.command("logout")
    @click.pass_context
    def logout_command(ctx):
        """End the session of ari-desktop login."""
        from ..paths import session_file

        store = store_of(ctx)
        token = _saved_token(store.path)
        if token:
            store.accounts.end_session(token)
        session_file(store.path).unlink(missing_ok=True)
        click.echo(_("Signed out."))

    @cli.group("user")
    def user_group():
        """Accounts: add, deactivate, list, passwords, roles (the access review: ari-desktop access-review)."""

    @user_group.command("add")
    @click.option("--login", required=True, help="The login: lower-case letters, digits, '.', '_' or '-'.")
    @click.option("--full-name", required=True, help="The person's full name, as printed beside a signature.")
    @click.option("--role", "roles", multiple=True, required=True,
                  help="nurse, physician, data-manager, monitor or admin (repeat for several).")
    @click.pass_context
    def user_add(ctx, login, full_name, roles):
        """Add an account. The first account of a database is its administrator and needs no one signed in;
        afterwards an administrator adds accounts, and each changes its password at the first log-in."""
        store, passwords = store_of(ctx), passwords_of(ctx)
        if store.accounts.exist():
            signed_in(ctx, store, passwords)
            store.accounts.require("manage-accounts")
        password = passwords.read(_("Password for {login}").format(login=login), confirm=True)
        account = store.accounts.add(login, full_name, roles, password)
        said = (_("Added {login} ({full_name}): {roles}; password set (to be changed at the first log-in).")
                if account.must_change_password else _("Added {login} ({full_name}): {roles}; password set."))
        click.echo(said.format(login=account.login, full_name=account.full_name,
                               roles=", ".join(sorted(account.roles))))

    @user_group.command("deactivate")
    @click.argument("login")
    @click.option("--reason", required=True, help="Why (kept in the audit trail).")
    @click.pass_context
    def user_deactivate(ctx, login, reason):
        """Deactivate an account: it can no longer sign in; it stays, with everything it did."""
        store = store_of(ctx)
        signed_in(ctx, store)
        account = store.accounts.deactivate(login, reason)
        click.echo(_("Deactivated {login} ({full_name}).").format(login=account.login, full_name=account.full_name))

    @user_group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_context
    def user_list(ctx, as_json):
        """Every account, active or not, with its roles."""
        store = store_of(ctx)
        signed_in(ctx, store)
        accounts = store.accounts.all()
        if as_json:
            _print_json([{"login": a.login, "full_name": a.full_name, "roles": sorted(a.roles), "active": a.active,
                          "must_change_password": a.must_change_password,
                          "locked_until": a.locked_until.isoformat() if a.locked_until else None,
                          "created_at": a.created_at.isoformat(), "created_by": a.created_by} for a in accounts])
            return
        for a in accounts:
            state = "active" if a.active else "deactivated"
            click.echo(f"{a.login:<16} {a.full_name:<30} {state:<12} {', '.join(sorted(a.roles))}")

    @user_group.command("passwd")
    @click.option("--reset", "reset_login", metavar="LOGIN",
                  help="Administrator: give LOGIN a new password, to be changed at its next log-in.")
    @click.pass_context
    def user_passwd(ctx, reset_login):
        """Change your own password (the current one, then the new one), or reset another's."""
        store, passwords = store_of(ctx), passwords_of(ctx)
        if reset_login:
            signed_in(ctx, store, passwords)
            account = store.accounts.reset_password(reset_login,
                                                    passwords.read(_("New password for {login}").format(
                                                        login=reset_login), confirm=True))
            click.echo(_("Reset the password of {login}; it is to be changed at the next log-in.").format(
                           login=account.login))
            return
        login = ctx.obj["login"] or sign_in(store, None, passwords).login
        current = passwords.read(_("Current password"))
        account = store.accounts.change_password(login, current, passwords.read(_("New password"), confirm=True))
        click.echo(_("Changed the password of {login}.").format(login=account.login))

    @user_group.command("roles")
    @click.argument("login")
    @click.option("--grant", multiple=True, metavar="ROLE", help="A role to give (repeat for several).")
    @click.option("--revoke", multiple=True, metavar="ROLE", help="A role to take away (repeat for several).")
    @click.pass_context
    def user_roles(ctx, login, grant, revoke):
        """Grant or revoke roles; each is recorded with who and when (see the access review)."""
        if not grant and not revoke:
            raise ClinicalInputError(_("Give --grant ROLE or --revoke ROLE."), "role")
        store = store_of(ctx)
        signed_in(ctx, store)
        with store.transaction():
            for role in grant:
                store.accounts.grant(login, role)
            for role in revoke:
                store.accounts.revoke(login, role)
        account = store.accounts.get(login)
        click.echo(_("{login} holds: {roles}.").format(login=account.login,
                                                       roles=", ".join(sorted(account.roles)) or _("no role")))

    @cli.command("backup")
    @click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
                  help="Backup folder (default: backups in your user data folder).")
    @click.pass_context
    def backup_command(ctx, folder):
        """Copy the database, check the copy, and keep the newest of each of the last 14 days and 12 months."""
        from ..paths import default_backups
        from ..store import backups

        store = store_of(ctx)
        _authorised(ctx, store, "back-up")
        path = backups.make_backup(store, folder or default_backups())
        click.echo(_("Backed up {path} to {backup} (checked).").format(path=store.path, backup=path))

    @cli.command("restore")
    @click.argument("backup", type=click.Path(path_type=Path))
    @click.pass_context
    def restore_command(ctx, backup):
        """Put a backup (a file, or a folder's newest backup of the database) in the place of the database;
        the database it replaces is kept beside it."""
        from ..core.dates import local_now
        from ..core.protocol import load_default
        from ..paths import default_user
        from ..store import Store, backups

        db, user = ctx.obj["db"], default_user()
        protocol = load_default()
        backup = backups.chosen(backup, db)
        backups.check_restorable(backup, Path(db), protocol)  # before asking anyone for a password
        if os.path.isfile(db):
            try:
                current = Store(db, user, protocol)
            except StoreError:
                current = None  # a damaged database: the backup is the way back
            if current is not None:
                with current:
                    _authorised(ctx, current, "restore")
                    user = current.user
        aside = backups.restore(backup, db, protocol, local_now())
        with Store(db, user, protocol) as restored:
            kept = f"; the database it replaced is kept as {aside}" if aside else ""
            restored.audit.record("restore", user, f"from {backup}{kept}")
            count = restored.audit.verify()[0]
        said = (ngettext("Restored {db} from {backup} ({count} audit-trail entry, chain intact); the database it "
                         "replaced is kept as {aside}.", "Restored {db} from {backup} ({count} audit-trail entries, "
                         "chain intact); the database it replaced is kept as {aside}.", count) if aside
                else ngettext("Restored {db} from {backup} ({count} audit-trail entry, chain intact).",
                              "Restored {db} from {backup} ({count} audit-trail entries, chain intact).", count))
        click.echo(said.format(db=db, backup=backup, count=count, aside=aside))

"""The command line: the same services as the window, for scripts and for the data manager.

Errors a user can cause print one sentence on stderr and exit with code 2.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path, PurePath

import click

from ..core.dates import parse_date, parse_datetime
from ..core.errors import USER_ERRORS, ClinicalInputError
from ..core.patients import shown_stage
from ..core.schedule import shown_status
from ..core.text import check_user
from ..i18n import N_, _, grouped, ngettext
from ..reports.formats import CSV_FORMATS, WORKBOOK
from . import accounts as account_commands
from . import audit as audit_commands
from . import endpoints as endpoint_commands
from . import figures as figure_commands
from . import printing as printing_commands
from . import results as result_commands
from . import signatures as signature_commands
from . import toxicity as cli_toxicity
from .numbers import WholeNumber


def _check_utf8(ctx: click.Context) -> None:
    """Every text and file name given is UTF-8. Python keeps a byte that is not as a lone surrogate,
    which fails wherever it is written or printed, so it is refused here, naming the option."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str | PurePath):
                try:
                    str(item).encode("utf-8")
                except UnicodeEncodeError:
                    name = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
                    raise ClinicalInputError(_("{name} holds bytes that are not UTF-8 text; type it again.").format(
                                                 name=name),
                                             param.name) from None


# --db, given before the command (`ari-desktop --db x.db patient list`) or after it (`ari-desktop
# patient list --db x.db`): the group and every command take this one option. Two different files
# are refused: which one was meant cannot be told.
class _Database(click.Path):
    """A database file, or a server database's address (postgresql://user@host/dbname), kept as typed."""

    def convert(self, value, param, ctx):
        from ..store.engine import is_server

        return value if is_server(value) else super().convert(value, param, ctx)


db_option = click.option("--db", "db_path", type=_Database(dir_okay=False, path_type=Path),
                         help="Database file (default: ari-desktop.db in your user data folder), or a server "
                         "database: postgresql://USER@HOST/DBNAME.")
# Who works: --user LOGIN (its password asked, or read from standard input with --password-stdin),
# else the session of `ari-desktop login`. Given before or after the command, as --db is.
login_option = click.option("--user", "signer_login", metavar="LOGIN",
                            help="Sign in as LOGIN for this command, its password asked or read with "
                            "--password-stdin (default: the session of ari-desktop login); the window: the login "
                            "its log-in starts with.")
password_stdin_option = account_commands.password_stdin_option


class _Command(click.Command):
    """Every command takes --db, --user and --password-stdin after its name too, whichever module defines
    it (a command with a --user of its own, as audit's filter, keeps it: sign in before its name then)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = {opt for param in self.params for opt in param.opts}
        self.shared = [("db_path", "db", "--db")]
        db_option(self)
        if "--user" not in names:
            self.shared.append(("signer_login", "login", "--user"))
            login_option(self)
        if "--password-stdin" not in names:
            self.shared.append(("password_stdin", "password_stdin", "--password-stdin"))
            password_stdin_option(self)

    def invoke(self, ctx: click.Context):
        _check_utf8(ctx)
        for name, key, option in self.shared:
            value = ctx.params.pop(name)
            if name == "signer_login" and value is not None:
                check_user(value)
            if value:
                before = ctx.obj[f"{key}_given"]
                if before and before != value:
                    raise ClinicalInputError(
                        _("{option} is given twice, as {before} and as {value}; give it once.").format(
                            option=option, before=before, value=value),
                                             key)
                ctx.obj[key] = value
        return super().invoke(ctx)


class _Commands(click.Group):
    """Turns the errors a user can cause, and what SQLite says of a file it cannot use (damaged, in use),
    into one sentence on stderr and exit code 2."""

    command_class = _Command
    group_class = type  # sub-groups (patient, grade) are _Commands too

    def invoke(self, ctx: click.Context):
        try:
            _check_utf8(ctx)
            return super().invoke(ctx)
        except USER_ERRORS as error:
            click.echo(f"ari-desktop: {error}", err=True)
        except sqlite3.DatabaseError as error:
            from ..store.store import unusable

            click.echo(f"ari-desktop: {unusable(ctx.obj['db'], error)}", err=True)
        ctx.exit(2)


def _date(text: str | None, what: str) -> date | None:
    return parse_date(text, what) if text is not None else None


@click.group(cls=_Commands, invoke_without_command=True)
@db_option
@login_option
@password_stdin_option
@click.option("--date", "on", help="Window only: open the Today view on this date (YYYY-MM-DD).")
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Window only: render the window to this PNG file and exit.")
@click.option("--view", default="today", show_default=True,
              help="Window only, with --screenshot: today, patients, patient:STUDY_ID, analysis or "
              "analysis:swimmer|pfs|os|expansion|sbcma.")
@click.option("--size", default=None, help="Window only, with --screenshot: WIDTHxHEIGHT, e.g. 1366x768.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, signer_login: str | None, password_stdin: bool, on: str | None,
        screenshot: Path | None, view: str, size: str | None) -> None:
    """ARI Desktop: schedules, worklists and records of the ARI0002h CAR-T trial.

    Without a command, opens the window.
    """
    from ..paths import default_database

    if signer_login is not None:
        check_user(signer_login)  # a pasted page is refused before any file is opened
    ctx.obj = {"db": db_path or default_database(), "db_given": db_path, "login": signer_login,
               "login_given": signer_login,
               "password_stdin": password_stdin, "password_stdin_given": password_stdin}
    if ctx.invoked_subcommand is None:
        from ..launch import open_window

        ctx.exit(open_window(ctx.obj["db"], user=signer_login, on=_date(on, N_("date")), screenshot=screenshot,
                             view=view, size=size))


def _opened(ctx: click.Context):
    """The database, nobody signed in yet (the commands of accounts and signatures sign in themselves)."""
    from ..paths import default_user
    from ..store import Store

    store = Store(ctx.obj["db"], default_user())
    ctx.call_on_close(store.close)
    return store


def _store(ctx: click.Context):
    """The database, with the user signed in once it has accounts (before, nothing clinical is written)."""
    store = _opened(ctx)
    if store.accounts.exist():
        account_commands.sign_in(store, ctx.obj["login"], account_commands.Passwords(ctx.obj["password_stdin"]))
    return store


def _print_json(value) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


# -- patients ---------------------------------------------------------------------------------

@cli.group()
def patient() -> None:
    """Register, update and list patients."""


@patient.command("add")
@click.option("--study-id", required=True, help="Trial number, e.g. ARI-014.")
@click.option("--initials", required=True, help="2 to 4 letters; no names are stored.")
@click.option("--sex", required=True, help="F or M.")
@click.option("--birth-year", required=True, type=WholeNumber(N_("The birth year"), "1960"), help="YYYY.")
@click.option("--screening-date", required=True, help="YYYY-MM-DD.")
@click.option("--infusion-date", help="Day 0, first aliquot of the first infusion (YYYY-MM-DD).")
@click.option("--extramedullary", is_flag=True, help="Extramedullary disease: PET-CT is scheduled.")
@click.pass_context
def patient_add(ctx, study_id, initials, sex, birth_year, screening_date, infusion_date, extramedullary):
    """Register a patient and build the schedule."""
    from ..core.patients import Anchors, check_new_patient

    anchors = Anchors(screening=parse_date(screening_date, N_("screening date")),
                      day0=_date(infusion_date, N_("infusion date")), extramedullary=extramedullary)
    store = _store(ctx)
    new = check_new_patient(study_id, initials, sex, birth_year, anchors, store.protocol, store.today())
    store.patients.add(new)
    click.echo(_("Registered {study_id}.").format(study_id=new.study_id))


@patient.command("update")
@click.argument("study_id")
@click.option("--infusion-date", help="Day 0, or its new date if it moved (YYYY-MM-DD).")
@click.option("--booster-date", help="B0, no earlier than D+100 (YYYY-MM-DD).")
@click.option("--off-study", help="Date the patient went off study (YYYY-MM-DD); needs --reason.")
@click.option("--death-date", help="Date of death (YYYY-MM-DD).")
@click.option("--clear-booster", is_flag=True, help="Remove a booster date entered by mistake (needs --reason).")
@click.option("--clear-off-study", is_flag=True, help="Remove an off-study date entered by mistake (needs --reason).")
@click.option("--clear-death", is_flag=True, help="Remove a date of death entered by mistake (needs --reason).")
@click.option("--reason", help="Why (going off study, or correcting a date).")
@click.pass_context
def patient_update(ctx, study_id, infusion_date, booster_date, off_study, death_date, clear_booster,
                   clear_off_study, clear_death, reason):
    """Change a patient's dates; the schedule follows and what was recorded stays."""
    changes: dict = {}
    if clear_booster:
        changes["booster"] = None
    if clear_off_study:
        changes.update(off_study=None, off_study_reason=None)
    if clear_death:
        changes["death"] = None
    for field, text, what in (("day0", infusion_date, N_("infusion date")),
                              ("booster", booster_date, N_("booster date")),
                              ("off_study", off_study, N_("off-study date")),
                              ("death", death_date, N_("date of death"))):
        if text is not None:
            changes[field] = parse_date(text, what)
    if off_study is not None:
        changes["off_study_reason"] = reason
    if not changes:
        raise ClinicalInputError(_("Nothing to change: give a date to update."))
    store = _store(ctx)
    updated = store.patients.update_dates(study_id, reason=reason, **changes)
    click.echo(_("Updated {study_id}.").format(study_id=updated.study_id))


@patient.command("correct")
@click.argument("study_id")
@click.option("--initials", help="2 to 4 letters.")
@click.option("--sex", help="F or M.")
@click.option("--birth-year", type=WholeNumber(N_("The birth year"), "1960"), help="YYYY.")
@click.option("--extramedullary/--no-extramedullary", default=None,
              help="Extramedullary disease (adds or removes the PET-CT scans).")
@click.option("--reason", required=True, help="Why the entry is corrected (kept in the change log).")
@click.pass_context
def patient_correct(ctx, study_id, initials, sex, birth_year, extramedullary, reason):
    """Correct what was typed at registration; the old values stay in the change log."""
    corrected = _store(ctx).patients.correct(study_id, reason, initials=initials, sex=sex, birth_year=birth_year,
                                            extramedullary=extramedullary)
    click.echo(_("Corrected {study_id}.").format(study_id=corrected.study_id))


@patient.command("history")
@click.argument("study_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the stored values, times in UTC.")
@click.pass_context
def patient_history(ctx, study_id, as_json):
    """Every change written about a patient: who, when, old and new values, and why."""
    store = _store(ctx)
    changes = store.changes.of_patient(study_id)
    if as_json:
        _print_json([{"at": c.at.isoformat(timespec="seconds"), "user": c.user, "table": c.table, "row": c.row_id,
                      "action": c.action, "old": c.old, "new": c.new, "reason": c.reason} for c in changes])
        return
    from ..reports.history import entries, text_lines

    for line in text_lines(entries(changes, store.protocol)):
        click.echo(line)


@patient.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def patient_list(ctx, as_json):
    """Every patient, with the stage they are at today."""
    store = _store(ctx)
    today = store.today()
    rows = [{"study_id": p.study_id, "initials": p.initials, "sex": p.sex, "birth_year": p.birth_year,
             "stage": p.stage(today, store.protocol),
             "screening_date": p.anchors.screening.isoformat(),
             "day0": p.anchors.day0.isoformat() if p.anchors.day0 else None,
             "booster_date": p.anchors.booster.isoformat() if p.anchors.booster else None}
            for p in store.patients.all()]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        click.echo(_("{study_id:<12} {initials:<4} {sex} {birth_year}  {stage:<10} day 0 {day0}").format(
                       study_id=row["study_id"], initials=row["initials"], sex=row["sex"],
                       birth_year=row["birth_year"], stage=shown_stage(row["stage"]), day0=row["day0"] or "-"))


# -- schedules, worklists, recording ----------------------------------------------------------

@cli.command("schedule")
@click.argument("study_id")
@click.option("--as-of", help="Statuses as of this date (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def schedule_command(ctx, study_id, as_of, as_json):
    """A patient's whole calendar with the status of every item."""
    store = _store(ctx)
    entries = store.schedules.of(study_id, _date(as_of, N_("as-of date")) or store.today())
    if as_json:
        _print_json([e.as_json() for e in entries])
        return
    for e in entries:
        done = f"  {e.recording.done_at:%Y-%m-%d %H:%M}" if e.recording and e.recording.done_at else ""
        click.echo(f"{e.item.target_date}  {e.item.timepoint:<6} {e.status:<9} {e.item.label}{done}")


@cli.command("worklist")
@click.option("--date", "on", help="The day (default today).")
@click.option("--kind", default="all", show_default=True, help="sample, assessment, visit, infusion or all.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the printable worklist (A4 landscape) to this PDF instead.")
@printing_commands.lang_option
@printing_commands.overwrite_option
@click.pass_context
def worklist_command(ctx, on, kind, as_json, pdf, lang, overwrite):
    """Every open item whose window holds the day, across all patients."""
    store = _store(ctx)
    day = _date(on, N_("date")) or store.today()
    if pdf is not None:
        from ..printing.worklist import write

        printing_commands.wrote(write(store, day, pdf, lang=lang, overwrite=overwrite), store, f"worklist of {day}")
        return
    entries = store.schedules.worklist(day, kind)
    if as_json:
        _print_json([e.as_json() for e in entries])
        return
    for e in entries:
        activity = store.protocol.activity(e.item.activity)
        tube = f"  [{activity.tube} -> {activity.lab}]" if activity.tube else ""
        click.echo(f"{e.study_id:<12} {e.item.timepoint:<6} {e.status:<8} {e.item.label}{tube}")


@cli.command("record")
@click.argument("study_id")
@click.option("--timepoint", required=True, help="Timepoint code, e.g. D+7 or M3.")
@click.option("--activity", required=True, help="Activity code, e.g. sbcma.")
@click.option("--done-at", help="When it was done: YYYY-MM-DDTHH:MM (local time unless an offset is given).")
@click.option("--not-done", help="Why it was not done.")
@click.option("--dose", help="An infusion given: the dose given, x10^6 CAR+ cells/kg (e.g. 0.9).")
@click.option("--weight", help="An infusion given: the patient's weight, kg (e.g. 72.5).")
@click.option("--reason", help="Reason for correcting an item already recorded, or for withdrawing it.")
@click.option("--withdraw", is_flag=True, help="Take back an item recorded done (not done after all): it is open "
              "again. Needs --reason unless you recorded it in the last few minutes.")
@click.pass_context
def record_command(ctx, study_id, timepoint, activity, done_at, not_done, dose, weight, reason, withdraw):
    """Record a sample or assessment done, or not done with a reason; an infusion given with its dose and
    the patient's weight; or withdraw a recording made by mistake."""
    from ..core.gate import DoseGiven
    from ..core.text import parse_decimal

    if withdraw:
        if any(value is not None for value in (done_at, not_done, dose, weight)):
            raise ClinicalInputError(_("--withdraw takes back a recording: give it without --done-at, --not-done, "
                                       "--dose or --weight."), "withdraw")
        entry = _store(ctx).recordings.withdraw(study_id, timepoint, activity, reason)
        click.echo(_("Withdrew {label} at {timepoint} for {study_id}: it is {status} again.").format(
                       label=entry.item.label, timepoint=timepoint, study_id=entry.study_id,
                       status=shown_status(entry.status)))
        return
    if (done_at is None) == (not_done is None):
        raise ClinicalInputError(_("Give either --done-at or --not-done."))
    if (dose is None) != (weight is None):
        raise ClinicalInputError(_("An infusion given is recorded with both --dose and --weight."), "dose")
    given = None if dose is None else DoseGiven(parse_decimal(dose, N_("The dose"), "dose"),
                                                parse_decimal(weight, N_("The weight"), "weight"))
    moment = parse_datetime(done_at, N_("time done")) if done_at is not None else None
    entry = _store(ctx).recordings.record(study_id, timepoint, activity, done_at=moment, not_done_reason=not_done,
                               correction_reason=reason, dose=given)
    said = (_("Recorded {label} at {timepoint} for {study_id}: {status} (outside its window).")
            if entry.in_window is False else _("Recorded {label} at {timepoint} for {study_id}: {status}."))
    click.echo(said.format(label=entry.item.label, timepoint=timepoint, study_id=entry.study_id,
                           status=shown_status(entry.status)))


@cli.command("demo")
@click.option("--patients", default=60, show_default=True, type=click.IntRange(1, 100_000),
              help="How many synthetic patients.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed.")
@click.pass_context
def demo_command(ctx, patients, seed):
    """Fill the database with synthetic patients at every stage of the trial; a new database also gets one
    demo account per role (admin, nurse, physician, datamanager, monitor; password demo-password)."""
    from .. import demo

    store = _opened(ctx)  # the demo acts as its own accounts
    logins = demo.add_accounts(store)
    demo.fill(store, patients, seed)
    click.echo(ngettext("Added {count} demo patient to {path}.", "Added {count} demo patients to {path}.",
                        patients).format(count=patients, path=store.path))
    if logins:
        click.echo(_("Added the demo accounts {logins}, each with the password {password} (for trying the "
                     "program only; all but admin change it at the first log-in).").format(
                       logins=", ".join(logins), password=demo.DEMO_PASSWORD))


@cli.command("migrate")
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The unit's database file.")
@click.option("--to", "address", required=True, help="A new, empty database on the team's PostgreSQL server: "
              "postgresql://USER@HOST/DATABASE.")
@click.pass_context
def migrate_command(ctx, source, address):
    """Move a unit's database file to its team's server: every record, account and signature, and the change
    log with its hash chain, counted and verified there. An administrator of the file signs in."""
    from ..core.addresses import check_server_address
    from ..paths import default_user
    from ..store import Store
    from ..store.move import move_to_server

    address = check_server_address(address)
    with Store(source, default_user()) as store:  # checked, and brought to the current schema
        account_commands.signed_in(ctx, store)
        store.accounts.require("move-to-server")
        login = store.user
    moved = move_to_server(source, address)
    with Store(address, login) as server:
        server.audit.record("moved to the server", login, f"from {source}")
    for table, count in moved.rows.items():
        click.echo(f"{table:<22} {count:>10,}")
    click.echo(_("Moved {source} to {path}: {rows} rows, counted again there; {audit_entries} audit-trail "
                 "entries, chain intact.").format(source=source, path=server.path,
                                                  rows=grouped(sum(moved.rows.values())),
                                                  audit_entries=grouped(moved.audit_entries)))


@cli.command("export")
@click.option("--out", "folder", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the files (created if needed); the files of an earlier export are replaced, "
              "no other file.")
@click.option("--as-of", help="Statuses as of this date (default today).")
@click.option("--csv-for", default="analysis", show_default=True, type=click.Choice(tuple(CSV_FORMATS)),
              help="; ".join(f"{name}: {f.description}" for name, f in CSV_FORMATS.items()) + ".")
@click.option("--xlsx", is_flag=True, help=f"Also write {WORKBOOK}: one sheet per table and a data dictionary.")
@click.option("--registry", is_flag=True, help="Also write registry.csv: the fields of EBMT's MED-A Day-100 form "
              "and CIBMTR form 4100, one row per patient and infusion (a sheet of the workbook too).")
@click.pass_context
def export_command(ctx, folder, as_of, csv_for, xlsx, registry):
    """Write every table, the schedule with statuses, the responses and the safety endpoints as CSV files (and a
    workbook); with --registry, the registry export too."""
    from ..reports.export import export

    store = _store(ctx)
    written = export(store, folder, _date(as_of, N_("as-of date")) or store.today(), csv_for=csv_for, workbook=xlsx,
                     registry=registry)
    store.audit.exported(f"{len(written)} files of the tables{' and the registry export' if registry else ''} "
                         f"({csv_for})", folder)
    click.echo(ngettext("Wrote {count} file to {folder}:", "Wrote {count} files to {folder}:", len(written)).format(
        count=len(written), folder=folder))
    width = max(len(w.path.name) for w in written)
    for w in written:
        click.echo(f"  {w.path.name:<{width}}  {w.rows:>7,} {'row' if w.rows == 1 else 'rows'}")


cli_toxicity.register(cli, _store)
endpoint_commands.register(cli, _store)
result_commands.register(cli, _store)
figure_commands.register(cli, _store)
printing_commands.register(cli, _store)
account_commands.register(cli, _opened)
audit_commands.register(cli, _opened)
signature_commands.register(cli, _opened)


def main() -> None:
    """The entry point: click's own usage errors also become one sentence and exit code 2."""
    try:
        result = cli.main(prog_name="ari-desktop", standalone_mode=False)
    except click.Abort:
        click.echo("ari-desktop: " + _("aborted."), err=True)
        sys.exit(1)
    except click.UsageError as error:
        click.echo(f"ari-desktop: {error.format_message()}", err=True)
        sys.exit(2)
    # Without standalone mode, click returns the exit code of ctx.exit() instead of exiting.
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    sys.exit(main())

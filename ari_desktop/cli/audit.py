"""The audit trail and the access review on the command line: read (filtered), saved as CSV or PDF
(each logged as an export or a print), and the hash chain verified.

Reading needs an account allowed to read the audit trail (core.roles: read-audit), signed in with
`ari-desktop login` (or ARI_DESKTOP_TOKEN), once the database has accounts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from ..core.dates import parse_date
from ..i18n import N_, _, grouped, ngettext
from ..store.audit import KIND_CODES, KINDS, TrailFilter
from .accounts import _authorised
from .printing import overwrite_option, wrote


def _print_json(value) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _may_read(ctx: click.Context, store) -> None:
    """Sign in (the session, or --user given before `audit`: after it, --user is the filter) and check."""
    _authorised(ctx, store, "read-audit")


def register(cli: click.Group, store_of: Callable[[click.Context], object]) -> None:
    pdf_option = click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
                              help="Write it as a PDF (A4 landscape) to this file instead; logged as a print.")
    json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")

    @cli.group("audit", invoke_without_command=True)
    @click.option("--patient", metavar="STUDY_ID", help="Only what concerns this patient (its records, their "
                  "signatures, the prints and exports that name it).")
    @click.option("--user", "login", metavar="LOGIN", help="Only what this user did (or, for a log-in, tried).")
    @click.option("--kind", type=click.Choice(KIND_CODES),
                  help="Only entries of this kind: " + "; ".join(f"{k.code}: {k.label.lower()}" for k in KINDS) + ".")
    @click.option("--from", "start", metavar="DATE", help="From this day (YYYY-MM-DD, your time zone).")
    @click.option("--to", "end", metavar="DATE", help="To this day, included (YYYY-MM-DD, your time zone).")
    @json_option
    @click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the entries to this CSV file instead (for Excel or R); logged as an export.")
    @pdf_option
    @overwrite_option
    @click.pass_context
    def audit_group(ctx, patient, login, kind, start, end, as_json, csv_out, pdf, overwrite):
        """The audit trail, oldest first: when (your time zone), who, what, old and new values, why.
        Filter by patient, user, kind and days; save it as CSV or PDF; `audit verify` checks its hash chain."""
        if ctx.invoked_subcommand is not None:
            return
        store = store_of(ctx)
        chosen = TrailFilter(patient, login, kind, parse_date(start, N_("from date")) if start else None,
                             parse_date(end, N_("to date")) if end else None).check()
        _may_read(ctx, store)
        if csv_out is not None or pdf is not None:
            _save(store, chosen, csv_out, pdf, overwrite)
            return
        from ..reports.audit import as_json as entry_json
        from ..reports.audit import line

        if as_json:
            _print_json([entry_json(e) for e in store.audit.each(chosen)])
            return
        for e in store.audit.each(chosen):
            shown = line(e)
            patient_text = f"  {shown.patient}" if shown.patient else ""
            click.echo(f"{shown.entry:>7}  {shown.when}  {shown.who}  {shown.kind}{patient_text}  {shown.what}")
            for change in shown.changes:
                click.echo(f"         {change}")
            if shown.reason:
                click.echo(_("         why: {reason}").format(reason=shown.reason))

    @audit_group.command("verify")
    @click.pass_context
    def audit_verify(ctx):
        """Check the hash chain: names the first entry altered, removed or inserted outside ARI Desktop."""
        count, broken = store_of(ctx).audit.verify()
        if broken:
            click.echo(f"ari-desktop: {broken}", err=True)
            ctx.exit(1)
        click.echo(ngettext("{count} entry, chain intact.", "{count} entries, chain intact.", count).format(
            count=count))

    @cli.command("access-review")
    @json_option
    @pdf_option
    @overwrite_option
    @click.pass_context
    def access_review_command(ctx, as_json, pdf, overwrite):
        """Who holds (or held) which role, since when, granted by whom, and until when."""
        store = store_of(ctx)
        _may_read(ctx, store)
        if pdf is not None:
            from ..printing.audit import write_access_review

            wrote(write_access_review(store, pdf, overwrite=overwrite), store, "access review")
            return
        grants = store.accounts.access_review()
        if as_json:
            _print_json([{"login": g.login, "full_name": g.full_name, "role": g.role,
                          "granted_at": g.granted_at.isoformat(), "granted_by": g.granted_by,
                          "revoked_at": g.revoked_at.isoformat() if g.revoked_at else None,
                          "revoked_by": g.revoked_by} for g in grants])
            return
        for g in grants:
            line = (_("{login:<16} {role:<13} since {when} granted by {granted_by}, revoked {revoked_at} by "
                      "{revoked_by}") if g.revoked_at
                    else _("{login:<16} {role:<13} since {when} granted by {granted_by}"))
            click.echo(line.format(login=g.login, role=g.role, when=_when(g.granted_at), granted_by=g.granted_by,
                                   revoked_at=_when(g.revoked_at) if g.revoked_at else None, revoked_by=g.revoked_by))


def _when(moment) -> str:
    from ..reports.history import moment_text

    return moment_text(moment)


def _save(store, chosen: TrailFilter, csv_out: Path | None, pdf: Path | None, overwrite: bool) -> None:
    what = f"audit trail ({chosen.described()})"
    if csv_out is not None:
        from ..reports.audit import write_csv

        count = write_csv(store, chosen, csv_out)
        store.audit.exported(what, csv_out)
        click.echo(ngettext("Wrote {path} ({count} entry).", "Wrote {path} ({count} entries).", count).format(
            path=csv_out, count=grouped(count)))
    if pdf is not None:
        from ..printing.audit import write_trail

        wrote(write_trail(store, chosen, pdf, overwrite=overwrite), store, what)

"""Command-line faces of results: a result typed on the item that produced it, the IMWG response of
each assessment with its proposal, the physician's confirmation (signed), and progression."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from ..core.dates import parse_date
from ..core.errors import ClinicalInputError
from ..core.response import CATEGORIES
from ..core.results import FIELDS, PROGRESSION_FOUND_BY, AssessedResponse, Result, shown
from ..core.text import parse_decimal
from ..i18n import N_, _
from .accounts import passwords_of

# The blood count of a cbc item: its three values, as the count command takes them.
_COUNT_OPTIONS = {"neutrophils": "x10^9/L", "platelets": "x10^9/L", "haemoglobin": "g/dL"}


def _result_options(command):
    """One option per result field (the store refuses a field the item's activity does not give)."""
    for field in reversed(list(FIELDS.values())):
        allowed = f" ({' / '.join(field.choices or ('yes', 'no'))})" if field.choices or field.kind == "yes_no" else ""
        unit = f", {field.unit}" if field.unit else ""
        command = click.option(field.option, field.name, metavar="VALUE",
                               help=f"{field.english_title}{unit}{allowed}.")(command)
    for name, unit in reversed(_COUNT_OPTIONS.items()):
        command = click.option(f"--{name}", name, metavar="VALUE", help=f"A cbc item: {name}, {unit}.")(command)
    return command


def result_lines(result: Result) -> list[str]:
    return [f"  {FIELDS[name].shown}: {shown(FIELDS[name], value)}" for name, value in result.values.items()]


def response_line(assessed: AssessedResponse) -> str:
    """One assessment as a physician reads it: proposal, criterion, confirmation, review, MRD."""
    review = assessed.review
    if review is None:
        reviewed = _("not reviewed yet")
    else:
        reviewed = (_("reviewed by {who}: {category} (override: {reason})") if review.override
                    else _("reviewed by {who}: {category}")).format(who=review.decided_by, category=review.category,
                                                                    reason=review.reason)
        if assessed.review_stale:
            reviewed = _("{reviewed}; the numbers changed since").format(reviewed=reviewed)
    return (f"{assessed.timepoint:<6} {assessed.day}  {_('proposed')} {assessed.proposed or '—':<5} "
            f"{assessed.proposal.proposed.criterion}  {assessed.proposal.reason}  [{reviewed}]  {assessed.mrd.reason}")


def _response_json(assessed: AssessedResponse) -> dict:
    review = assessed.review
    return {"timepoint": assessed.timepoint, "day": assessed.day.isoformat(), "proposed": assessed.proposed,
            "criterion": assessed.proposal.proposed.criterion, "missing": list(assessed.proposal.proposed.missing),
            "confirmed": assessed.proposal.category, "confirmation": assessed.proposal.reason,
            "category": assessed.category, "mrd_negative": assessed.mrd.negative, "mrd": assessed.mrd.reason,
            "review": None if review is None else {
                "id": review.id, "category": review.category, "proposed": review.proposed, "reason": review.reason,
                "by": review.decided_by, "at": review.decided_at.isoformat(), "stale": assessed.review_stale}}


def register(cli: click.Group, get_store: Callable[[click.Context], object]) -> None:
    """Add the result, response and progression commands to the main command group."""

    @cli.command("result")
    @click.argument("study_id")
    @click.option("--timepoint", required=True, help="Timepoint code of the item, e.g. M3.")
    @click.option("--activity", required=True, help="Activity code of the item: response, mrd_bm, pet_ct, cart_pb, "
                  "sbcma, bcma_bm or cbc.")
    @_result_options
    @click.option("--reason", help="Reason for changing a value already recorded (a correction).")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    @click.pass_context
    def result_command(ctx, study_id, timepoint, activity, reason, as_json, **typed):
        """Record the result of an item recorded done: only the values given are written (a value changed
        is a correction and needs --reason). A response item then shows its IMWG proposal."""
        store = get_store(ctx)
        counts = {name: typed.pop(name) for name in _COUNT_OPTIONS}
        given = {name: value for name, value in typed.items() if value is not None}
        if activity == "cbc":
            if given or reason:
                raise ClinicalInputError(_("A cbc item's result is its blood count: --neutrophils, --platelets, "
                                           "--haemoglobin (a count is corrected with ari-desktop count)."), "activity")
            values = {n: parse_decimal(v, n.capitalize(), n) for n, v in counts.items() if v is not None}
            if not values:
                raise ClinicalInputError(_("Give at least one of --neutrophils, --platelets, --haemoglobin."),
                                         "activity")
            count = store.results.record_count(study_id, timepoint, **values)
            click.echo(_("Recorded the blood count of {study_id} at {timepoint}: {values} (grades {grades}).").format(
                study_id=study_id.strip(), timepoint=timepoint,
                values=", ".join(f"{n} {v:g}" for n, v in values.items()), grades=count.grades))
            return
        if any(value is not None for value in counts.values()):
            raise ClinicalInputError(_("--neutrophils, --platelets and --haemoglobin are a cbc item's result."),
                                     "activity")
        if not given:
            raise ClinicalInputError(_("Give at least one value of the result (see ari-desktop result --help)."),
                                     "activity")
        saved = store.results.record(study_id, timepoint, activity, given, reason)
        assessed = next((a for a in store.results.responses(study_id) if a.timepoint == timepoint), None)
        if as_json:
            click.echo(json.dumps({"study_id": study_id.strip(), "timepoint": timepoint, "activity": activity,
                                   "done_at": saved.done_at.isoformat(), "values": saved.values,
                                   "response": _response_json(assessed) if assessed else None},
                                  indent=2, ensure_ascii=False))
            return
        click.echo(_("Recorded the {label} result of {study_id} at {timepoint} "
                     "(taken {done_at:%Y-%m-%d %H:%M}):").format(
                       label=store.protocol.activity(activity).label, study_id=study_id.strip(), timepoint=timepoint,
                       done_at=saved.done_at.astimezone()))
        for line in result_lines(saved):
            click.echo(line)
        if assessed:
            click.echo(_("IMWG: {response}").format(response=response_line(assessed)))

    @cli.group("response")
    def response() -> None:
        """The IMWG response of each assessment, and its confirmation by the physician."""

    @response.command("list")
    @click.argument("study_id")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (codes, not labels).")
    @click.pass_context
    def response_list(ctx, study_id, as_json):
        """Each response assessment after screening: the category the numbers propose, the criterion that
        decided it, whether two consecutive assessments confirm it, the physician's review and MRD."""
        course = get_store(ctx).results.responses(study_id)
        if as_json:
            click.echo(json.dumps([_response_json(a) for a in course], indent=2, ensure_ascii=False))
            return
        if not course:
            click.echo(_("{study_id} has no response assessment after screening yet (or no screening response labs to "
                         "measure it against).").format(study_id=study_id.strip()))
        for assessed in course:
            click.echo(response_line(assessed))

    @response.command("confirm")
    @click.argument("study_id")
    @click.option("--timepoint", required=True, help="The assessment's timepoint, e.g. M3.")
    @click.option("--category", required=True, type=click.Choice(CATEGORIES, case_sensitive=False),
                  help="The category you confirm (the proposal), or another one with --reason.")
    @click.option("--reason", help="Why another category than the proposal (an override).")
    @click.option("--correction-reason", help="Reason for changing a review already recorded.")
    @click.pass_context
    def response_confirm(ctx, study_id, timepoint, category, reason, correction_reason):
        """Confirm the proposed category of an assessment, or override it with a reason, and sign it (the
        password is entered again)."""
        store, passwords = get_store(ctx), passwords_of(ctx)
        assessed = store.results.review(study_id, timepoint, category, reason, correction_reason)
        login = store.accounts.signed_in.login
        try:
            signature = store.signatures.sign("response_reviews", assessed.review.id, None, login,
                                              passwords.read(_("Password of {login}").format(login=login)))
        except ClinicalInputError as error:
            raise ClinicalInputError(_("{error} The review is saved, not signed: sign it with ari-desktop sign review "
                                       "{id}.").format(error=error, id=assessed.review.id), error.field) from None
        what = "overridden as" if assessed.review.override else "confirmed as"
        click.echo(_("The response of {study_id} at {timepoint} is {what} {category}; signed by {full_name} at "
                     "{signed_at:%Y-%m-%d %H:%M %Z}.").format(study_id=study_id.strip(), timepoint=timepoint,
                                                              what=what, category=assessed.category,
                                                              full_name=signature.full_name,
                                                              signed_at=signature.signed_at.astimezone()))

    @cli.command("progression")
    @click.argument("study_id")
    @click.option("--on", "progressed_on", required=True, help="Date of the progression, YYYY-MM-DD.")
    @click.option("--found-by", required=True, type=click.Choice(PROGRESSION_FOUND_BY),
                  help="How it was found.")
    @click.option("--reason", help="Reason for changing a progression already recorded.")
    @click.pass_context
    def progression_command(ctx, study_id, progressed_on, found_by, reason):
        """Record the first progression of a patient (PFS ends there)."""
        saved = get_store(ctx).results.record_progression(study_id, parse_date(progressed_on, N_("progression date")),
                                                          found_by, reason)
        click.echo(_("Recorded the progression of {study_id} on {progressed_on} ({found_by}).").format(
                       study_id=study_id.strip(), progressed_on=saved.progressed_on, found_by=saved.found_by))

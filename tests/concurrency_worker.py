"""One workstation of tests/test_concurrency.py, run as a process of its own: it opens its own store
on the shared file, says it is ready and waits for the start file, then writes to ARI-014 as fast as it can. Each write
prints one JSON line: what it wrote, or the sentence it was refused with. Anything else is a
traceback on stderr, which the test counts.

    python concurrency_worker.py DB USER SCENARIO WRITES START_FILE

Scenarios (the user's name says which part a writer takes):
  item   users w0, w1, ...: record D+7 soluble BCMA, a first recording (no reason), then corrections
  field  users birth, initials, sex, pet: correct that one registration field
  dates  users booster, death: set the booster date, or the date of death
  stale  users w0, w1, ...: correct the birth year from the view just read, passing what it showed
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from conftest import sign_in

from ari_desktop.core.dates import to_utc_text
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.store import Store

INITIALS = ("CD", "EF", "GH", "JK", "LM", "NP", "QR", "ST", "UV", "WX", "YZ", "BC")


def item(store: Store, user: str, n: int, writes: int) -> dict:
    day = store.patients.get("ARI-014").anchors.day0 + timedelta(days=7)
    done_at = (datetime.combine(day, datetime.min.time()).astimezone()
               + timedelta(minutes=int(user[1:]) * writes + n))
    reason = None if n == 0 else f"{user} write {n}"
    store.recordings.record("ARI-014", "D+7", "sbcma", done_at=done_at, correction_reason=reason)
    return {"done_at": to_utc_text(done_at), "reason": reason}


def field(store: Store, user: str, n: int, writes: int) -> dict:
    column, value = {"birth": ("birth_year", 1951 + n), "initials": ("initials", INITIALS[n % len(INITIALS)]),
                     "sex": ("sex", "MF"[n % 2]), "pet": ("extramedullary", n % 2 == 0)}[user]
    store.patients.correct("ARI-014", f"{user} {n}", **{column: value})
    return {"column": column, "value": int(value) if column == "extramedullary" else value, "reason": f"{user} {n}"}


def dates(store: Store, user: str, n: int, writes: int) -> dict:
    if user == "booster":
        value = store.patients.get("ARI-014").anchors.day0 + timedelta(days=100 + n)
    else:
        value = store.today() - timedelta(days=writes - n)
    store.patients.update_dates("ARI-014", **{user: value})
    return {"column": f"{user}_date", "value": value.isoformat()}


def stale(store: Store, user: str, n: int, writes: int) -> dict:
    seen = store.patients.get("ARI-014")
    time.sleep(0.002)  # the user types: another workstation may write meanwhile
    reason = f"{user} write {n}"
    store.patients.correct("ARI-014", reason, birth_year=seen.birth_year + 1, expected=seen)
    return {"seen": seen.birth_year, "asked": seen.birth_year + 1, "reason": reason}


def main(db: str, user: str, scenario: str, writes: int, start: str) -> None:
    write = {"item": item, "field": field, "dates": dates, "stale": stale}[scenario]
    with Store(db, user) as store:
        sign_in(store, user)  # the writer's account (tests/test_concurrency.py made one per writer)
        print(json.dumps({"ready": user}), flush=True)
        while not Path(start).exists():
            time.sleep(0.001)
        for n in range(writes):
            try:
                outcome = write(store, user, n, writes)
            except ClinicalInputError as error:
                outcome = {"refused": str(error), "field": error.field}
            print(json.dumps({"user": user, "n": n, **outcome}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])

"""ARI Desktop benchmark on a 5,000-patient demo database.

    python benchmarks/bench.py [--patients 5000] [--db PATH] [--reuse]

Prints a Markdown table: the figures the README's performance section quotes. Times are medians
of repeated runs on a warm file cache; this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from ari_desktop import demo
from ari_desktop.dates import local_today
from ari_desktop.store import Store


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bare_worklist_query(store: Store, day) -> list:
    """The same indexed SQL the worklist runs, without turning rows into schedule entries."""
    earliest = day - timedelta(days=store.protocol.longest_window_days)
    return store.db.execute(
        "SELECT p.study_id, s.timepoint, s.activity, s.target_date, s.window_start, s.window_end"
        " FROM scheduled_items s JOIN patients p ON p.id = s.patient_id"
        " LEFT JOIN recordings r ON r.patient_id = s.patient_id AND r.timepoint = s.timepoint"
        "  AND r.activity = s.activity"
        " WHERE s.window_start BETWEEN ? AND ? AND s.window_end >= ? AND s.cancelled_reason IS NULL"
        " AND r.id IS NULL ORDER BY p.study_id, s.sequence",
        [earliest.isoformat(), day.isoformat(), day.isoformat()]).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "ari-bench.db")
    parser.add_argument("--reuse", action="store_true", help="Use an existing database at --db.")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []

    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        with Store(args.db, "benchmark") as store:
            demo.fill(store, args.patients, seed=1)
        rows.append((f"Build a {args.patients:,}-patient demo database", f"{time.perf_counter() - start:.1f} s"))

    today = local_today()
    with Store(args.db, "benchmark") as store:
        ids = [p.study_id for p in store.patients()]
        pick = random.Random(2).choice
        rows.append(("One patient's schedule (whole calendar, statuses)",
                     f"{median_ms(lambda: store.schedule(pick(ids), today), 200):.2f} ms"))
        worklist = median_ms(lambda: store.worklist(today), 30)
        bare = median_ms(lambda: bare_worklist_query(store, today), 30)
        rows.append((f"Today's worklist in process ({len(store.worklist(today)):,} open items)", f"{worklist:.1f} ms"))
        rows.append(("Bare indexed SQL query for the same worklist", f"{bare:.1f} ms"))
        rows.append(("Worklist / bare query", f"{worklist / bare:.2f}x"))

    print(f"| {args.db.stat().st_size / 1e6:.0f} MB database | median |")
    print("|---|---|")
    for what, figure in rows:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()

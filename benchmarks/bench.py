"""ARI Desktop benchmark on a 5,000-patient demo database.

    python benchmarks/bench.py [--patients 5000] [--db PATH] [--reuse]
    python benchmarks/bench.py --start-up [--runs 15] [--db PATH] [--patients 60]
    python benchmarks/bench.py --catalogs [--runs 15] [--db PATH] [--patients 60]
    python benchmarks/bench.py --server postgresql://USER@HOST/EMPTY_DATABASE [--db PATH] [--reuse]

Prints a Markdown table: the figures the README's performance section quotes. Times are medians
of repeated runs on a warm file cache; this is a measurement, not a test. `--start-up` times only
the window's start to first paint against a bare PySide6 window, the two run in turn so that the
machine's other load falls on both alike (wall time and the processes' own CPU time). `--catalogs` times
only what a language costs at start: a catalog's first load in a fresh process, and the first paint with
Spanish remembered against English.

The processes run with Python's compiled-module cache (as an installed program does), whatever
PYTHONDONTWRITEBYTECODE says: compiling every module on every start would be timed otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from ari_desktop import demo, i18n
from ari_desktop.core.dates import local_today
from ari_desktop.store import Store
from ari_desktop.store.schema import KEPT_TABLES


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


APP = [sys.executable, "-m", "ari_desktop", "--db"]
BARE = [sys.executable, str(Path(__file__).with_name("bare_window.py"))]


def process_seconds(commands: dict[str, list[str]], repeat: int,
                    settings: dict[str, dict[str, str]] | None = None) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of whole processes: interpreter, imports, window, first paint, exit.
    The commands run in turn, after one warm-up run each; `settings`: environment variables of some."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ARI_DESKTOP_EXIT_AFTER_FIRST_PAINT": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    envs = {name: env | (settings or {}).get(name, {}) for name in commands}
    for name, command in commands.items():
        subprocess.run(command, env=envs[name], check=True, capture_output=True)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run(command, env=envs[name], check=True, capture_output=True)
            wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
            times[name].append((wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    return {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in times.items()}


def demo_database(path: Path, patients: int) -> None:
    """A new demo database, as `ari-desktop demo` makes it: its accounts, then the patients they record."""
    with Store(path, "benchmark") as store:
        demo.add_accounts(store)
        demo.fill(store, patients, seed=1)
        # The data manager past the first log-in's change, to write on the server (seen_elsewhere).
        store.accounts.change_password("datamanager", demo.DEMO_PASSWORD, "benchmark-password")


def start_up_rows(db: Path, repeat: int) -> list[tuple[str, str]]:
    figures = process_seconds({"app": [*APP, str(db)], "bare": BARE}, repeat)
    (app_wall, app_cpu), (bare_wall, bare_cpu) = figures["app"], figures["bare"]
    return [("Start to first paint of the window on today's worklist (whole process)",
             f"{app_wall:.2f} s ({app_cpu:.2f} s CPU)"),
            ("Start to first paint of a bare PySide6 window with one label",
             f"{bare_wall:.2f} s ({bare_cpu:.2f} s CPU)"),
            ("App / bare window", f"{app_wall / bare_wall:.2f}x ({app_cpu / bare_cpu:.2f}x CPU)")]


# A catalog's first load, in a process that has imported i18n and nothing else of a language.
_FIRST_LOAD = ("import sys, time; from ari_desktop import i18n; start = time.perf_counter(); "
               "i18n.catalog(sys.argv[1]); print((time.perf_counter() - start) * 1000)")


def catalog_rows(db: Path, repeat: int) -> list[tuple[str, str]]:
    """What a language costs at start: the Spanish and the Catalan catalog's first load (median ms of fresh
    processes), and the window's start to first paint with Spanish remembered against English."""
    loads = {lang: statistics.median(
        float(subprocess.run([sys.executable, "-c", _FIRST_LOAD, lang], check=True, capture_output=True,
                             text=True).stdout) for _ in range(repeat)) for lang in ("es", "ca")}
    with tempfile.TemporaryDirectory() as folder:
        remembered = {}
        for lang in ("en", "es"):
            (Path(folder) / lang).write_text(lang + "\n", encoding="utf-8")
            remembered[lang] = {i18n.LANGUAGE_FILE_ENV: str(Path(folder) / lang)}
        figures = process_seconds({lang: [*APP, str(db)] for lang in remembered}, repeat, remembered)
    (en_wall, _), (es_wall, _) = figures["en"], figures["es"]
    return [("Loading a catalog, first time in a fresh process (Spanish, Catalan); start to first paint with "
             "Spanish remembered vs English",
             f"{loads['es']:.1f} ms, {loads['ca']:.1f} ms; {es_wall:.2f} s vs {en_wall:.2f} s "
             f"({(es_wall - en_wall) * 1000:+.0f} ms)")]


def server_rows(db: Path, address: str, repeat: int) -> list[tuple[str, str]]:
    """Team mode on the same cohort: the file moved to the (empty) server database, today's worklist read
    there and from the file, the first paint on each, and how soon a write reaches another workstation."""
    from ari_desktop.store.move import move_to_server

    start = time.perf_counter()
    moved = move_to_server(db, address)
    rows = [(f"migrate the file to the server ({sum(moved.rows.values()):,} rows, verified)",
             f"{time.perf_counter() - start:.1f} s")]
    today = local_today()
    with Store(db, "benchmark") as on_file, Store(address, "benchmark") as on_server:
        file_ms = median_ms(lambda: on_file.schedules.worklist(today), 15)
        server_ms = median_ms(lambda: on_server.schedules.worklist(today), 15)
    rows += [("Today's worklist in process, file", f"{file_ms:.0f} ms"),
             ("Today's worklist in process, server", f"{server_ms:.0f} ms"),
             ("Server / file", f"{server_ms / file_ms:.2f}x")]
    figures = process_seconds({"file": [*APP, str(db)], "server": [*APP, address]}, repeat)
    (file_wall, _), (server_wall, _) = figures["file"], figures["server"]
    rows += [("Start to first paint on the file", f"{file_wall:.2f} s"),
             ("Start to first paint on the server", f"{server_wall:.2f} s"),
             ("Server / file", f"{server_wall / file_wall:.2f}x")]
    seen = seen_elsewhere(address, 100)
    rows.append(("A write seen on a second workstation (100 writes): median, worst",
                 f"{statistics.median(seen) * 1000:.1f} ms, {max(seen) * 1000:.1f} ms"))
    return rows


def seen_elsewhere(address: str, writes: int) -> list[float]:
    """Seconds from the start of a write in one store (a correction of one patient by the demo's data
    manager: checked, written, chained, committed) to its announcement reaching a listener on a connection
    of its own, as another workstation's window listens; `writes` times."""
    import psycopg

    from ari_desktop.store.engine import CHANGES_CHANNEL

    listener = psycopg.connect(address, autocommit=True)
    listener.execute(f"LISTEN {CHANGES_CHANNEL}")
    delays = []
    with Store(address, "benchmark") as store:
        store.accounts.act_as(store.accounts.authenticate("datamanager", "benchmark-password"))
        study_id = store.patients.all()[0].study_id
        for n in range(writes):
            began = time.perf_counter()
            store.patients.correct(study_id, f"benchmark write {n}", birth_year=1950 + n % 2)
            next(listener.notifies(timeout=5, stop_after=1))
            delays.append(time.perf_counter() - began)
    listener.close()
    return delays


def printing_rows(folder: Path) -> list[tuple[str, str]]:
    """Time the three printouts on a ward of 40 patients at D0, D+3 or D+7: a 200-line worklist."""
    from ari_desktop.core import protocol
    from ari_desktop.core.patients import Anchors, check_new_patient
    from ari_desktop.printing import daily_worklist, tube_labels, visit_worksheet

    today = local_today()
    rows = []
    with Store(folder / "ward.db", "benchmark") as store:
        demo.add_accounts(store)
        store.accounts.act_as(store.accounts.authenticate("datamanager", demo.DEMO_PASSWORD))  # who registers
        for n in range(40):
            day0 = today - timedelta(days=(0, 3, 7)[n % 3])
            anchors = Anchors(day0 - timedelta(days=40), day0)
            store.patients.add(check_new_patient(f"ARI-{n:03d}", "JM", "F", 1960, anchors, protocol.load_default(),
                                                today))
        lines = len(store.schedules.worklist(today))
        visit_worksheet(store, "ARI-001", "D+3", folder / "warm-up.pdf")  # loads reportlab and the fonts once
        for what, make in (
                ("Visit worksheet (D+3: samples, CRS/ICANS, ICE, go/hold)",
                 lambda: visit_worksheet(store, "ARI-001", "D+3", folder / "sheet.pdf")),
                (f"Daily worklist PDF, {lines} lines",
                 lambda: daily_worklist(store, today, folder / "worklist.pdf")),
                ("Tube labels, A4 3 x 8 sheet", lambda: tube_labels(store, "ARI-001", "D+3", folder / "labels.pdf"))):
            rows.append((what, f"{median_ms(make, 5):.0f} ms"))
    return rows


def endpoint_rows(store: Store, today: date, patients: int) -> list[tuple[str, str]]:
    """The endpoint tables read with nothing kept yet (a new or upgraded database: every patient's courses are
    made and kept); then by a program that has not read them yet (the Analysis view opened for the first time:
    the kept courses read from the file), and as the same program reads them again (medians of 3)."""
    with store.transaction():
        for table in KEPT_TABLES:
            store.db.execute(f"DELETE FROM {table}")
    start = time.perf_counter()
    store.efficacy.tables(today)
    first = time.perf_counter() - start

    def in_a_new_program() -> None:
        with Store(store.path, "benchmark") as new:
            start = time.perf_counter()
            new.efficacy.tables(today)
            seconds.append(time.perf_counter() - start)

    seconds: list[float] = []
    for _ in range(3):
        in_a_new_program()
    return [(f"Endpoint tables, safety and efficacy, the first read with nothing kept ({patients:,} patients)",
             f"{first:.1f} s"),
            (f"Endpoint tables, the first read of a program, what is kept read from the file ({patients:,} patients)",
             f"{statistics.median(seconds):.2f} s"),
            (f"Endpoint tables, every later read of the same program ({patients:,} patients)",
             f"{median_ms(lambda: store.efficacy.tables(today), 3) / 1000:.2f} s")]


def figure_rows(store: Store, folder: Path) -> list[tuple[str, str]]:
    """Each figure of the whole cohort drawn from the store and saved as a PNG, as `ari-desktop figure` does
    (after one figure drawn to load matplotlib and its fonts), by the program that has read the tables (as the
    Analysis view draws them)."""
    from ari_desktop.figures import FIGURES, draw, save

    save(draw("sbcma", store), folder / "warm-up.png")
    rows = []
    for name, words in FIGURES.items():
        seconds = median_ms(lambda name=name: save(draw(name, store), folder / f"{name}.png"), 3) / 1000
        rows.append((f"Figure: {words}, drawn and saved as PNG", f"{seconds:.2f} s"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "ari-bench.db")
    parser.add_argument("--reuse", action="store_true", help="Use an existing database at --db.")
    parser.add_argument("--start-up", action="store_true", help="Time only the window's start to first paint.")
    parser.add_argument("--catalogs", action="store_true",
                        help="Time only a catalog's first load and the first paint in Spanish against English.")
    parser.add_argument("--runs", type=int, default=7, help="Runs of each process for the start-up figures.")
    parser.add_argument("--server", help="Time team mode too: the cohort moved to this empty server database.")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    if args.start_up or args.catalogs:
        if not args.reuse or not args.db.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.db}{suffix}").unlink(missing_ok=True)
            demo_database(args.db, args.patients)
        print_table(args.db, (start_up_rows(args.db, args.runs) if args.start_up else [])
                    + (catalog_rows(args.db, args.runs) if args.catalogs else []))
        return

    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        demo_database(args.db, args.patients)
        rows.append((f"Build a {args.patients:,}-patient demo database", f"{time.perf_counter() - start:.1f} s"))

    today = local_today()
    with Store(args.db, "benchmark") as store:
        ids = [p.study_id for p in store.patients.all()]
        pick = random.Random(2).choice
        rows.append(("One patient's schedule (whole calendar, statuses)",
                     f"{median_ms(lambda: store.schedules.of(pick(ids), today), 200):.2f} ms"))
        worklist = median_ms(lambda: store.schedules.worklist(today), 30)
        bare = median_ms(lambda: store.schedules.worklist_rows(today), 30)
        open_items = len(store.schedules.worklist(today))
        rows.append((f"Today's worklist in process ({open_items:,} open items)", f"{worklist:.1f} ms"))
        rows.append(("Bare indexed SQL query for the same worklist", f"{bare:.1f} ms"))
        rows.append(("Worklist / bare query", f"{worklist / bare:.2f}x"))
        first_flags = []
        for _ in range(3):
            with Store(args.db, "benchmark") as new:
                first_flags.append(median_ms(lambda new=new: new.toxicity.flags(today), 1))
        rows.append(("Today's toxicity flags, the first read of a program (right after the first paint)",
                     f"{statistics.median(first_flags):.0f} ms"))
        store.toxicity.flags(today)
        rows.append(("Today's toxicity flags read again, as after each write (what they read of each patient "
                     "remembered)", f"{median_ms(lambda: store.toxicity.flags(today), 5):.0f} ms"))
        rows += endpoint_rows(store, today, len(ids))
        with tempfile.TemporaryDirectory() as folder:
            rows += figure_rows(store, Path(folder))

    rows += start_up_rows(args.db, args.runs) + catalog_rows(args.db, args.runs)
    if args.server:
        rows += server_rows(args.db, args.server, args.runs)

    with tempfile.TemporaryDirectory() as folder:
        rows += printing_rows(Path(folder))

    print_table(args.db, rows)


def print_table(db: Path, rows: list[tuple[str, str]]) -> None:
    print(f"| {db.stat().st_size / 1e6:.0f} MB database | median |")
    print("|---|---|")
    for what, figure in rows:
        print(f"| {what} | {figure} |")


if __name__ == "__main__":
    main()

"""The cohort's figures, drawn with matplotlib's object API (matplotlib.figure.Figure, never pyplot) so
they can be drawn off the window's thread and shown in it by a FigureCanvasQTAgg. matplotlib is imported
in this package only, and this package only by the paths that draw (never before the first paint).

Each figure function takes the store and the as-of date and returns a Figure whose title says the date
and the denominator; `save` writes it as PNG or PDF by the file's suffix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.errors import ClinicalInputError
from ..i18n import N_, _
from ..outputs import check_output_file, is_pdf, is_png, write_atomically
from ..store.bulk import cohort_read

DAYS_PER_MONTH = 30.4375  # months on the survival and follow-up axes are days / 30.4375
FORMATS = {".png": ("PNG image", is_png), ".pdf": ("PDF", is_pdf)}
DPI = 150
PNG_COMPRESSION = 3
FIGURES = {
    "swimmer": N_("the cohort's swimmer plot"),
    "pfs": N_("Kaplan-Meier curve of progression-free survival"),
    "os": N_("Kaplan-Meier curve of overall survival"),
    "expansion": N_("CAR-T expansion curves"),
    "sbcma": N_("soluble BCMA over time"),
}  # English in the audit trail, shown with _()
FOR_ONE_PATIENT = ("expansion", "sbcma")  # the figures that can show one patient


def months(days: float) -> float:
    return days / DAYS_PER_MONTH


@cohort_read()
def draw(name: str, store, as_of: date | None = None, study_id: str | None = None, table=None):
    """The Figure `name` (one of FIGURES) as known on `as_of`; `study_id` for the figures FOR_ONE_PATIENT;
    `table`, the efficacy tables already computed on that date, for the survival curves. Drawn from a read
    of the cohort, and with the cycle collector paused as in one (store/bulk.py): a figure's thousands of
    artists are made while that read's records are held."""
    if study_id is not None and name not in FOR_ONE_PATIENT:
        first, second = FOR_ONE_PATIENT
        raise ClinicalInputError(_("A patient is drawn on the {first} and {second} figures; the {name} figure shows "
                                   "the cohort.").format(first=first, second=second, name=name), "patient")
    if name == "swimmer":
        from .swimmer import swimmer

        return swimmer(store, as_of)
    if name in ("pfs", "os"):
        from .survival import survival

        return survival(store, name, as_of, table)
    if name == "expansion":
        from .expansion import expansion

        return expansion(store, as_of, study_id)
    if name == "sbcma":
        from .sbcma import sbcma

        return sbcma(store, as_of, study_id)
    raise ClinicalInputError(_("There is no figure '{name}': the figures are {figures}.").format(
        name=name, figures=", ".join(FIGURES)), "figure")


def save(figure, out: Path | str, database=None) -> Path:
    """Write `figure` to `out`, PNG or PDF by its suffix; an existing file is replaced only if it is one of
    the same kind, never the open `database`, a folder or a device (ari_desktop.outputs)."""
    path = Path(out)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ClinicalInputError(_("A figure is saved as .png or .pdf; '{name}' is neither.").format(name=path.name),
                                 "output")
    words, replaceable = kind
    path = check_output_file(path, database, words, replaceable, f"a {words}")
    suffix = path.suffix[1:].lower()
    # PNG is lossless at any level: zlib's level 3 writes the same pixels in 40 % of the default's (6) time
    # (a cohort's figure ~10 % larger).
    options = {"pil_kwargs": {"compress_level": PNG_COMPRESSION}} if suffix == "png" else {}
    write_atomically(path, lambda temporary: figure.savefig(temporary, format=suffix, dpi=DPI, **options))
    return path

"""The installed package holds every module and data file of the source tree.

.ci/run installs the wheel built from this checkout (not editable) and runs the tests against it with
ARI_DESKTOP_TEST_INSTALLED=1, so a module or data file left out of the wheel fails here, by name.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

import pytest

import ari_desktop

SOURCE = Path(__file__).resolve().parent.parent
PACKAGE = Path(ari_desktop.__file__).resolve().parent
# Where each folder of the source tree is installed (pyproject.toml maps resources/ and ui/ into the package).
INSTALLED_AS = {"ari_desktop": "ari_desktop", "resources": "ari_desktop/resources", "ui": "ari_desktop/ui"}


def _installed_copy() -> metadata.Distribution | None:
    """The distribution ari_desktop was imported from, when it is installed and not editable."""
    if PACKAGE == SOURCE / "ari_desktop":
        return None
    distribution = metadata.distribution("ari-desktop")
    direct_url = json.loads(distribution.read_text("direct_url.json") or "{}")
    return None if direct_url.get("dir_info", {}).get("editable") else distribution


DISTRIBUTION = _installed_copy()


def source_files() -> set[str]:
    """Every file of the source tree that belongs in the package, named as it is installed."""
    names = set()
    for folder, installed_as in INSTALLED_AS.items():
        for path in (SOURCE / folder).rglob("*"):
            relative = path.relative_to(SOURCE / folder)
            if path.is_file() and path.suffix != ".pyc" and not any(
                    part == "__pycache__" or part.startswith(".") for part in relative.parts):
                names.add(f"{installed_as}/{relative.as_posix()}")
    return names


@pytest.mark.skipif(not os.environ.get("ARI_DESKTOP_TEST_INSTALLED"),
                    reason="only when the tests are meant to run against the installed package (.ci/run)")
def test_ci_runs_the_tests_against_the_installed_package_not_the_source_tree():
    assert DISTRIBUTION, (f"ari_desktop was imported from {PACKAGE}, not from a non-editable installed copy: "
                                 "run pytest with the checkout off sys.path (python -P -m pytest)")


@pytest.mark.skipif(DISTRIBUTION is None,
                    reason="ari_desktop is imported from the source tree (editable or not installed); .ci/run "
                           "checks the installed wheel")
def test_the_installed_package_holds_every_module_and_data_file_of_the_source_tree():
    assert Path(DISTRIBUTION.locate_file("ari_desktop/__init__.py")).resolve() == PACKAGE / "__init__.py"
    installed = {file.as_posix() for file in DISTRIBUTION.files or ()}
    missing = sorted(source_files() - installed)
    assert not missing, "Left out of the installed package: " + ", ".join(missing)

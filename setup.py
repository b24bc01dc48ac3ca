"""Which packages the wheel holds: every package under ari_desktop/ (found, never a hand-kept list),
plus resources/ and ui/, which sit at the top of the repository and install inside the package
(pyproject.toml maps them)."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["ari_desktop", "ari_desktop.*"]), "ari_desktop.resources", "ari_desktop.ui"])

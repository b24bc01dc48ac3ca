"""Where a SQLite file may live: on this computer's own disk, never on a network share.

SQLite's documentation: WAL does not work over a network filesystem, and its file locking there is
unreliable, so two workstations writing to one file on a shared drive corrupt it. A unit that shares
its data uses a PostgreSQL server (team mode) instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path, PureWindowsPath

from ..core.errors import StoreError
from ..i18n import _

# Linux filesystem types that reach another computer (mountinfo's type; a FUSE one as fuse.NAME).
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs",
                                 "lustre", "fuse.sshfs", "fuse.gvfsd-fuse", "fuse.glusterfs", "fuse.ceph"})
_DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive mapped to a letter


def network_filesystem(folder: Path) -> str | None:
    """The network filesystem `folder` is on ("nfs4", "cifs", "a network share"), or None for a local disk."""
    if sys.platform == "win32":
        return _windows_network(folder)
    mounts = _linux_mounts()
    return filesystem_of(folder.resolve(), mounts) if mounts else None


def filesystem_of(folder: Path, mounts: list[tuple[str, str]]) -> str | None:
    """The network filesystem type of the mount holding `folder` (the longest mount point above it), or None."""
    best, kind = "", None
    for mount_point, fstype in mounts:
        inside = str(folder) == mount_point or str(folder).startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, fstype
    return kind if kind in NETWORK_FILESYSTEMS else None


def parse_mountinfo(text: str) -> list[tuple[str, str]]:
    """(mount point, filesystem type) of each line of /proc/self/mountinfo (proc(5)): the mount point is
    the fifth field, with spaces written as \\040; the type follows the " - " separator."""
    mounts = []
    for line in text.splitlines():
        before, separator, after = line.partition(" - ")
        fields = before.split()
        if separator and len(fields) >= 5 and after.split():
            mounts.append((_unescape(fields[4]), after.split()[0]))
    return mounts


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def _linux_mounts() -> list[tuple[str, str]]:
    try:
        return parse_mountinfo(Path("/proc/self/mountinfo").read_text("utf-8", errors="replace"))
    except OSError:
        return []


def windows_network(path: PureWindowsPath, drive_type=None) -> str | None:
    """A UNC path (\\\\server\\share) is a network share; so is a drive letter the system calls remote."""
    if path.drive.startswith("\\\\"):
        return "a network share"
    if drive_type is not None and path.drive and drive_type(path.drive + "\\") == _DRIVE_REMOTE:
        return "a network drive"
    return None


def _windows_network(folder: Path) -> str | None:
    import ctypes

    return windows_network(PureWindowsPath(os.path.abspath(folder)), ctypes.windll.kernel32.GetDriveTypeW)


def check_local(path: Path) -> None:
    """Refuse a database file on a network filesystem, in one sentence that points to team mode."""
    kind = network_filesystem(path.parent)
    if kind is not None:
        raise StoreError(
            _("{path} is on a network filesystem ({kind}): SQLite cannot keep a database safe there, and two "
              "workstations writing to it would damage it. Keep the file on this computer's own disk, or share the "
              "unit's data on a PostgreSQL server (team mode: --db postgresql://HOST/DATABASE).").format(
                path=path, kind=kind))

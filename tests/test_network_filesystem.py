"""A SQLite database on a network share is refused, in one sentence that points to team mode: SQLite's
locking does not hold over a network filesystem, and two workstations writing to one file damage it."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest
from click.testing import CliRunner

from ari_desktop.cli import cli
from ari_desktop.core.errors import StoreError
from ari_desktop.store import Store, location

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
61 27 0:52 / /mnt/unit\\040share rw,relatime shared:30 - cifs //filer/cart rw,vers=3.1.1
62 27 0:53 / /srv/ward rw,relatime shared:31 - nfs4 filer:/ward rw,vers=4.2
63 62 8:17 / /srv/ward/local rw,relatime shared:32 - ext4 /dev/sdb1 rw
"""


def test_the_mount_table_is_read_with_its_escaped_spaces():
    assert ("/mnt/unit share", "cifs") in location.parse_mountinfo(MOUNTINFO)
    assert location.parse_mountinfo("garbage without a separator\n") == []


@pytest.mark.parametrize(("folder", "found"), [
    ("/home/nurse", None),
    ("/mnt/unit share/ari", "cifs"),
    ("/srv/ward", "nfs4"),
    ("/srv/ward/db", "nfs4"),
    ("/srv/ward/local/db", None),  # a local disk mounted inside the share
    ("/srv/wardrobe", None),  # a name that only begins like the share's
])
def test_the_filesystem_of_a_folder_is_that_of_the_deepest_mount_above_it(folder, found):
    assert location.filesystem_of(Path(folder), location.parse_mountinfo(MOUNTINFO)) == found


@pytest.mark.parametrize(("path", "remote", "found"), [
    (r"\\filer\cart\ari.db", False, "a network share"),
    (r"Z:\ari\ari.db", True, "a network drive"),
    (r"C:\Users\nurse\ari.db", False, None),
])
def test_on_windows_a_unc_path_or_a_mapped_network_drive_is_a_share(path, remote, found):
    assert location.windows_network(PureWindowsPath(path), lambda root: 4 if remote else 3) == found


@pytest.fixture
def on_a_share(tmp_path, monkeypatch) -> Path:
    """tmp_path, as if an NFS share were mounted there."""
    monkeypatch.setattr(location, "_linux_mounts", lambda: [("/", "ext4"), (str(tmp_path.resolve()), "nfs4")])
    return tmp_path


def test_a_database_on_a_network_share_is_refused_and_no_file_is_made(on_a_share):
    with pytest.raises(StoreError) as refused:
        Store(on_a_share / "unit.db", "nurse")
    assert str(refused.value) == (
        f"{on_a_share / 'unit.db'} is on a network filesystem (nfs4): SQLite cannot keep a database safe there, "
        "and two workstations writing to it would damage it. Keep the file on this computer's own disk, or share "
        "the unit's data on a PostgreSQL server (team mode: --db postgresql://HOST/DATABASE).")
    assert list(on_a_share.iterdir()) == []


def test_the_command_line_says_it_in_one_sentence_with_exit_2(on_a_share):
    result = CliRunner().invoke(cli, ["--db", str(on_a_share / "unit.db"), "patient", "list"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "network filesystem (nfs4)" in result.stderr
    assert "team mode" in result.stderr


def test_the_window_says_it_and_opens_nothing(on_a_share, capsys):
    from ari_desktop.launch import open_window

    assert open_window(on_a_share / "unit.db", screenshot=on_a_share / "shot.png") == 2
    assert "network filesystem (nfs4)" in capsys.readouterr().err
    assert list(on_a_share.iterdir()) == []


def test_a_local_disk_is_accepted(tmp_path):
    Store(tmp_path / "unit.db", "nurse").close()

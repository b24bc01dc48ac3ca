"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a server on a Unix socket
of its own (no TCP port to collide on), stopped at the end. `.ci/run` starts one the same way and gives
its address in ARI_DESKTOP_TEST_POSTGRES; a developer without that variable gets one per test run.

    python tests/postgres_cluster.py start FOLDER    # prints the address; `stop FOLDER` ends it
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

PORT = 55432  # on the cluster's own socket folder: never another server's


def _bindir() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    return Path(found)


def _as_owner(command: list[str]) -> list[str]:
    """The server refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start(folder: Path) -> str:
    """Start a cluster in `folder` (made if needed) and return the address of its `postgres` database."""
    folder.mkdir(parents=True, exist_ok=True)
    data, socket = folder / "data", folder / "socket"
    socket.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (folder, socket):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    bindir = _bindir()
    if not data.exists():
        subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                  "--encoding", "UTF8", "--no-sync"]), check=True, capture_output=True)
    subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
                              "-o", f"-p {PORT} -k {socket} -c listen_addresses='' -c fsync=off", "start"]),
                   check=True, capture_output=True)
    return f"postgresql://postgres@/postgres?host={socket}&port={PORT}"


def stop(folder: Path) -> None:
    subprocess.run(_as_owner([str(_bindir() / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"]),
                   capture_output=True)


if __name__ == "__main__":
    action, where = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        print(start(where))
    else:
        stop(where)
        shutil.rmtree(where, ignore_errors=True)

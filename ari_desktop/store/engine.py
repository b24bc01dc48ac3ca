"""Team mode: the store on a PostgreSQL server, through a connection with the small surface of
sqlite3.Connection that the store's parts use (execute with ? or :name placeholders, executemany,
fetchone/fetchall, in_transaction, close), so every part's SQL is written once for both engines.

psycopg is imported only when a postgresql:// address is opened: the SQLite path (one PC, the
default) loads none of it, and paints its first window as fast as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from ..core.addresses import is_server_address
from ..i18n import _

# How long a workstation waits for another one's write before saying the server is busy.
LOCK_SECONDS = 5
# The key of the server's write lock (pg_advisory_xact_lock): "ARI0" in ASCII, as the SQLite file's
# application_id.
WRITE_LOCK = 0x41524930

# The channel of the server's announcements of committed writes, which the windows of the unit's other
# workstations listen to (gui/common/server_listener.py).
CHANGES_CHANNEL = "ari_desktop_changes"

# The SQLite statements the store uses that the server says otherwise (each one runs as is on SQLite).
_STATEMENTS = {
    # SQLite's BEGIN IMMEDIATE takes the write lock at once, so one program writes at a time and what a
    # transaction reads (the value a correction replaces, the hash chain's last link, a study ID looked
    # for) stays true until it commits. The server does the same with one lock every writer takes first,
    # in READ COMMITTED: each statement after the lock sees every write committed before it. No update is
    # lost, and no transaction fails for a conflict and has to be run again.
    "BEGIN IMMEDIATE": ("BEGIN", f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"),
    # SQLite's data_version changes when another connection writes. Every write adds to the change log;
    # on the server this connection's own writes change the number too (a window refreshes once more).
    "PRAGMA data_version": ("SELECT coalesce(max(id), 0) FROM change_log",),
    # Every transaction is announced to the other workstations' windows as it commits (NOTIFY is delivered
    # only then: a transaction rolled back is never announced).
    "COMMIT": (f"NOTIFY {CHANGES_CHANNEL}", "COMMIT"),
}


def is_server(address) -> bool:
    """Whether `address` names a database on a PostgreSQL server (else it is an SQLite file)."""
    return isinstance(address, str) and is_server_address(address)


def masked(url: str) -> str:
    """The address as shown in a message: never its password (in the address or in its query)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


class ServerAddress(str):
    """A server database's address, where the store keeps a file's path (store.path): it reads as the
    masked address, and its name is the database's name (the window's title, a session's key)."""

    def __new__(cls, url: str):
        url = getattr(url, "url", url)  # a store's address, opened again
        address = super().__new__(cls, masked(url))
        address.url = url
        address.name = address.stem = urlsplit(url).path.lstrip("/") or "postgres"
        return address

    def resolve(self) -> ServerAddress:
        return self


class ServerConnection:
    """A connection to the server, outside a transaction in autocommit (each read sees the latest
    writes), inside one from BEGIN IMMEDIATE to COMMIT or ROLLBACK, as the store's SQLite connection."""

    def __init__(self, address: ServerAddress):
        import psycopg

        self.address = address
        self._connection = self._open()
        self._idle = psycopg.pq.TransactionStatus.IDLE
        self._unusable = psycopg.OperationalError
        self._busy = psycopg.errors.LockNotAvailable

    def _open(self):
        import psycopg

        return psycopg.connect(self.address.url, autocommit=True, options=f"-c lock_timeout={LOCK_SECONDS}s")

    @property
    def backend_pid(self) -> int:
        """The server's process for this connection: the announcements it sends carry it."""
        return self._connection.info.backend_pid

    @property
    def in_transaction(self) -> bool:
        return not self._connection.broken and self._connection.info.transaction_status != self._idle

    def execute(self, sql: str, params=()):
        outside = not self.in_transaction
        try:
            try:
                return self._execute(sql, params)
            except self._unusable:
                # The server restarted, or the network cut the connection: outside a transaction nothing was
                # done, so the statement runs again on a new connection; inside one, that action fails.
                if not (outside and self._connection.broken):
                    raise
                self._connection = self._open()
                return self._execute(sql, params)
        except self._unusable as error:
            if sql == "BEGIN IMMEDIATE" and not self._connection.closed and not self._connection.broken:
                self._connection.execute("ROLLBACK")  # the lock was not had: no transaction was begun
            raise self._refusal(error) from None

    def _execute(self, sql: str, params):
        statements = _STATEMENTS.get(sql)
        if statements:
            for statement in statements:
                cursor = self._connection.execute(statement)
            return cursor
        return self._connection.execute(placeholders(sql), _values(params))

    def _refusal(self, error: Exception):
        """One sentence for a server busy, gone or refusing: what a user can do about it."""
        from ..core.errors import StoreError

        if isinstance(error, self._busy):
            return StoreError(_("{address} is in use by another workstation (waited {seconds:g} seconds); try "
                                "again in a moment.").format(address=self.address, seconds=LOCK_SECONDS))
        return StoreError(_("The server database {address} could not be used (PostgreSQL says: {said}).").format(
                              address=self.address, said=_said(error)))

    def copy_rows(self, table: str, columns: list[str], rows) -> int:
        """Write `rows` into `table` with the server's COPY (many times faster than INSERTs); how many."""
        count = 0
        with self._connection.cursor() as cursor:
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(_values(row))
                    count += 1
        return count

    def executemany(self, sql: str, rows) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(placeholders(sql), [_values(row) for row in rows])

    def close(self) -> None:
        self._connection.close()


# A quoted text or name (copied, its % doubled), SQLite's ? and :name placeholders, a cast (::), a %.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?|:(\w+)|%")


@lru_cache(maxsize=1024)
def placeholders(sql: str) -> str:
    """The statement with psycopg's placeholders (%s, %(name)s) for SQLite's (?, :name), and every other %
    doubled: the one place the store's SQL is translated for the server's driver."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if match.group(1):
            return f"%({match.group(1)})s"
        return token.replace("%", "%%")

    return _TOKEN.sub(replace, sql)


def _values(params):
    """SQLite stores True and False as 1 and 0 in the INTEGER columns the schema gives them; the server
    is told the same numbers."""
    if isinstance(params, dict):
        return {key: int(value) if isinstance(value, bool) else value for key, value in params.items()}
    return [int(value) if isinstance(value, bool) else value for value in params]


@contextmanager
def locked(db) -> Iterator[None]:
    """One transaction on the server under its write lock, outside the store (its migrations, a unit's move):
    all of it is written, or none of it."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def connect(address: ServerAddress) -> ServerConnection:
    """The connection, or one sentence for a server that cannot be reached or refuses the account."""
    import psycopg

    from ..core.errors import StoreError

    try:
        return ServerConnection(address)
    except psycopg.OperationalError as error:
        raise StoreError(_("The server database {address} cannot be opened (PostgreSQL says: {said}).").format(
                             address=address, said=_said(error))) from None


def _said(error: Exception) -> str:
    return str(error).strip().splitlines()[-1].removeprefix("FATAL:").strip().rstrip(".")

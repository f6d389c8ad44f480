"""One database URL in, the eventsourcing environment and a SQLAlchemy URL out."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from domain.errors import NotFound
from domain.messages import N_

DEFAULT_URL = "sqlite:///jcg-ledger.sqlite"
LEDGER_NAME = "jcg"  # the application's name: its PostgreSQL events table ({name}_events), the models' tracking rows


@dataclass(frozen=True)
class Database:
    url: str
    kind: str  # "sqlite" or "postgres"
    env: dict[str, str]
    sqlalchemy_url: str
    schema: str = ""
    read_only: bool = False  # opened for reading only: nothing may be created or written
    path: str = ""  # the SQLite file


def database_url(explicit: str | None = None) -> str:
    """``--db`` wins, then ``JCG_DATABASE_URL``, then ``./jcg-ledger.sqlite``."""
    return explicit or os.environ.get("JCG_DATABASE_URL") or DEFAULT_URL


def parse_database(url: str) -> Database:
    """Map a URL to the library's own recorders (chosen by measurement, docs/decisions.md)."""
    if url.startswith("sqlite:///") or "://" not in url:
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url
        path, _, query = path.partition("?")
        if not path:
            raise ValueError(f"database URL {url!r} names no file")
        options = parse_qs(query)
        if set(options) - {"mode"} or options.get("mode", ["ro"]) != ["ro"]:
            raise ValueError(f"database URL {url!r}: the only SQLite option is ?mode=ro (read only)")
        read_only = "mode" in options or _unwritable(path)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": read_only_uri(path) if read_only else path,
            "SQLITE_LOCK_TIMEOUT": "30",
        }
        alchemy = f"sqlite:///{read_only_uri(path)}&uri=true" if read_only else f"sqlite:///{path}"
        return Database(url, "sqlite", env, alchemy, read_only=read_only, path=path)
    parsed = urlparse(url)
    if parsed.scheme in {"postgresql", "postgres", "postgresql+psycopg"}:
        pg_options = parse_qs(parsed.query)
        schema = pg_options.get("schema", [""])[0]
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_POOL_SIZE": "4",
            "POSTGRES_MAX_OVERFLOW": "4",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        netloc = parsed.netloc
        sa = f"postgresql+psycopg://{netloc}{parsed.path}"
        return Database(url, "postgres", env, sa, schema)
    raise ValueError(f"unsupported database URL {url!r} (use sqlite:///FILE or postgresql://...)")


def _unwritable(path: str) -> bool:
    """An existing ledger file this process may not write (a copy handed to an auditor)."""
    return os.path.exists(path) and not os.access(path, os.W_OK)


def read_only_uri(path: str) -> str:
    """SQLite's read-only URI. A WAL database in a folder we cannot write (no -shm file can be
    made) is opened immutable: nothing else writes a read-only copy."""
    absolute = os.path.abspath(path)
    folder = os.path.dirname(absolute)
    immutable = not os.access(folder, os.W_OK) or not _in_wal_mode(absolute)
    return f"file:{absolute}?mode=ro" + ("&immutable=1" if immutable else "")


def _in_wal_mode(path: str) -> bool:
    """A WAL database (header bytes 18–19 are 2): one that is not cannot be switched to WAL,
    as the library does on opening, without writing, so it is opened immutable."""
    try:
        with open(path, "rb") as f:
            header = f.read(20)
    except OSError:
        return True
    return len(header) < 20 or header[18] == 2


def postgres_connection(db: Database, *, autocommit: bool = False) -> Any:
    """A psycopg connection to a PostgreSQL ledger's database (the URL's user, host, port)."""
    import psycopg

    e = db.env
    return psycopg.connect(
        dbname=e["POSTGRES_DBNAME"], host=e["POSTGRES_HOST"], port=e["POSTGRES_PORT"],
        user=e["POSTGRES_USER"], password=e["POSTGRES_PASSWORD"] or None, autocommit=autocommit,
        connect_timeout=int(e.get("POSTGRES_CONNECT_TIMEOUT", "5")),
    )


class NoLedger(NotFound):
    """The database named holds no ledger (and only `init` or `demo` may create one)."""


NO_LEDGER = N_("the ledger database cannot be used: no ledger at {url} (create one with `jcg init`)")


def check_ledger_exists(db: Database) -> None:
    """Refuse a database without a ledger, creating nothing (a mistyped path must not leave
    an empty file behind and print zeros)."""
    if db.kind == "sqlite":
        if not os.path.isfile(db.path):
            raise NoLedger(NO_LEDGER, url=db.url)
        import sqlite3

        try:
            conn = sqlite3.connect(read_only_uri(db.path), uri=True)
            try:
                found = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='stored_events'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise NoLedger(N_("the ledger database cannot be used: {exc}"), exc=exc) from None
        if not found:
            raise NoLedger(NO_LEDGER, url=db.url)
        return
    with postgres_connection(db, autocommit=True) as pg:
        table = f'"{db.schema}".{LEDGER_NAME}_events' if db.schema else f"{LEDGER_NAME}_events"  # the library's {app}_events
        row = pg.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        if row is None or row[0] is None:
            raise NoLedger(NO_LEDGER, url=db.url)


@contextmanager
def creation_lock(db: Database) -> Iterator[None]:
    """Serialise table creation across processes on PostgreSQL: the library re-creates its
    insert function on every open, and two concurrent opens would fail ("tuple concurrently
    updated")."""
    if db.kind != "postgres":
        yield
        return
    with postgres_connection(db, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('jcg-ledger:create-tables'))")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('jcg-ledger:create-tables'))")


def ensure_schema(db: Database) -> None:
    """Create the PostgreSQL schema named in the URL, so each test can have its own."""
    if db.kind != "postgres" or not db.schema:
        return
    import psycopg

    with postgres_connection(db, autocommit=True) as conn:
        try:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"')
        except psycopg.errors.UniqueViolation:
            pass  # created by a concurrent opener between the check and the insert

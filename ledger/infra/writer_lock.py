"""The database's writer lock: lets a large batch finish beside officers writing back to back.

Every write is optimistic (read, decide, save; a conflicting save is re-run on fresh state).
A batch of thousands of rows takes seconds to evaluate, and an officer awarding back to back
saves in between every time, so the batch would never win. After a bounded number of
conflicts the batch takes the writer lock **exclusively** for one more evaluate-and-save; every
other save takes it **shared** just around its insert (a few milliseconds), so while the batch
holds it the others wait (then re-run on the batch's result, as after any conflict) and the
batch's save cannot conflict with another jcg writer.

- PostgreSQL: a session advisory lock (``pg_advisory_lock`` / ``pg_advisory_lock_shared``) on
  a key per schema, held on a connection of its own: the library inserts on its pooled
  connections, and advisory locks queue fairly (a waiting exclusive request holds back new
  shared ones).
- SQLite: ``flock`` on ``<database>.writer-lock`` beside the file. ``BEGIN IMMEDIATE`` on a
  second connection would also block the batch's own insert, which the library makes on its
  own connection; the lock file gives the same writer exclusion without that. An in-memory
  database has one process and no lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ledger.infra.config import Database, postgres_connection


class WriterLock:
    """Shared around every save, exclusive around a batch that kept conflicting."""

    def __init__(self, db: Database | None):
        self.db = db
        self._held = False  # exclusive, by this ledger
        self._fd: int | None = None
        self._conn: Any = None
        self.waited = 0.0  # seconds this ledger spent waiting for the lock (for benches)

    @contextmanager
    def shared(self) -> Iterator[None]:
        if self._held or self.db is None:
            yield
            return
        with self._locked(exclusive=False):
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self._held or self.db is None:
            yield
            return
        with self._locked(exclusive=True):
            self._held = True
            try:
                yield
            finally:
                self._held = False

    @contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[None]:
        start = time.perf_counter()
        if self.db is not None and self.db.kind == "postgres":
            conn = self._pg()
            key = self._key()
            conn.execute("SELECT pg_advisory_lock(%s)" if exclusive else "SELECT pg_advisory_lock_shared(%s)", (key,))
            self.waited += time.perf_counter() - start
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)" if exclusive else "SELECT pg_advisory_unlock_shared(%s)",
                             (key,))
            return
        fd = self._file()
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        self.waited += time.perf_counter() - start
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _file(self) -> int | None:
        if self._fd is None:
            path = self.db.env.get("SQLITE_DBNAME", "") if self.db is not None else ""
            if not path or path == ":memory:" or "mode=memory" in path:
                return None
            self._fd = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        return self._fd

    def _key(self) -> int:
        import zlib

        assert self.db is not None
        return zlib.crc32(f"jcg-ledger:writer:{self.db.env['POSTGRES_DBNAME']}:{self.db.schema}".encode()) - 2**31

    def _pg(self) -> Any:
        if self._conn is None:
            assert self.db is not None
            self._conn = postgres_connection(self.db, autocommit=True)
        return self._conn

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

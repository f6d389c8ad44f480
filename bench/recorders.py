"""Which event recorder? Bare `eventsourcing` saving the same aggregate events through each
recorder available here: the library's own SQLite and PostgreSQL modules and, when
installed, `eventsourcing-sqlalchemy` on the same databases. Prints events per second.

Run: .venv/bin/python bench/recorders.py [N]   (eventsourcing-sqlalchemy is optional; the
figures behind docs/decisions.md were taken from a venv that had it)
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
import uuid
from decimal import Decimal

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

PG = os.environ.get("JCG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


class Party(Aggregate):
    @event("Registered")
    def __init__(self, code: str) -> None:
        self.code = code
        self.total = Decimal(0)

    @event("AwardGranted")
    def grant(self, clause: str, amount: Decimal, trace: list[str]) -> None:
        self.total += amount


def run(env: dict[str, str], n: int, parties: int = 100) -> float:
    app = Application(env)
    ids = []
    for i in range(parties):
        p = Party(code=f"P{i}")
        app.save(p)
        ids.append(p.id)
    start = time.perf_counter()
    for i in range(n):
        p = app.repository.get(ids[i % parties])
        p.grant(clause="P2.4", amount=Decimal("1234.56"), trace=["P2.4: 2% × 61,728.00 = 1,234.56"])
        app.save(p)
    elapsed = time.perf_counter() - start
    app.close()
    return n / elapsed


SCHEMAS: list[str] = []


def pg_schema_env(prefix: str) -> dict[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    SCHEMAS.append(schema)
    return {"schema": schema}


def drop_schemas() -> None:
    import psycopg

    with psycopg.connect(PG, autocommit=True) as conn:
        for schema in SCHEMAS:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    tmp = tempfile.mkdtemp()
    results = {}
    results["eventsourcing.sqlite (file)"] = run(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": f"{tmp}/own.sqlite"}, n)
    has_sa = importlib.util.find_spec("eventsourcing_sqlalchemy") is not None
    if has_sa:
        results["eventsourcing-sqlalchemy (sqlite file)"] = run(
            {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": f"sqlite:///{tmp}/sa.sqlite"}, n)
    try:
        s = pg_schema_env("own")["schema"]
        results["eventsourcing.postgres"] = run(
            {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": "test", "POSTGRES_HOST": "127.0.0.1",
             "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": s}, n)
        if has_sa:
            s = pg_schema_env("sa")["schema"]
            results["eventsourcing-sqlalchemy (postgres)"] = run(
                {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                 "SQLALCHEMY_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{s}"},
                n)
    except Exception as exc:  # PostgreSQL not running: report and go on
        print(f"postgres skipped: {exc}")
    finally:
        if SCHEMAS:
            drop_schemas()
    for name, rate in results.items():
        print(f"{name:<42} {rate:>10,.0f} events/s")


if __name__ == "__main__":
    main()

"""The read models updated right after a write straight through the database driver
(projections.after_write): one award through the command line loads no SQLAlchemy and leaves the
models as a rebuild makes them, on SQLite and PostgreSQL (its ``?schema=``, NUL stored as U+FFFD);
anything but the common case goes to the read side, which catches up as before."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger import Ledger, application
from ledger.handlers.parties import RegisterParty
from ledger.infra.config import parse_database
from projections.after_write import apply_recorded
from projections.parties import PARTIES
from projections.readside import ReadSide
from projections.runner import compare, head, rebuild
from projections.store import ReadModelStore
from tests.builders import on
from tests.conftest import OFFICER, fixed_clock

ROOT = Path(__file__).resolve().parent.parent

# `jcg` as the console script runs it, telling at exit whether SQLAlchemy was imported
JCG = ("import atexit, sys\n"
       "atexit.register(lambda: print('sqlalchemy imported:', 'sqlalchemy' in sys.modules, file=sys.stderr))\n"
       "import cli\n"
       "cli.run()\n")


def equal_to_a_rebuild(ledger: Ledger, side: ReadSide, tmp_path: Path) -> None:
    rebuilt = ReadModelStore(parse_database(f"sqlite:///{tmp_path}/rebuilt.sqlite"))
    try:
        rebuild(ledger, rebuilt)
        assert compare(side.store, rebuilt) == []
    finally:
        rebuilt.close()


def register(ledger: Ledger, code: str, name: str = "企业", ref: str = "") -> None:
    ledger.execute(RegisterParty(code=code, name=name, party_kind="enterprise", entered=date(2024, 12, 1),
                                 **on("2025-01-02", ref=ref)))


@pytest.fixture
def ledger(provisioned_url: str) -> Iterator[Ledger]:
    app = Ledger.open(provisioned_url, clock=fixed_clock())
    yield app
    app.close()


def test_an_award_through_the_cli_loads_no_sqlalchemy_and_leaves_the_models_as_a_rebuild(
        ledger: Ledger, provisioned_url: str, tmp_path: Path) -> None:
    register(ledger, "ENT-1")
    side = ReadSide(ledger)
    try:
        side.current()  # the models exist (made by the first report or write, as on any ledger in use)
        for voucher in ("Q-1", "Q-2"):
            done = subprocess.run(
                [sys.executable, "-c", JCG, "--db", provisioned_url, "--officer", OFFICER, "grant", "award", "P6.3b",
                 "--recipient", "ENT-1", "--basis", "vouchers=1000", "--basis", f"voucher={voucher}",
                 "--decided", "2025-03-01", "--ref", "临科发〔2025〕1号"],
                cwd=ROOT, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr
            assert "sqlalchemy imported: False" in done.stderr
        assert side.store.max_tracking_id(ledger.name) == head(ledger)  # the next report catches up 0 events
        rows, _ = side.rows("caps")
        assert rows["rm_cap_usage"][("P6.3b", "ENT-1", 2025)] == {"used_fen": 200_000, "awards": 2}
        equal_to_a_rebuild(ledger, side, tmp_path)
    finally:
        side.close()


def test_only_the_common_case_is_applied_directly(ledger: Ledger, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    register(ledger, "E0")
    assert apply_recorded(ledger, ledger.recorded) is None  # no models yet: the read side makes them
    side = ReadSide(ledger)
    try:
        side.current()
        register(ledger, "E1")
        assert apply_recorded(ledger, ledger.recorded) == head(ledger)
        assert apply_recorded(ledger, ledger.recorded) == head(ledger)  # applied already: nothing written
        register(ledger, "E2")
        register(ledger, "E3")
        assert apply_recorded(ledger, ledger.recorded) is None  # E2 not applied: the models are behind
        side.current()
        monkeypatch.setenv("JCG_CACHE", str(tmp_path / "cache.sqlite"))
        register(ledger, "E4")
        assert apply_recorded(ledger, ledger.recorded) is None  # the reader's own cache: the read side
        monkeypatch.delenv("JCG_CACHE")
        side.current()
        monkeypatch.setenv("JCG_SNAPSHOT_EVERY", str(head(ledger) + 1))
        register(ledger, "E5")  # its event and its request record: positions head + 1 and head + 2
        assert apply_recorded(ledger, ledger.recorded) is None  # a snapshot is due: the read side takes it
        assert side.written(ledger.recorded) == head(ledger)
        side.current()
        equal_to_a_rebuild(ledger, side, tmp_path)
    finally:
        side.close()


def test_values_with_nul_and_long_text_are_applied_directly_as_a_rebuild_stores_them(
        ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values recorded before the field checks (a NUL byte, which PostgreSQL text refuses, and
    over-long text) go through the direct path as through SQLAlchemy: NUL stored as U+FFFD."""
    register(ledger, "E0")
    side = ReadSide(ledger)
    try:
        side.current()
        monkeypatch.setattr(application, "checked", lambda command: command)  # the version without checks
        register(ledger, "U1", name="高\x00校", ref="临科发\x00〔2025〕1号")
        assert apply_recorded(ledger, ledger.recorded) == head(ledger)
        register(ledger, "U" + "1" * 299, name="临汾" * 150, ref="临" * 300)
        assert apply_recorded(ledger, ledger.recorded) == head(ledger)
        monkeypatch.undo()
        names = {r["code"]: r["name"] for r in side.list_rows(PARTIES)}
        assert names["U1"] == ("高\ufffd校" if ledger.database.kind == "postgres" else "高\x00校")
        equal_to_a_rebuild(ledger, side, tmp_path)
    finally:
        side.close()


def test_the_descriptions_have_the_shape_of_the_sqlalchemy_tables() -> None:
    """The direct path checks rm_meta's shape against projections.models.SHAPE, computed from the
    descriptions without SQLAlchemy: it is the hash of the tables SQLAlchemy creates."""
    import hashlib

    from projections import models
    from projections.schema import METADATA

    made = hashlib.sha256(repr(sorted((t.name, tuple((c.name, str(c.type)) for c in t.columns))
                                      for t in METADATA.sorted_tables)).encode()).hexdigest()
    assert models.SHAPE == made

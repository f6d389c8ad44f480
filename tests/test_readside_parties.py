"""The parties read model behind `party list`: what the log says after every write (no catch-up
needed), after a rebuild, and on a store made before the model existed; on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from click.testing import Result

from domain.enterprise import Enterprise
from ledger import Ledger
from ledger.handlers.parties import RegisterParty
from projections.parties import PARTIES
from projections.readside import ReadSide
from projections.runner import fold, rebuild
from projections.store import ReadModelStore
from tests.conftest import OFFICER

NAMES = [("U1", "山西师范大学", "university"), ("ENT-9", "临汾光电科技有限公司", "enterprise"),
         ("A-2", "晋商银行临汾分行", "bank"), ("P1", "张伟", "person")]


def register(ledger: Ledger, code: str, name: str, kind: str) -> None:
    ledger.execute(RegisterParty(code=code, name=name, party_kind=kind, entered=date(2024, 12, 1), actor=OFFICER,
                                 decided=date(2025, 1, 2)))


def from_log(ledger: Ledger) -> list[tuple[str, str, str, str]]:
    return [(e.code, e.name, e.kind, e.entered.isoformat()) for _, e in ledger.read_log()
            if isinstance(e, Enterprise.Registered)]


def listed(store: ReadModelStore) -> list[tuple[str, str, str, str]]:
    """The model's rows as `party list` reads them, without catching up first."""
    return [(r["code"], r["name"], r["kind"], r["entered"])
            for r in store.select(PARTIES, order_by=[PARTIES.c.registered_at])]


def test_party_list_is_what_the_log_says_after_every_write(ledger: Ledger, read_side: ReadSide) -> None:
    read_side.current()
    for code, name, kind in NAMES:
        register(ledger, code, name, kind)
        assert listed(read_side.store) == from_log(ledger), "the write moved the model"
    assert [r[0] for r in listed(read_side.store)] == [c for c, _, _ in NAMES], "registration order, not code order"


def test_party_list_after_a_rebuild_equals_the_log_and_the_fold(ledger: Ledger, read_side: ReadSide) -> None:
    for code, name, kind in NAMES:
        register(ledger, code, name, kind)
    before = listed(read_side.store)
    rebuild(ledger, read_side.store, batch_size=2)
    assert listed(read_side.store) == before == from_log(ledger)
    state, _ = fold(ledger, report="parties")
    assert sorted(state.rows["rm_parties"]) == sorted((c,) for c, _, _ in NAMES)


def test_a_store_made_before_the_parties_model_is_rebuilt(ledger: Ledger, read_side: ReadSide) -> None:
    for code, name, kind in NAMES:
        register(ledger, code, name, kind)
    with read_side.store.engine.begin() as conn:  # an older release: no rm_parties beside its tracking
        PARTIES.sql.drop(conn)
    read_side.store.set_meta("shape", "an older release's shape")
    reopened = ReadSide(ledger)  # the next command opens the read models
    try:
        assert reopened.store.max_tracking_id(ledger.name) is None, "dropped with the tracking position"
        reopened.list_rows(PARTIES)  # catches up
        assert listed(reopened.store) == from_log(ledger)
    finally:
        reopened.close()


def test_party_list_on_the_command_line(jcg: Callable[..., Result]) -> None:
    for code, name, kind in NAMES:
        assert jcg("party", "register", code, "--name", name, "--kind", kind, "--entered", "2024-12-01",
                   "--decided", "2025-01-02").exit_code == 0
    out = jcg("party", "list")
    assert out.exit_code == 0, out.output
    rows = out.stdout.splitlines()[1:]
    assert [r.split()[0] for r in rows] == [c for c, _, _ in NAMES]
    assert "临汾光电科技有限公司" in rows[1] and "企业" in rows[1]

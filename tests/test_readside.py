"""The read side: models current after every write, one time-travel mechanism (snapshots equal
to a full fold at any date and position), `fund show` / `captable show` / `report funds`
agreeing at every date, filtered SQL reports, streaming rebuild equal to the incremental
models (also after kill -9), read-only readers with a local cache, no database created."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.captable import cap_table as domain_cap_table
from domain.errors import NotFound
from ledger import Ledger
from ledger.handlers.funds import InvestDirect, RegisterFund
from ledger.handlers.parties import RegisterParty
from ledger.handlers.projects import (
    ApproveProject,
    BuyBack,
    ConvertProject,
    FailProject,
    PayTranche,
    RecordTrigger,
    RegisterHolders,
)
from ledger.infra.config import NoLedger, parse_database
from ledger.queries import get_fund, get_register
from projections import reports
from projections.readside import Filters, ReadSide
from projections.runner import compare, differences, fold, fold_at, head, rebuild
from projections.store import ReadModelStore
from projections.views.captable import cap_table
from projections.views.funds import fund
from tests.conftest import APPROVER, OFFICER, fixed_clock
from tests.posting import paid
from tests.test_projections import record_small_history

ROOT = Path(__file__).resolve().parent.parent


def on(day: str, **kw: object) -> dict[str, object]:
    return {"actor": OFFICER, "decided": date.fromisoformat(day), **kw}


def record_fund_history(ledger: Ledger) -> None:
    """A fund with a converted project whose buyback is dated in the future (2028, recorded
    now), a direct investment, and a failed early-stage project."""
    ledger.execute(RegisterParty(code="E", name="企业", party_kind="enterprise", entered=date(2024, 12, 1),
                                 **on("2024-12-01")))
    ledger.execute(RegisterFund(code="F", name="基金", manager="M", capital=D("1000000"), **on("2024-12-01")))
    ledger.execute(RegisterHolders(enterprise="E", holders=(("A", "甲", D("5000000")),), **on("2024-12-02")))
    ledger.execute(ApproveProject(code="P1", title="项目", enterprise="E", fund="F", amount=D("3000000"),
                                  trigger="date", trigger_on=date(2025, 12, 31), pricing="fixed",
                                  pre_money=D("12000000"), max_stake="25%", exit_formula="interest", exit_rate="4%",
                                  window_from_years=1, **on("2025-01-10", actor=APPROVER, ref="临科发〔2025〕5号")))
    ledger.execute(ApproveProject(code="P2", title="项目二", enterprise="E", fund="F", amount=D("500000"),
                                  trigger="financing", pricing="round", max_stake="20%",
                                  **on("2025-01-11", actor=APPROVER, ref="临科发〔2025〕6号")))
    paid(ledger, PayTranche(project="P1", amount=D("3000000"), **on("2025-02-01")))
    paid(ledger, PayTranche(project="P2", amount=D("200000"), **on("2025-02-02")))
    ledger.execute(RecordTrigger(project="P1", **on("2026-01-05")))
    ledger.execute(ConvertProject(project="P1", **on("2026-01-05")))
    paid(ledger, BuyBack(project="P1", buyer="A", **on("2028-01-05")))  # future-dated: recorded before 2026-09
    ledger.execute(InvestDirect(fund="F", enterprise="E", amount=D("400000"), units=D("100000"), **on("2028-02-01")))
    ledger.execute(FailProject(project="P2", reason="失败", **on("2026-09-01")))


def days_of(ledger: Ledger) -> list[date]:
    """Every decision date in the log, the day before each, and one long after."""
    found = {e.by.decided for _, e in ledger.read_log() if getattr(e, "by", None) is not None}
    return sorted(found | {d - timedelta(days=1) for d in found} | {date(2030, 1, 1)})


def both_histories_current(ledger: Ledger, read_side: ReadSide) -> None:
    """The small history and the fund history recorded, the read models caught up."""
    record_small_history(ledger)
    record_fund_history(ledger)
    read_side.current()


def store_beside(tmp_path: Path, name: str) -> ReadModelStore:
    """A new read-model store in a file of its own (a rebuild's target)."""
    return ReadModelStore(Ledger.open(f"sqlite:///{tmp_path}/{name}.sqlite").database)


def test_read_models_are_current_after_every_write(ledger: Ledger, read_side: ReadSide) -> None:
    read_side.current()
    for step in range(3):
        ledger.execute(RegisterParty(code=f"C{step}", name="企业", party_kind="enterprise", entered=date(2025, 1, 1),
                                     **on("2025-01-02")))
        assert read_side.store.max_tracking_id(ledger.name) == head(ledger), "the write's hook applied it"
    rows, _ = read_side.rows("trail")
    assert {r["entity"] for r in rows["rm_trail"].values()} >= {"C0", "C1", "C2"}


def test_fund_show_captable_show_and_report_funds_agree_at_every_date(ledger: Ledger, read_side: ReadSide) -> None:
    record_fund_history(ledger)
    register = get_register(ledger, "E")
    tolerance = D("0.80")
    for day in [None, *days_of(ledger)]:
        rows, _moment = read_side.at("funds", as_of=day)
        if ("F",) not in rows["rm_funds"]:
            with pytest.raises(NotFound):
                fund(rows, "F", tolerance)
            continue
        shown = fund(rows, "F", tolerance)
        report = reports.funds(rows, on=day)
        fund_row = next(r for r in report.rows if r[0] == "F" and r[1] == "fund")
        assert (shown.capital, shown.cash) == (fund_row[5], fund_row[6]), day
        held = {(r[3], r[4]): (r[7], r[8]) for r in report.rows if r[0] == "F" and r[1] == "holding"}
        assert {(e, k): (u, c) for e, k, u, c, _ in shown.holdings} == \
            {k: v for k, v in held.items() if v != (0, 0)}, day
        cap_rows, _ = read_side.at("captable", as_of=day)
        table = cap_table(cap_rows, "E")
        truth = domain_cap_table("E", register.entries, day or date.max, register.names)
        assert [(h.holder, h.units, h.share) for h in table.holdings] == \
            [(h.holder, h.units, h.share) for h in truth.holdings], day
        for _enterprise, kind, units, _, share in shown.holdings:
            if kind == "equity":
                assert share == table.share_of("F") and units == truth.units_of("F"), day
    # the future-dated buyback: current figures include it, a date before it does not
    now = fund(read_side.at("funds")[0], "F", tolerance)
    before = fund(read_side.at("funds", as_of=date(2027, 1, 5))[0], "F", tolerance)
    assert before.cash == D("1000000.00") and now.cash == D("1000000.00") + D("3240000.00") - D("400000.00")
    assert get_fund(ledger, "F").cash == now.cash, "the aggregate agrees with the current view"


def test_snapshot_time_travel_equals_a_full_fold(ledger_url: str, key_dir: Path) -> None:
    from tests.conftest import provision_officers

    provision_officers(ledger_url)
    ledger = Ledger.open(ledger_url, clock=fixed_clock(), JCG_SNAPSHOT_EVERY="5")
    side = ReadSide(ledger)
    side.keep_current()
    try:
        record_small_history(ledger)
        record_fund_history(ledger)
        store = side.store
        assert len(store.snapshots(head(ledger))) >= 5, "snapshots were kept while writing"
        total = head(ledger)
        first, last = date(2024, 11, 1), date(2028, 12, 31)

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(report=st.sampled_from(["balances", "recipients", "caps", "budgets", "funds", "loans", "captable"]),
               day=st.one_of(st.none(), st.dates(first, last)),
               position=st.one_of(st.none(), st.integers(0, total)))
        def check(report: str, day: date | None, position: int | None) -> None:
            if day is None and position is None:
                position = total
            expected, _ = fold(ledger, as_of=day, at_position=position, report=report)
            got, _ = fold_at(ledger, store, as_of=day, at_position=position, report=report)
            tables = [t.name for t in __import__("projections.models").models.report_tables(report)]
            assert differences({t: expected.rows[t] for t in tables}, {t: got.rows[t] for t in tables}) == []

        check()
    finally:
        side.close()
        ledger.close()


def test_a_snapshot_copies_the_rows_changed_since_the_one_before_and_reads_whole(ledger: Ledger, read_side: ReadSide,
                                                                                 tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept while writing or by a rebuild, each snapshot read back equals the full fold of
    every snapshot model at its position, while it copies only the rows changed since the
    snapshot before (a snapshot of the whole tables each time grew as the square of the log)."""
    import sqlalchemy as sa

    from projections import models
    from projections.layout import shadow

    monkeypatch.setenv("JCG_SNAPSHOT_EVERY", "4")
    both_histories_current(ledger, read_side)
    rebuilt = store_beside(tmp_path, "rebuilt")
    try:
        rebuild(ledger, rebuilt, batch_size=3, helper=False)
        for store in (read_side.store, rebuilt):
            snapshots = [p for p, _ in store.snapshots(head(ledger))]
            assert len(snapshots) >= 5
            copied, whole = 0, 0
            for position in snapshots:
                expected, _ = fold(ledger, at_position=position)
                got = store.load_snapshot(position, models.SNAPSHOT_MODELS)
                names = [t.name for m in models.SNAPSHOT_MODELS for t in models.snapshot_tables(m)]
                assert differences({n: expected.rows[n] for n in names}, {n: got.rows[n] for n in names}) == []
                whole += sum(len(got.rows[n]) for n in names)
                with store.engine.connect() as conn:
                    copied += sum(conn.execute(sa.select(sa.func.count()).select_from(shadow(t).sql)
                                               .where(shadow(t).sql.c.snapshot == position)).scalar_one()
                                  for m in models.SNAPSHOT_MODELS for t in models.snapshot_tables(m))
            assert 0 < copied < whole / 2, (copied, whole)
    finally:
        rebuilt.close()


def test_reports_filter_in_sql_and_between_dates(ledger: Ledger, read_side: ReadSide) -> None:
    record_small_history(ledger)
    rows, _ = read_side.rows("recipients", filters=Filters(recipient="U1"))
    assert {k[0] for k in rows["rm_recipients"]} == {"U1"}
    rows, _ = read_side.rows("budgets", filters=Filters(source="市财政", year=2025))
    assert {(k[0], k[1]) for k in rows["rm_budgets"]} == {(2025, "市财政")}
    rows, _ = read_side.rows("recipients", filters=Filters(clause="P2.4", start=date(2026, 1, 1)))
    (only,) = rows["rm_recipients"].values()
    assert (only["disbursed_fen"], only["clawed_back_fen"], only["awarded_fen"]) == (4_000_000, 500_000, 0)
    as_of, _ = read_side.rows("recipients", as_of=date(2025, 6, 30), filters=Filters(recipient="E1"))
    assert {k[0] for k in as_of["rm_recipients"]} == {"E1"}
    with pytest.raises(Exception, match="cannot be narrowed by --source"):
        read_side.rows("recipients", filters=Filters(source="省财政"))


def test_rebuild_equals_incremental_and_a_tampered_row_is_found(ledger: Ledger, read_side: ReadSide,
                                                                 tmp_path: Path) -> None:
    both_histories_current(ledger, read_side)
    rebuilt = store_beside(tmp_path, "rebuilt")
    try:
        rebuild(ledger, rebuilt, batch_size=7)
        assert compare(read_side.store, rebuilt) == []
        with rebuilt.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE rm_balances SET balance_fen = balance_fen + 1 WHERE account LIKE 'funding:%'")
        found = compare(read_side.store, rebuilt)
        assert found and all(line.startswith("rm_balances ('funding:") for line in found)
    finally:
        rebuilt.close()


def test_a_rebuild_with_a_helper_process_equals_one_without(ledger: Ledger, read_side: ReadSide, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper reads, decodes and folds every model in a second process while the parent writes: the same rows and the
    same snapshots (their positions and contents) as the rebuild in one process."""
    monkeypatch.setenv("JCG_SNAPSHOT_EVERY", "6")
    both_histories_current(ledger, read_side)
    stores = {}
    for helper in (False, True):
        stores[helper] = store = store_beside(tmp_path, f"rebuilt-{helper}")
        assert rebuild(ledger, store, batch_size=4, helper=helper) == head(ledger)
        assert compare(read_side.store, store) == []
    single, helped = stores[False], stores[True]
    try:
        snapshots = single.snapshots(head(ledger))
        assert len(snapshots) >= 3 and helped.snapshots(head(ledger)) == snapshots
        for position, _ in snapshots:
            every = __import__("projections.models").models.SNAPSHOT_MODELS
            assert differences(single.load_snapshot(position, every).rows, helped.load_snapshot(position, every).rows) == []
    finally:
        single.close()
        helped.close()


@pytest.mark.parametrize(("rows", "marshalled"), [
    (({"rm_balances": {("payable:甲",): {"balance_fen": -5}}},
      {"rm_trail": {(1,): {"actor": "officer", "amount_fen": None, "voided": True}}}), True),
    (({}, {"rm_funds": {("F",): {"cash": D("1.50")}}}), False),
])
def test_the_helpers_batches_cross_the_pipe_unchanged(rows: tuple[object, object], marshalled: bool) -> None:
    """A batch of plain rows (text, integers, None, booleans) goes marshalled, anything else
    pickled: either way the parent reads what the helper sent."""
    from projections.runner import BATCH, _packed, _unpacked

    message = (BATCH, 7, [6, 7], rows)
    packed = _packed(message)
    assert packed[:1] == (b"M" if marshalled else b"P")
    assert _unpacked(packed) == message


def test_many_rows_go_to_postgresql_as_arrays_with_the_same_result(ledger: Ledger, read_side: ReadSide,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL the upsert of many rows is one statement over one array per column (here
    from a single row on): the models kept after each write and a rebuild equal a rebuild in
    SQLite (on SQLite this is the plain comparison)."""
    monkeypatch.setattr("projections.state.ARRAYS_FROM", 1)
    both_histories_current(ledger, read_side)
    reference = store_beside(tmp_path, "reference")
    try:
        rebuild(ledger, reference, batch_size=50, helper=False)
        assert compare(read_side.store, reference) == []
        rebuild(ledger, read_side.store, batch_size=50, helper=True)
        assert compare(read_side.store, reference) == []
    finally:
        reference.close()


def test_a_rebuild_whose_helper_is_killed_fails_and_resumes(ledger: Ledger, read_side: ReadSide, tmp_path: Path) -> None:
    import multiprocessing

    both_histories_current(ledger, read_side)
    rebuilt = store_beside(tmp_path, "rebuilt")
    committed: list[int] = []

    def kill_the_helper(position: int) -> None:
        committed.append(position)
        for child in multiprocessing.active_children():
            if child.name == "jcg-rebuild-helper" and child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)

    try:
        with pytest.raises(RuntimeError, match="helper process"):
            rebuild(ledger, rebuilt, batch_size=5, helper=True, progress=kill_the_helper)
        assert rebuilt.max_tracking_id(ledger.name) == committed[-1] < head(ledger), "whole batches were kept"
        from projections.runner import advance

        assert advance(ledger, rebuilt) == head(ledger)
        assert compare(read_side.store, rebuilt) == []
    finally:
        rebuilt.close()


@pytest.mark.parametrize("run", ["advance", "rebuild with a helper"])
def test_a_rebuild_killed_mid_way_resumes_to_the_incremental_state(provisioned_url: str, tmp_path: Path,
                                                                    run: str) -> None:
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    side = ReadSide(ledger)
    side.keep_current()
    try:
        for _ in range(4):
            record_small_history(ledger) if _ == 0 else [ledger.execute(RegisterParty(
                code=f"K{_}-{i}", name="企业", party_kind="enterprise", entered=date(2025, 1, 1), **on("2025-01-02")))
                for i in range(10)]
        target = tmp_path / "rebuild.sqlite"
        code = ("import sys; from ledger import Ledger; from projections.runner import advance; "
                "from projections.store import ReadModelStore; from ledger.infra.config import parse_database; "
                "l = Ledger.open(sys.argv[1], create=False); s = ReadModelStore(parse_database('sqlite:///' + sys.argv[2]));"
                + ("advance(l, s, batch_size=3, pause_seconds=0.05)" if run == "advance" else
                   "from projections.runner import rebuild; rebuild(l, s, batch_size=3, helper=True, pause_seconds=0.05)"))
        child = subprocess.Popen([sys.executable, "-c", code, provisioned_url, str(target)], cwd=ROOT,
                                 stderr=subprocess.PIPE)
        probe = None
        deadline = time.monotonic() + 60
        while True:
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline
            if target.exists():
                try:  # the store file alone (no ledger opened on it), read while the child writes
                    probe = probe or ReadModelStore(parse_database(f"sqlite:///{target}"), create=False)
                    if (probe.max_tracking_id(ledger.name) or 0) >= 12:
                        break
                except Exception:
                    pass
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert probe is not None
        killed_at = probe.max_tracking_id(ledger.name) or 0
        assert 12 <= killed_at < head(ledger), "the kill landed mid-way"
        probe.close()
        resumed = ReadModelStore(parse_database(f"sqlite:///{target}"))
        from projections.runner import advance

        assert advance(ledger, resumed) == head(ledger)
        assert compare(side.store, resumed) == []
        resumed.close()
    finally:
        side.close()
        ledger.close()


def test_a_read_only_sqlite_ledger_is_read_through_a_local_cache(provisioned_url: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if not provisioned_url.startswith("sqlite"):
        pytest.skip("the SELECT-only PostgreSQL role has its own test")
    ledger = Ledger.open(provisioned_url, clock=fixed_clock())
    record_small_history(ledger)
    ledger.close()
    path = provisioned_url[len("sqlite:///"):]
    before = Path(path).read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reader = Ledger.open(f"{provisioned_url}?mode=ro")
    side = ReadSide(reader)
    try:
        assert reader.database.read_only and side.local
        rows, position = side.rows("balances")
        assert position == head(reader) and rows["rm_balances"]
        again, _ = side.rows("balances", as_of=date(2025, 6, 30))
        assert again["rm_balances"] != rows["rm_balances"]
    finally:
        side.close()
        reader.close()
    assert Path(path).read_bytes() == before, "nothing was written to the ledger"
    assert list((tmp_path / "cache" / "jcg-ledger").glob("*.sqlite")), "the derived tables are in the cache"


@pytest.mark.postgres
def test_a_select_only_postgres_role_reads_through_a_local_cache(postgres_url: str, key_dir: Path,
                                                                 tmp_path: Path) -> None:
    import psycopg

    from tests.conftest import provision_officers

    provision_officers(postgres_url)
    ledger = Ledger.open(postgres_url, clock=fixed_clock())
    record_small_history(ledger)
    schema = ledger.database.schema
    ledger.close()
    role = f"ro_{schema}"[:60]
    admin = postgres_url.split("?")[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
    try:
        url = postgres_url.replace("postgres@", f"{role}@", 1)
        reader = Ledger.open(url, create=False)
        side = ReadSide(reader, cache=str(tmp_path / "cache.sqlite"))
        try:
            rows, position = side.rows("recipients")
            assert side.local and position == head(reader) and rows["rm_recipients"]
        finally:
            side.close()
            reader.close()
        reader = Ledger.open(url, create=False)
        side = ReadSide(reader)  # no cache named: the ledger's tables cannot be written, a cache is used
        try:
            rows, _ = side.rows("balances")
            assert side.local and rows["rm_balances"]
        finally:
            side.close()
            reader.close()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_no_ledger_is_created_by_opening_for_use(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite"
    with pytest.raises(NoLedger, match="no ledger at"):
        Ledger.open(f"sqlite:///{missing}", create=False)
    with pytest.raises(NoLedger):
        Ledger.open(f"sqlite:///{missing}?mode=ro")
    assert not missing.exists()

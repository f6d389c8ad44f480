"""Steps for the auditor: `jcg audit verify` on an untouched ledger and after someone edits the
database behind the ledger's back (the SQLite file, or the PostgreSQL schema, edited directly)."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import parse_qs, urlparse

import psycopg
from pytest_bdd import given, then, when

from tests.steps.cli import ERROR
from tests.steps.types import step
from tests.steps.world import World


class EventTable:
    """The stored events, edited directly with the database driver (no ledger code involved)."""

    def __init__(self, world: World):
        url, table = world.notes["url"], world.ledger.recorder.events_table_name
        if url.startswith("sqlite:///"):
            self.conn: Any = sqlite3.connect(url[len("sqlite:///"):])
            self.table, self.pos, self.m = table, "rowid", "?"
        else:
            schema = parse_qs(urlparse(url).query)["schema"][0]
            self.conn = psycopg.connect(url.split("?")[0], autocommit=True)
            self.table, self.pos, self.m = f'"{schema}".{table}', "notification_id", "%s"

    def run(self, sql: str, *args: Any) -> list[Any]:
        cur = self.conn.execute(sql.format(t=self.table, pos=self.pos, m=self.m), args)
        rows = cur.fetchall() if cur.description else []
        self.conn.commit()
        return rows

    def rows(self) -> list[tuple[int, str, bytes]]:
        return [(r[0], r[1], bytes(r[2])) for r in self.run("SELECT {pos}, topic, state FROM {t} ORDER BY {pos}")]

    def close(self) -> None:
        self.conn.close()


@given(step('有人绕过账本直接把数据库中的 "{old}" 改为 "{new}"'))
def given_amount_edited(world: World, old: str, new: str) -> None:
    table = EventTable(world)
    try:
        pos, _, state = next(r for r in table.rows() if old.encode() in r[2])
        table.run("UPDATE {t} SET state = {m} WHERE {pos} = {m}", state.replace(old.encode(), new.encode()), pos)
    finally:
        table.close()


@given(step("有人绕过账本直接删除了第一条奖励事件"))
def given_event_deleted(world: World) -> None:
    table = EventTable(world)
    try:
        pos = next(r[0] for r in table.rows() if r[1].endswith("AwardGranted"))
        table.run("DELETE FROM {t} WHERE {pos} = {m}", pos)
    finally:
        table.close()


@given(step("有人绕过账本直接复制追加了最后一条拨付事件"))
def given_event_appended(world: World) -> None:
    table = EventTable(world)
    try:
        oid, ver, topic, state = next(r for r in table.run(
            "SELECT originator_id, originator_version, topic, state FROM {t} ORDER BY {pos} DESC")
            if r[2].endswith("Disbursed"))
        table.run("INSERT INTO {t} (originator_id, originator_version, topic, state) VALUES ({m}, {m}, {m}, {m})",
                  oid, ver + 1, topic, state)
    finally:
        table.close()


@when(step('审计人员在命令行执行 "{line}"'))
def when_auditor(world: World, line: str) -> None:
    world.run_cli(line)


@then(step('核验失败 (退出码 1), 指出 "{text}"'))
def then_verify_failed(world: World, text: str) -> None:
    assert world.cli is not None
    assert world.cli.exit_code == 1, world.cli.output
    error = [line for line in world.cli.stderr.splitlines() if line.startswith(ERROR)]
    assert len(error) == 1 and "核验失败" in error[0], world.cli.stderr
    assert text in error[0], error[0]

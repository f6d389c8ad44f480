"""Fixtures: a fresh ledger per test on SQLite, and on PostgreSQL when JCG_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

import cli
from domain.clauses import catalogue
from ledger import Ledger
from ledger.infra.clock import FixedClock
from projections.readside import ReadSide

POSTGRES_URL = os.environ.get("JCG_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("JCG_REQUIRE_POSTGRES") == "1"
OFFICER = "officer-1"  # the acting officer in tests: use it as `actor` in every command
APPROVER = "approver-1"  # registers officers; the first officer of every test ledger
KEY_PASSPHRASE = "test-passphrase"


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests assert English output unless they choose Chinese (JCG_LANG / LANG, docs/i18n.md),
    whatever the locale of the machine running them, and whatever language an earlier test's
    command left the process in (views called directly speak the language last activated)."""
    import i18n

    monkeypatch.setenv("JCG_LANG", "en")
    i18n.activate("en")


def pytest_configure(config: pytest.Config) -> None:
    # Key files in tests use the explicit low scrypt cost (ledger.infra.keys.TEST_SCRYPT_COST): the
    # production cost (~0.3-0.6 s a key) would be paid on every CLI invocation of the suite.
    os.environ["JCG_INSECURE_FAST_KEYS"] = "1"
    # Clause ids are feature tags: registered here so a mistyped tag fails (--strict-markers).
    for clause_id in catalogue():
        config.addinivalue_line("markers", f"{clause_id}: clause {clause_id} of 临政办发〔2024〕34号")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A unit test of a clause's rule (tests/test_rules_p*.py) names its clause, as a feature's tag does."""
    clause_ids = set(catalogue())
    unmarked = [item.nodeid for item in items if item.path.name.startswith("test_rules_p")
                and not any(mark.name in clause_ids for mark in item.iter_markers())]
    if unmarked:
        raise pytest.UsageError("mark each rule test with its clause (tests.builders.covers): " + ", ".join(unmarked))


def _postgres_schema_url() -> Iterator[str]:
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("JCG_REQUIRE_POSTGRES=1 but JCG_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests are off (set JCG_TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}schema={schema}"
    with psycopg.connect(POSTGRES_URL.split("?")[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A database URL for a new, empty ledger: each test runs once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.sqlite"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite:///{tmp_path}/ledger.sqlite"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_schema_url()


TODAY = datetime(2032, 1, 1, 9, 0, tzinfo=UTC)  # the test ledgers' "today": after every date the tests record


def fixed_clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture(autouse=True)
def _fixed_system_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ledgers opened without a clock (the CLI's) read a fixed one too: a future-dated decision is
    judged against the same "today" in every run."""
    import ledger.infra.clock

    monkeypatch.setattr(ledger.infra.clock, "system_clock", fixed_clock())


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's officer key files ($JCG_KEY_DIR, $JCG_PASSPHRASE), as the CLI would find them."""
    directory = tmp_path / "keys"
    monkeypatch.setenv("JCG_KEY_DIR", str(directory))
    monkeypatch.setenv("JCG_PASSPHRASE", KEY_PASSPHRASE)
    return directory


def provision_officers(url: str) -> None:
    """The ledger key is made with the ledger (as `jcg init` makes it), then APPROVER registers
    themself (bootstrap) and registers OFFICER: both sign with keys in $JCG_KEY_DIR."""
    from ledger.audit.ledger_key import create_ledger_key
    from ledger.handlers.officers import enrol

    app = Ledger.open(url, clock=fixed_clock())
    try:
        if app.recorded_request("provision-officer-1") is None:
            create_ledger_key(app)
            enrol(app, APPROVER, "approver", request_id="provision-approver-1")
            enrol(app, OFFICER, "officer", actor=APPROVER, request_id="provision-officer-1")
    finally:
        app.close()


def independent_approver(ledger: Ledger, name: str) -> None:
    """An approver the first approver did not register (two people): ``approver-0``, registered
    by APPROVER, proposes ``name``; another approver countersigns where the roster needs it."""
    from domain.officer import ROSTER_ID

    if "approver-0" not in ledger.repository.get(ROSTER_ID).officers:
        _approver(ledger, "approver-0", APPROVER)
    _approver(ledger, name, "approver-0")


def _approver(ledger: Ledger, name: str, proposer: str) -> None:
    from domain.officer import ROSTER_ID
    from ledger.handlers.officers import ConfirmOfficerChange, enrol

    if enrol(ledger, name, "approver", actor=proposer).data.get("pending"):
        second = next(o.name for o in ledger.repository.get(ROSTER_ID).approvers() if o.name not in (proposer, name))
        ledger.execute(ConfirmOfficerChange(actor=second, decided=ledger.clock().date(), name=name))


@pytest.fixture
def provisioned_url(ledger_url: str, key_dir: Path) -> str:
    """The test ledger with its officers registered (every write must be signed by one)."""
    provision_officers(ledger_url)
    return ledger_url


@pytest.fixture
def ledger(provisioned_url: str) -> Iterator[Ledger]:
    app = Ledger.open(provisioned_url, clock=fixed_clock())
    yield app
    from tests.decoding import decoded_as_the_library

    decoded_as_the_library(app)  # every event the test recorded, whatever its kind
    app.close()


@pytest.fixture
def read_side(ledger: Ledger) -> Iterator[ReadSide]:
    """The ledger's read side, kept current after every write as the command line keeps it."""
    side = ReadSide(ledger)
    side.keep_current()
    yield side
    side.close()


@pytest.fixture
def jcg(provisioned_url: str) -> Callable[..., Result]:
    """Run `jcg` as an officer would, against this test's ledger: ``jcg("party", "list")``."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli.main, ["--db", provisioned_url, "--officer", OFFICER, *args], input=input)

    return invoke

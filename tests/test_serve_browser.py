"""`jcg serve` seen in a real browser (headless Debian Chromium, `--dump-dom`): Fava shows a known
balance and, once the ledger grows, the new one; the award page shows its derivation trace; the
proof page shows a proof that verifies; and every write attempt, to Fava or to our pages, is refused."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.audit.checkpointing import write_checkpoint
from ledger.handlers.grants import Disburse
from ledger.handlers.parties import RegisterParty
from ledger.handlers.rules import AwardByRule
from tests.conftest import OFFICER
from tests.posting import paid

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("headless Chromium is missing: .ci/run installs Debian's chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=5000"]


def dump_dom(url: str) -> str:
    """What the page is once its scripts ran, as Chromium holds it (a fresh profile each time)."""
    with tempfile.TemporaryDirectory(prefix="jcg-chromium-") as profile:
        done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                              capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.geturl(), r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


@pytest.fixture
def served(ledger: Ledger, provisioned_url: str, tmp_path: Path) -> Iterator[tuple[Ledger, str]]:
    """A small signed, checkpointed ledger served by `jcg serve` on a free loopback port."""
    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="U1", name="山西师范大学",
                                 party_kind="university", entered=date(2024, 12, 1)))
    ledger.execute(AwardByRule(actor=OFFICER, decided=date(2025, 3, 1), recipient="U1", clause="P2.4",
                               basis={"contract_value": "7,654,321.09", "contract": "2025-140801-0012", "registered_on": "2024-11-01", "counterparty": "E1"},
                               ref="临科发〔2025〕12号"))  # → 153,086.42
    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 3, 11), recipient="U1", award="U1-A1",
                            amount=Decimal("100000.00"), voucher="付-2025-0311"))
    write_checkpoint(ledger, OFFICER)
    port = free_port()
    jcg = Path(sys.executable).with_name("jcg")
    server = subprocess.Popen([str(jcg), "--db", provisioned_url, "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/jcg/", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(server.stderr.read()) from None
                time.sleep(0.5)
        yield ledger, base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_what_an_auditor_sees_in_the_browser(served: tuple[Ledger, str]) -> None:
    ledger, base = served
    status, fava, _ = request(base + "/")  # Fava redirects to the ledger's own page
    assert status == 200
    slug = fava[len(base):].strip("/").split("/")[0]
    trial = f"{base}/{slug}/trial_balance/"

    page = dump_dom(trial)
    assert "Payable" in page and "U1-山西师范大学" in page
    assert re.search(r"[-\u2212]53086\.42 ", page)  # payable (a credit): 153,086.42 awarded − 100,000.00 paid

    page = dump_dom(f"{base}/jcg/award/U1-A1")
    assert "P2.4: 2% × 7,654,321.09 = 153,086.42" in page  # a trace line
    assert "P2.4.rate@2024-11-05" in page and "0.02" in page  # a parameter cited, with its value

    page = dump_dom(f"{base}/jcg/proof/5")
    assert 'class="verdict ok"' in page and "c2sp.org/tlog-proof@v1" in page

    paid(ledger, Disburse(actor=OFFICER, decided=date(2025, 4, 1), recipient="U1", award="U1-A1",
                            amount=Decimal("50000.00")))  # the ledger grows: the export follows
    time.sleep(1.0)
    page = dump_dom(trial)
    assert re.search(r"[-\u2212]3086\.42 ", page) and not re.search(r"[-\u2212]53086\.42 ", page)


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_every_write_attempt_is_refused(served: tuple[Ledger, str]) -> None:
    ledger, base = served
    slug = request(base + "/")[1][len(base):].strip("/").split("/")[0]
    before = ledger.recorder.max_notification_id()
    for path in ("/", f"/{slug}/api/source", f"/{slug}/api/add_entries", f"/{slug}/api/format_source",
                 "/jcg/", "/jcg/caps", "/jcg/award/U1-A1", "/jcg/proof/5"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            status, _, _ = request(base + path, method, data=b'{"entries": []}')
            assert status in (401, 405), (method, path, status)
    assert ledger.recorder.max_notification_id() == before

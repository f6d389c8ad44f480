"""A checkpoint written to a file (``audit checkpoint --out``) is stored only if the file is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.errors import Refused
from ledger import Ledger
from ledger.audit.checkpoint import CheckpointStore
from ledger.audit.checkpointing import write_checkpoint
from ledger.infra.outfile import OutFile
from tests.conftest import OFFICER


def test_a_missing_folder_is_refused_before_the_checkpoint_is_stored(ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(Refused, match="does not exist"):
        out = OutFile(tmp_path / "missing" / "cp.txt")  # the command opens it first
        write_checkpoint(ledger, OFFICER, deliver=out.write)
    assert CheckpointStore(ledger).all() == []


def test_a_failed_write_stores_no_checkpoint(ledger: Ledger, tmp_path: Path) -> None:
    write_checkpoint(ledger, OFFICER)  # the first one registers the ledger key
    from datetime import date

    from ledger.handlers.parties import RegisterParty

    ledger.execute(RegisterParty(actor=OFFICER, decided=date(2025, 1, 2), code="E1", name="E1",
                                 party_kind="enterprise", entered=date(2025, 1, 2)))
    before = CheckpointStore(ledger).all()

    def broken(note: str) -> None:
        raise Refused("cannot write cp.txt: No space left on device")

    with pytest.raises(Refused, match="No space left"):
        write_checkpoint(ledger, OFFICER, deliver=broken)
    assert CheckpointStore(ledger).all() == before
    out = OutFile(tmp_path / "cp.txt")
    written = write_checkpoint(ledger, OFFICER, deliver=out.write)
    assert (tmp_path / "cp.txt").read_text(encoding="utf-8") == written.row.note
    assert len(CheckpointStore(ledger).all()) == len(before) + 1

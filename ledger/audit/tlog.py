"""Proofs as text in the C2SP transparency-log style, for tools outside the ledger.

- inclusion: c2sp.org/tlog-proof@v1 exactly (``extra`` = base64 of the event record, the
  Merkle leaf data; ``index``; the inclusion path, one base64 hash a line; an empty line;
  the checkpoint verbatim);
- consistency: the same shape under our own header ``jcg-ledger/tlog-consistency@v1`` (C2SP
  defines no consistency-proof file): ``old N``, ``new M``, the RFC 9162 §2.1.4 proof one
  base64 hash a line, an empty line, the newer checkpoint verbatim. The older checkpoint is
  the one the auditor kept: `jcg-verify --vkey VKEY KEPT PROOF` checks one against the other.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

INCLUSION_HEADER = "c2sp.org/tlog-proof@v1"
CONSISTENCY_HEADER = "jcg-ledger/tlog-consistency@v1"


def _lines(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def inclusion_text(record: bytes, index: int, path: Sequence[bytes], checkpoint_note: str) -> str:
    return "\n".join([INCLUSION_HEADER, f"extra {base64.b64encode(record).decode()}", f"index {index}",
                      *_lines(path), "", checkpoint_note.rstrip("\n")]) + "\n"


def consistency_text(old: int, new: int, path: Sequence[bytes], new_checkpoint_note: str) -> str:
    return "\n".join([CONSISTENCY_HEADER, f"old {old}", f"new {new}", *_lines(path), "",
                      new_checkpoint_note.rstrip("\n")]) + "\n"

"""`jcg-verify`: an outside auditor's check of jcg-ledger checkpoints and proofs, without the database.

Standalone on purpose: it imports only the standard library and ``cryptography`` (never the
ledger's packages or eventsourcing), so an auditor can read all of it and run it anywhere.

    jcg-verify --vkey VKEY CHECKPOINT              the checkpoint's signature
    jcg-verify --vkey VKEY CHECKPOINT PROOF        and the proof against it:
        - an inclusion proof (c2sp.org/tlog-proof@v1, from `jcg audit prove N --checkpoint CHECKPOINT`):
          the event in the proof's ``extra`` line is in CHECKPOINT's tree;
        - a consistency proof (jcg-ledger/tlog-consistency@v1, from `jcg audit consistency CHECKPOINT N`):
          CHECKPOINT's tree is a prefix of the newer checkpoint carried in the proof, also signed by VKEY.

VKEY is the ledger's signed-note verifier key (``name+hexid+base64``) or a file holding it
(``_ledger.vkey``); default ``$JCG_VKEY``. Exit 0 and ``OK: …`` on stdout when everything
verifies; exit 1 and ``FAILED: …`` otherwise; exit 2 for bad usage. Hashing follows RFC 9162
§2.1 (leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right)); see docs/audit-proofs.md.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import os
import sys
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

INCLUSION_HEADER = "c2sp.org/tlog-proof@v1"
CONSISTENCY_HEADER = "jcg-ledger/tlog-consistency@v1"
MAX_FILE = 16 * 1024 * 1024  # a proof of a log of 2^64 events is a few kilobytes


class Failed(Exception):
    """Something does not verify; the message says what."""


@dataclass(frozen=True)
class Tree:
    origin: str
    size: int
    root: bytes
    note: str


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Failed(f"{what} is not base64") from None


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right)


def parse_vkey(vkey: str) -> tuple[str, bytes]:
    """(key name, Ed25519 public key) of a signed-note verifier key ``name+hexid+base64(0x01‖key)``."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise Failed("the verifier key is not name+keyid+key")
    name, hex_id, b64 = parts
    blob = _b64(b64, "the verifier key")
    if len(blob) != 33 or blob[0] != 1:
        raise Failed("the verifier key is not an Ed25519 key")
    if _sha256(name.encode() + b"\n" + blob).hex()[:8] != hex_id:
        raise Failed("the verifier key's ID does not match its key")
    return name, blob[1:]


def verify_note(note: str, vkey: str) -> Tree:
    """A C2SP checkpoint (signed note) signed by ``vkey``: its origin, size and root."""
    name, public = parse_vkey(vkey)
    text, sep, sigs = note.partition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise Failed("the checkpoint is not a signed note (no blank line before its signatures)")
    lines = text.split("\n")
    if len(lines) < 3 or not lines[1].isdigit() or (lines[1] != "0" and lines[1].startswith("0")):
        raise Failed("the checkpoint has no origin, tree size and root")
    root = _b64(lines[2], "the checkpoint's root")
    if len(root) != 32:
        raise Failed("the checkpoint's root is not a SHA-256 hash")
    key_id = _sha256(name.encode() + b"\n\x01" + public)[:4]
    signed = (text + "\n").encode("utf-8")
    found = False
    for line in sigs[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            raise Failed(f"malformed signature line {line!r}")
        blob = _b64(parts[2], "a signature")
        if parts[1] != name or blob[:4] != key_id:
            continue  # another signer (a witness): not ours to check
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], signed)
        except InvalidSignature:
            raise Failed(f"the checkpoint's signature by {name} does not verify (forged or altered)") from None
        found = True
    if not found:
        raise Failed(f"the checkpoint carries no signature by {name} ({key_id.hex()})")
    return Tree(lines[0], int(lines[1]), root, note)


def _split_proof(text: str, header: str) -> tuple[list[str], str]:
    """The proof's lines before the first empty line, and the checkpoint note after it."""
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != header:
        raise Failed(f"not a {header} proof")
    if not sep:
        raise Failed("the proof carries no checkpoint")
    return lines[1:], note


def _field(lines: list[str], name: str, required: bool = True) -> str | None:
    if lines and lines[0].startswith(name + " "):
        return lines.pop(0)[len(name) + 1:]
    if required:
        raise Failed(f"the proof has no {name!r} line")
    return None


def _number(text: str | None, what: str) -> int:
    if text is None or not text.isdigit() or (text != "0" and text.startswith("0")):
        raise Failed(f"{what} is not a decimal number")
    return int(text)


def _hashes(lines: list[str]) -> list[bytes]:
    out = [_b64(line, "a proof hash") for line in lines]
    if any(len(h) != 32 for h in out):
        raise Failed("a proof hash is not 32 bytes")
    return out


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        raise Failed(f"leaf index {index} is outside a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Failed("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failed("the inclusion proof is too short")
    return r


def check_consistency(m: int, n: int, old_root: bytes, new_root: bytes, path: list[bytes]) -> None:
    """RFC 9162 §2.1.4.2."""
    if not 0 < m <= n:
        raise Failed(f"tree size {m} cannot precede tree size {n}")
    if m == n:
        if path or old_root != new_root:
            raise Failed(f"two trees of size {m} with different roots: the log was forked or rewritten")
        return
    if not path:
        raise Failed("the consistency proof is empty")
    path = list(path)
    if m & (m - 1) == 0:
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failed("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failed("the consistency proof is too short")
    if fr != old_root:
        raise Failed(f"the proof does not lead to your checkpoint's root (size {m}): the log was forked or rewritten")
    if sr != new_root:
        raise Failed(f"the proof does not lead to the newer checkpoint's root (size {n})")


def verify_inclusion(kept: Tree, text: str, vkey: str) -> str:
    lines, note = _split_proof(text, INCLUSION_HEADER)
    extra = _field(lines, "extra", required=False)
    index = _number(_field(lines, "index"), "the index")
    path = _hashes(lines)
    tree = verify_note(note, vkey)
    if (tree.size, tree.root) != (kept.size, kept.root):
        raise Failed(f"the proof is against the tree of size {tree.size}, not your checkpoint's ({kept.size}): "
                     f"ask for `jcg audit prove POSITION --checkpoint YOUR-CHECKPOINT`")
    if extra is None:
        raise Failed("the proof carries no event record (extra line): nothing to check it for")
    record = _b64(extra, "the event record")
    if root_from_inclusion(index, tree.size, _sha256(b"\x00" + record), path) != tree.root:
        raise Failed(f"the event record is not at index {index} of the checkpoint's tree")
    first = record.split(b"\n", 4)
    what = " ".join(x.decode("utf-8", "replace") for x in first[1:4]) if len(first) >= 4 else "the record"
    return f"event at index {index} ({what}) is in the checkpoint of size {tree.size}"


def verify_consistency(kept: Tree, text: str, vkey: str) -> str:
    lines, note = _split_proof(text, CONSISTENCY_HEADER)
    old = _number(_field(lines, "old"), "the old size")
    new = _number(_field(lines, "new"), "the new size")
    path = _hashes(lines)
    tree = verify_note(note, vkey)
    if old != kept.size:
        raise Failed(f"the proof starts at tree size {old}, not at your checkpoint's ({kept.size})")
    if new != tree.size:
        raise Failed(f"the proof ends at tree size {new}, not at its checkpoint's ({tree.size})")
    if tree.origin != kept.origin:
        raise Failed(f"the newer checkpoint is of log {tree.origin!r}, yours of {kept.origin!r}")
    check_consistency(old, new, kept.root, tree.root, path)
    return f"your checkpoint (size {old}) is a prefix of the log's checkpoint of size {new}"


def _read(path: str) -> str:
    with open(path, "rb") as f:
        data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise Failed(f"{path} is larger than {MAX_FILE} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Failed(f"{path} is not UTF-8 text") from None


def _vkey(value: str) -> str:
    if value.count("+") >= 2 and not os.path.exists(value):
        return value.strip()
    return _read(value).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jcg-verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("--vkey", default=os.environ.get("JCG_VKEY"),
                        help="the ledger's verifier key, or a file holding it (default $JCG_VKEY)")
    parser.add_argument("checkpoint", help="a checkpoint you kept (C2SP signed note)")
    parser.add_argument("proof", nargs="?", help="a .tlog-proof (inclusion) or consistency proof file")
    args = parser.parse_args(argv)
    if not args.vkey:
        parser.error("the verifier key is needed: --vkey VKEY or $JCG_VKEY")
    try:
        vkey = _vkey(args.vkey)
        kept = verify_note(_read(args.checkpoint), vkey)
        said = f"checkpoint of size {kept.size} of {kept.origin} is signed by the ledger key"
        if args.proof is not None:
            text = _read(args.proof)
            first = text.split("\n", 1)[0]
            if first == INCLUSION_HEADER:
                said = verify_inclusion(kept, text, vkey)
            elif first == CONSISTENCY_HEADER:
                said = verify_consistency(kept, text, vkey)
            else:
                raise Failed(f"{args.proof} is neither a {INCLUSION_HEADER} nor a {CONSISTENCY_HEADER} proof")
    except Failed as exc:
        print(f"FAILED: {exc}")
        return 1
    except OSError as exc:
        print(f"FAILED: {exc.strerror or exc}: {exc.filename or ''}")
        return 1
    print(f"OK: {said}")
    return 0


def run() -> None:
    """Console script ``jcg-verify``."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()

#!/usr/bin/env python3
"""A third party's checker: uses only hashlib and cryptography, none of the ledger's code.

    standalone_verify.py inclusion VKEY PROOF.json
        checks the checkpoint inside PROOF.json is signed by VKEY, and that the leaf data
        (the event record) is included in that checkpoint's tree (RFC 9162 §2.1.3.2).
    standalone_verify.py consistency VKEY OLD_CHECKPOINT NEW_CHECKPOINT PROOF.json
        checks both checkpoints' signatures and that the old tree is a prefix of the new
        one (RFC 9162 §2.1.4.2).
    standalone_verify.py tlog-inclusion VKEY CHECKPOINT PROOF.tlog-proof
        the same for a c2sp.org/tlog-proof@v1 file (event record in its `extra` line), whose
        checkpoint must be CHECKPOINT.
    standalone_verify.py tlog-consistency VKEY OLD_CHECKPOINT PROOF
        a jcg-ledger/tlog-consistency@v1 file: `old M`, `new N`, base64 hashes, an empty
        line, the newer checkpoint (signed by VKEY); OLD_CHECKPOINT must be a prefix of it.

Prints OK and exits 0, or prints the reason and exits 1.
"""

import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(reason):
    print(f"FAIL: {reason}")
    sys.exit(1)


def sha256(b):
    return hashlib.sha256(b).digest()


def node(left, right):
    return sha256(b"\x01" + left + right)


def check_note(vkey, note):
    """C2SP signed note: returns (origin, size, root) if signed by the key in vkey."""
    name, key_id_hex, key_b64 = vkey.strip().split("+", 2)
    blob = base64.b64decode(key_b64)
    if blob[0] != 1 or len(blob) != 33:
        fail("not an Ed25519 verifier key")
    public = blob[1:]
    if sha256(name.encode() + b"\n" + b"\x01" + public)[:4].hex() != key_id_hex:
        fail("verifier key ID mismatch")
    text, _, signatures = note.partition("\n\n")
    text += "\n"
    for line in signatures.strip("\n").split("\n"):
        dash, signer, sig_b64 = line.split(" ")
        sig = base64.b64decode(sig_b64)
        if dash != "\u2014" or signer != name or sig[:4].hex() != key_id_hex:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(sig[4:], text.encode())
        except InvalidSignature:
            fail("checkpoint signature does not verify")
        origin, size, root_b64 = text.split("\n")[:3]
        return origin, int(size), base64.b64decode(root_b64)
    fail("checkpoint carries no signature by this key")


def inclusion(vkey, proof_doc):
    _, size, root = check_note(vkey, proof_doc["checkpoint"])
    if size != proof_doc["tree_size"]:
        fail("proof is for another tree size than its checkpoint")
    leaf = sha256(b"\x00" + base64.b64decode(proof_doc["leaf_data"]))
    if leaf.hex() != proof_doc["leaf_hash"]:
        fail("leaf hash does not match the leaf data")
    fn, sn, r = proof_doc["leaf_index"], size - 1, leaf
    if fn > sn:
        fail("leaf index outside the tree")
    for p in (bytes.fromhex(h) for h in proof_doc["proof"]):
        if sn == 0:
            fail("proof too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        fail("inclusion proof does not lead to the checkpoint's root")


def consistency(vkey, old_note, new_note, proof_doc):
    _, m, old_root = check_note(vkey, old_note)
    _, n, new_root = check_note(vkey, new_note)
    path = [bytes.fromhex(h) for h in proof_doc["proof"]]
    if (m, n) != (proof_doc["old_size"], proof_doc["new_size"]) or not 0 < m <= n:
        fail("proof is for other tree sizes")
    if m == n:
        if path or old_root != new_root:
            fail("same size, different roots")
        return
    if m & (m - 1) == 0:
        path.insert(0, old_root)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            fail("proof too long")
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        fail("consistency proof does not connect the two checkpoints")


def tlog_inclusion(vkey, kept_note, text):
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1" or not lines[1].startswith("extra ") or not lines[2].startswith("index "):
        fail("not a tlog-proof with an extra and an index line")
    _, kept_size, kept_root = check_note(vkey, kept_note)
    _, size, root = check_note(vkey, note)
    if (size, root) != (kept_size, kept_root):
        fail("the proof's checkpoint is not the kept one")
    record = base64.b64decode(lines[1][len("extra "):], validate=True)
    doc = {"checkpoint": note, "tree_size": size, "leaf_data": base64.b64encode(record).decode(),
           "leaf_hash": sha256(b"\x00" + record).hex(), "leaf_index": int(lines[2][len("index "):]),
           "proof": [base64.b64decode(h, validate=True).hex() for h in lines[3:]]}
    inclusion(vkey, doc)


def tlog_consistency(vkey, old_note, text):
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    if lines[0] != "jcg-ledger/tlog-consistency@v1" or not lines[1].startswith("old ") or not lines[2].startswith("new "):
        fail("not a tlog consistency proof")
    doc = {"old_size": int(lines[1][4:]), "new_size": int(lines[2][4:]),
           "proof": [base64.b64decode(h, validate=True).hex() for h in lines[3:]]}
    consistency(vkey, old_note, note, doc)


def main(argv):
    def read(path):
        with open(path, encoding="utf-8") as f:
            return f.read()

    if argv[:1] == ["inclusion"] and len(argv) == 3:
        inclusion(argv[1], json.loads(read(argv[2])))
    elif argv[:1] == ["consistency"] and len(argv) == 5:
        consistency(argv[1], read(argv[2]), read(argv[3]), json.loads(read(argv[4])))
    elif argv[:1] == ["tlog-inclusion"] and len(argv) == 4:
        tlog_inclusion(argv[1], read(argv[2]), read(argv[3]))
    elif argv[:1] == ["tlog-consistency"] and len(argv) == 4:
        tlog_consistency(argv[1], read(argv[2]), read(argv[3]))
    else:
        fail(__doc__)
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1:])

"""RFC 9162 Merkle tree hashing and proofs, as pure functions over SHA-256 hashes.

Written to the letter of RFC 9162 §2.1 (the same tree as RFC 6962) so that anyone can
check a proof with any SHA-256 tool: a leaf is ``SHA-256(0x00 ‖ data)``, an interior node
``SHA-256(0x01 ‖ left ‖ right)``, and a tree of ``n`` leaves splits at the largest power
of two smaller than ``n``. Inclusion proofs (§2.1.3) and consistency proofs (§2.1.4) are
generated from the list of leaf hashes and verified with the RFC's own algorithms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_sha256 = hashlib.sha256
EMPTY_ROOT = _sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not prove what it claims."""


def leaf_hash(data: bytes) -> bytes:
    """MTH of a one-leaf tree: SHA-256(0x00 ‖ data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf *hashes*; the empty tree hashes to SHA-256 of nothing."""
    if not leaves:
        return EMPTY_ROOT
    frontier = Frontier()
    for h in leaves:
        frontier.append(h)
    return frontier.root()


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for the leaf at ``index``."""
    if not 0 <= index < len(leaves):
        raise ProofError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    return _path(index, leaves)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, d[:k]), root(d[k:])]
    return [*_path(m - k, d[k:]), root(d[:k])]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 between the first ``old_size`` leaves and all."""
    n = len(leaves)
    if not 0 <= old_size <= n:
        raise ProofError(f"cannot prove a tree of {old_size} leaves is a prefix of one of {n}")
    if old_size in (0, n):
        return []
    return _subproof(old_size, leaves, True)


def _subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if complete else [root(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], complete), root(d[k:])]
    return [*_subproof(m - k, d[k:], False), root(d[:k])]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a leaf hash and its proof imply (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> None:
    """Raise ProofError unless ``leaf`` is at ``index`` of the tree with ``expected_root``."""
    if root_from_inclusion(index, size, leaf, proof) != expected_root:
        raise ProofError(f"inclusion proof of leaf {index} does not lead to the root of tree size {size}")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless the old tree is a prefix of the new one (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"tree size {old_size} cannot precede tree size {new_size}")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError(f"two trees of size {old_size} with different roots (or a non-empty proof)")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"consistency proof does not lead to the old root (size {old_size})")
    if sr != new_root:
        raise ProofError(f"consistency proof does not lead to the new root (size {new_size})")


class Frontier:
    """The roots of the perfect subtrees along the right edge: appends in O(log n) and gives
    MTH of everything appended so far, so a long log is hashed in one pass."""

    __slots__ = ("_hashes", "_sizes", "size")

    def __init__(self) -> None:
        self._sizes: list[int] = []
        self._hashes: list[bytes] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        sizes, hashes = self._sizes, self._hashes
        sizes.append(1)
        hashes.append(leaf)
        while len(sizes) > 1 and sizes[-1] == sizes[-2]:
            right = hashes.pop()
            s = sizes.pop()
            hashes[-1] = _sha256(b"\x01" + hashes[-1] + right).digest()
            sizes[-1] = s * 2
        self.size += 1

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        r = self._hashes[-1]
        for h in reversed(self._hashes[:-1]):
            r = node_hash(h, r)
        return r

    def state(self) -> list[str]:
        """The subtree roots as hex, to resume hashing later without re-reading the log."""
        return [h.hex() for h in self._hashes]

    @classmethod
    def resume(cls, size: int, state: Sequence[str]) -> Frontier:
        f = cls()
        f.size = size
        remaining = size
        for h in state:
            part = 1 << (remaining.bit_length() - 1)
            f._sizes.append(part)
            f._hashes.append(bytes.fromhex(h))
            remaining -= part
        if remaining:
            raise ValueError(f"frontier of {len(state)} hashes does not describe a tree of size {size}")
        return f

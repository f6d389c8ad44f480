"""RFC 9162 Merkle tree: the published reference vectors and properties of the proofs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The eight-leaf reference data of RFC 6962/9162 (certificate-transparency and transparency-dev/merkle
# test vectors) and the root of the tree over the first n leaves.
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
)]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
HASHES = [leaf_hash(d) for d in LEAVES]

INCLUSION = [  # (leaf index, tree size, proof)
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (3, 8, ["0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
]


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("n", range(1, 9))
def test_reference_roots(n: int) -> None:
    assert root(HASHES[:n]) == ROOTS[n - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, proof: list[str]) -> None:
    expected = [bytes.fromhex(p) for p in proof]
    assert inclusion_proof(index, HASHES[:size]) == expected
    verify_inclusion(index, size, HASHES[index], expected, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, proof: list[str]) -> None:
    expected = [bytes.fromhex(p) for p in proof]
    assert consistency_proof(old, HASHES[:new]) == expected
    verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], expected)


def test_wrong_inclusion_is_refused() -> None:
    proof = inclusion_proof(5, HASHES)
    with pytest.raises(ProofError):
        verify_inclusion(4, 8, HASHES[5], proof, ROOTS[7])  # wrong index
    with pytest.raises(ProofError):
        verify_inclusion(5, 8, HASHES[4], proof, ROOTS[7])  # wrong leaf
    with pytest.raises(ProofError):
        verify_inclusion(5, 8, HASHES[5], proof[:-1], ROOTS[7])  # truncated
    with pytest.raises(ProofError):
        verify_inclusion(5, 8, HASHES[5], [*proof, ROOTS[7]], ROOTS[7])  # trailing garbage
    with pytest.raises(ProofError):
        verify_inclusion(5, 16, HASHES[5], proof, ROOTS[7])  # wrong size
    with pytest.raises(ProofError):
        verify_inclusion(8, 8, HASHES[5], proof, ROOTS[7])  # index out of range


def test_wrong_consistency_is_refused() -> None:
    proof = consistency_proof(3, HASHES)
    with pytest.raises(ProofError):
        verify_consistency(3, 8, ROOTS[3], ROOTS[7], proof)  # wrong old root
    with pytest.raises(ProofError):
        verify_consistency(3, 8, ROOTS[2], ROOTS[6], proof)  # wrong new root
    with pytest.raises(ProofError):
        verify_consistency(4, 8, ROOTS[2], ROOTS[7], proof)  # wrong old size
    with pytest.raises(ProofError):
        verify_consistency(3, 8, ROOTS[2], ROOTS[7], proof[:-1])
    with pytest.raises(ProofError):
        verify_consistency(3, 8, ROOTS[2], ROOTS[7], [])
    with pytest.raises(ProofError):
        verify_consistency(8, 3, ROOTS[7], ROOTS[2], proof)
    with pytest.raises(ProofError):
        verify_consistency(1, 1, ROOTS[0], ROOTS[1], [])


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_proof_of_a_random_tree_verifies(n: int, data: st.DataObject) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    m = data.draw(st.integers(min_value=0, max_value=n))
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    full = root(leaves)
    verify_inclusion(i, n, leaves[i], inclusion_proof(i, leaves), full)
    verify_consistency(m, n, root(leaves[:m]), full, consistency_proof(m, leaves))


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=40))
def test_frontier_resumes_where_it_stopped(n: int, more: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n + more)]
    f = Frontier()
    for h in leaves[:n]:
        f.append(h)
    assert f.root() == root(leaves[:n])
    g = Frontier.resume(n, f.state())
    for h in leaves[n:]:
        g.append(h)
    assert g.root() == root(leaves) and g.size == n + more

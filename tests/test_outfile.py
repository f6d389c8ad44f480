"""``--out`` files: never overwritten, never through a symlink, written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.errors import Refused
from ledger.infra.outfile import OutFile


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_is_written_whole(tmp_path: Path) -> None:
    out = OutFile(tmp_path / "cp.txt")
    out.write("note\n")
    assert (tmp_path / "cp.txt").read_text() == "note\n"
    assert _left(tmp_path) == ["cp.txt"]  # no temporary file left


def test_an_existing_file_is_refused_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "officer.key"
    target.write_text("precious")
    with pytest.raises(Refused, match="never overwritten"):
        OutFile(target)
    assert target.read_text() == "precious"
    OutFile(target, force=True).write("new")
    assert target.read_text() == "new"
    assert _left(tmp_path) == ["officer.key"]


def test_a_symlink_is_never_followed_even_with_force(tmp_path: Path) -> None:
    victim = tmp_path / "victim.key"
    victim.write_text("precious")
    link = tmp_path / "cp.txt"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "made-through-the-link")
    for force in (False, True):
        with pytest.raises(Refused, match="symbolic link"):
            OutFile(link, force=force)
        with pytest.raises(Refused, match="symbolic link"):
            OutFile(dangling, force=force)
    assert victim.read_text() == "precious"
    assert not (tmp_path / "made-through-the-link").exists()


def test_a_missing_folder_is_refused_before_anything_happens(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="does not exist"):
        OutFile(tmp_path / "missing" / "cp.txt")


def test_a_name_taken_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    out = OutFile(tmp_path / "cp.txt")
    (tmp_path / "cp.txt").write_text("someone else's")
    with pytest.raises(Refused, match="meanwhile"):
        out.write("mine")
    assert (tmp_path / "cp.txt").read_text() == "someone else's"
    assert _left(tmp_path) == ["cp.txt"]


def test_discarded_output_leaves_nothing(tmp_path: Path) -> None:
    with OutFile(tmp_path / "cp.txt"):
        assert len(os.listdir(tmp_path)) == 1  # the temporary file, made at once to test the folder
    assert _left(tmp_path) == []

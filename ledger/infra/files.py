"""Files the CLI reads for the user: regular files only, of bounded size, refused in one line.

``jcg grant import /dev/zero`` or ``audit verify --checkpoint /dev/zero`` used to read
without end (memory grew until the machine gave out), and a FIFO blocks an ``open`` for
ever. Here the file is opened without blocking, must be a regular file (a symlink to one is
fine: the target is what is checked), and at most ``limit`` bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from domain.errors import Refused
from domain.messages import N_

KIB = 1024
MIB = 1024 * KIB
# A CSV import of 100,000 rows is about 15 MiB; 64 MiB is far beyond any batch of the policies.
CSV_LIMIT = 64 * MIB
# A signed checkpoint note or a verifier key is a few hundred bytes.
NOTE_LIMIT = 64 * KIB


class UnreadableFile(Refused):
    """A file the command cannot use: missing, not a regular file, too large or not text."""


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (else one-line refusal)."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise UnreadableFile(N_("{path}: no such file"), path=name) from None
    except OSError as exc:
        raise UnreadableFile(N_("{path} cannot be opened: {reason}"), path=name, reason=exc.strerror) from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise UnreadableFile(N_("{path} is not a regular file"), path=name)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(N_("{path} is larger than {limit}: refused"), path=name, limit=_size(limit))
    return data


def read_text_bounded(path: str | os.PathLike[str], limit: int, encoding: str = "utf-8") -> str:
    """:func:`read_bounded`, decoded (a file that is not ``encoding`` is refused in one line)."""
    data = read_bounded(path, limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(N_("{path} is not {encoding} text (line {line})"), path=str(path),
                             encoding=encoding.upper(), line=line) from None


def is_regular(path: str | os.PathLike[str]) -> bool:
    """True for an existing regular file (a symlink to one too), without opening it."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except OSError:
        return False


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"

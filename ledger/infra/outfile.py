"""Files a command writes for the user (``--out``): never over data, never through a symlink.

An ``OutFile`` is opened when the command starts, before anything is stored: the folder must
exist, the name must be free (or, with ``force``, a regular file), and a temporary file is
created beside it at once, so a path that cannot be written is refused while nothing has been
written anywhere. The text goes to the temporary file, is flushed to disk, and only then takes
the name: by a hard link, which fails if the name was taken meanwhile (no overwrite, no symlink
followed), or with ``force`` by ``rename``, which replaces the directory entry itself. Readers
never see a half-written file; a failure leaves the old state (no file, or the old file).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from types import TracebackType

from domain.errors import Refused
from domain.messages import N_

_CANNOT = N_("cannot write {path}: {reason}")


class OutFile:
    """The file one command writes at its end (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str], *, force: bool = False):
        self.path = Path(path)
        self.force = force
        self._tmp: Path | None = None
        self._fd: int | None = None
        self._check_target()
        folder = self.path.parent
        try:
            st = os.stat(folder)
        except OSError:
            raise Refused(N_("cannot write {path}: the folder {folder} does not exist"),
                          path=str(self.path), folder=str(folder)) from None
        if not stat.S_ISDIR(st.st_mode):
            raise Refused(N_("cannot write {path}: {folder} is not a folder"), path=str(self.path), folder=str(folder))
        tmp = folder / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
        try:
            self._fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        except OSError as exc:
            raise Refused(_CANNOT, path=str(self.path), reason=exc.strerror) from None
        self._tmp = tmp

    def _check_target(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise Refused(_CANNOT, path=str(self.path), reason=exc.strerror) from None
        if stat.S_ISLNK(st.st_mode):
            raise Refused(N_("{path} is a symbolic link: it is never written through (remove it or "
                             "choose another name)"), path=str(self.path))
        if not stat.S_ISREG(st.st_mode):
            raise Refused(N_("{path} exists and is not a regular file: choose another name"), path=str(self.path))
        if not self.force:
            raise Refused(N_("{path} already exists: it is never overwritten (choose another name, or "
                             "--force to replace it)"), path=str(self.path))

    def write(self, data: str | bytes) -> Path:
        """Put ``data`` under the name, atomically; a second call is refused."""
        if self._fd is None or self._tmp is None:
            raise Refused(N_("{path} was already written or discarded"), path=str(self.path))
        raw = data.encode("utf-8") if isinstance(data, str) else data
        fd, tmp = self._fd, self._tmp
        self._fd = None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            self._publish(tmp)
        except OSError as exc:
            self._remove(tmp)
            raise Refused(_CANNOT, path=str(self.path), reason=exc.strerror or str(exc)) from None
        except BaseException:
            self._remove(tmp)
            raise
        self._tmp = None
        _sync_folder(self.path.parent)
        return self.path

    def _publish(self, tmp: Path) -> None:
        if self.force:
            self._check_target()  # still a regular file or nothing, never a symlink planted meanwhile
            os.replace(tmp, self.path)
            return
        try:
            os.link(tmp, self.path, follow_symlinks=False)
        except FileExistsError:
            raise Refused(N_("{path} was created by someone else meanwhile: it is never overwritten"),
                          path=str(self.path)) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            self._check_target()  # a file system without hard links: check, then rename
            os.rename(tmp, self.path)
            return
        tmp.unlink()

    def discard(self) -> None:
        """Nothing is written: the temporary file goes."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._tmp is not None:
            self._remove(self._tmp)
            self._tmp = None

    @staticmethod
    def _remove(tmp: Path) -> None:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self) -> OutFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.discard()

    def __del__(self) -> None:
        self.discard()


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def open_out(path: str | os.PathLike[str] | None, *, force: bool = False) -> OutFile | None:
    """An OutFile for an optional ``--out`` (None when the output goes to standard output)."""
    return OutFile(path, force=force) if path else None

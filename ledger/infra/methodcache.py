"""Dataclass methods compiled once per installation instead of once per command.

Python 3.11 and 3.12 make every method of a dataclass (``__init__``, ``__eq__``, a frozen class's
``__setattr__`` …) by compiling its source text, in every process. A command that loads the
aggregates builds some 750 such methods for their event classes (eventsourcing makes each event a
frozen dataclass, again for each aggregate's subclass), 408 distinct texts: about 90 ms of an
award's start, more than any module (docs/decisions.md, "Start-up, fifth step").

:func:`install` keeps the compiled code of each text, in memory (a text seen twice is compiled
once) and in a file beside this module's bytecode cache, written as ``.pyc`` files are (not under
``PYTHONDONTWRITEBYTECODE``, never where they would not be, atomically), so the next command
compiles nothing. The functions are exactly those dataclasses makes: the same text, compiled by
the same compiler under the same file name, run with the same globals and locals; only the
compiling is skipped. The code is looked up by its exact text, so a stale entry cannot be used.
On other Python versions (3.13 builds a class's methods in one go) nothing is changed.
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib.util
import marshal
import os
import stat
import sys
from types import CodeType
from typing import Any

# the parameters of the function replaced; anything else (another Python) is left alone
_SIGNATURE = ("name", "args", "body", "globals", "locals", "return_type")
_MAGIC = b"jcg-dataclass-methods-1\n" + importlib.util.MAGIC_NUMBER
_installed = False


def cache_file() -> str | None:
    """Where the compiled methods are kept: this module's ``__pycache__`` (or ``sys.pycache_prefix``),
    as ``methodcache.<tag>.methods``; None where Python keeps no bytecode cache."""
    try:
        pyc = importlib.util.cache_from_source(__file__)
    except NotImplementedError:  # no cache tag
        return None
    return pyc[: -len(".pyc")] + ".methods"


def _supported() -> bool:
    create = getattr(dataclasses, "_create_fn", None)
    code = getattr(create, "__code__", None)
    if code is None or sys.version_info[:2] not in ((3, 11), (3, 12)):
        return False
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return tuple(names) == _SIGNATURE


def _load(path: str) -> dict[str, CodeType]:
    """The file's entries, or none: a file missing, damaged, of another Python, or one that
    someone else could have written (group or others may write it, or it is not ours) is not used."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o022 or st.st_uid not in (os.getuid(), 0):
                return {}
            if f.read(len(_MAGIC)) != _MAGIC:
                return {}
            entries = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _save(path: str, entries: dict[str, CodeType]) -> None:
    """Write all entries to a new file and move it into place (concurrent commands: the last wins,
    each file whole). Failing to write is not an error: the methods are compiled next time."""
    directory = os.path.dirname(path)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC)
            marshal.dump(entries, f)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def install(path: str | None = None) -> bool:
    """Compile each dataclass method text once (see the module's docstring); returns whether the
    cache is in use. ``path``: the file (default :func:`cache_file`; tests use their own)."""
    global _installed
    if _installed or not _supported():
        return _installed
    path = path or cache_file()
    known = _load(path) if path else {}
    added: dict[str, CodeType] = {}
    missing = dataclasses.MISSING

    def _create_fn(name: str, args: list[str], body: list[str], *, globals: dict[str, Any] | None = None,
                   locals: dict[str, Any] | None = None, return_type: Any = missing) -> Any:
        # dataclasses._create_fn of Python 3.11/3.12, with the compiled text looked up first
        if locals is None:
            locals = {}
        return_annotation = ""
        if return_type is not missing:
            locals["_return_type"] = return_type
            return_annotation = "->_return_type"
        joined = ",".join(args)
        lines = "\n".join(f"  {b}" for b in body)
        txt = f" def {name}({joined}){return_annotation}:\n{lines}"
        local_vars = ", ".join(locals.keys())
        txt = f"def __create_fn__({local_vars}):\n{txt}\n return {name}"
        code = known.get(txt)
        if code is None:
            code = known[txt] = added[txt] = compile(txt, "<string>", "exec", dont_inherit=True)  # no future flags of this module
        ns: dict[str, Any] = {}
        exec(code, globals, ns)  # the text dataclasses itself would exec
        return ns["__create_fn__"](**locals)

    dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]  # private: replaced only where its signature is 3.11/3.12's
    if path and not sys.dont_write_bytecode:
        def save_new() -> None:
            if added:
                _save(path, known)

        atexit.register(save_new)
    _installed = True
    return True

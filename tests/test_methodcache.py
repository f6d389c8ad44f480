"""ledger.infra.methodcache: the dataclass methods of every project module are the very functions
dataclasses makes, whether compiled now, found in memory or read from the cache file; a damaged,
foreign or loosely protected file is not used; no file is written where no bytecode would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.infra import methodcache
from tests.test_architecture import MODULES, ROOT

# In a fresh interpreter: every project module imported (the cache installed first unless "plain"),
# then each dataclass's generated methods described by their code.
SCRIPT = r"""
import dataclasses, importlib, inspect, json, sys
mode, path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
if mode != "plain":
    from ledger.infra import methodcache
    assert methodcache.install(path)
seen, methods = set(), {}
def walk(cls):
    if id(cls) in seen:
        return
    seen.add(id(cls))
    if dataclasses.is_dataclass(cls):
        for name, f in vars(cls).items():
            code = getattr(f, "__code__", None)
            if code is not None and code.co_filename == "<string>":
                methods[f"{cls.__module__}.{cls.__qualname__}.{name}"] = [
                    code.co_code.hex(), repr(code.co_consts), code.co_names, code.co_varnames,
                    code.co_freevars, repr(f.__defaults__), repr(f.__kwdefaults__), f.__qualname__,
                    sorted(map(str, f.__annotations__.items()))]
    for value in list(vars(cls).values()):
        if inspect.isclass(value):
            walk(value)
for name in names:
    module = importlib.import_module(name)
    for value in list(vars(module).values()):
        if inspect.isclass(value):
            walk(value)
print(json.dumps(methods))
"""


def generated(mode: str, path: Path, *, write: bool = True) -> dict[str, list[object]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    names = sorted(n for n in MODULES if n.split(".")[0] in ("domain", "ledger", "projections"))
    run = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(path), *names], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=False, timeout=300)
    assert run.returncode == 0, run.stderr
    methods: dict[str, list[object]] = json.loads(run.stdout)
    return methods


@pytest.mark.skipif(sys.version_info[:2] not in ((3, 11), (3, 12)), reason="installed on 3.11 and 3.12 only")
def test_the_methods_are_those_dataclasses_makes_compiled_cached_or_read_back(tmp_path: Path) -> None:
    cache = tmp_path / "methods"
    plain = generated("plain", cache)
    assert len(plain) > 500  # the aggregates' event classes and every other dataclass
    assert generated("cached", cache) == plain  # compiled here (a text seen twice compiled once)
    assert cache.exists()
    assert generated("cached", cache) == plain  # every text read back from the file
    assert len(methodcache._load(str(cache))) >= len({tuple(v[:1]) for v in plain.values()}) // 2


@pytest.mark.skipif(sys.version_info[:2] not in ((3, 11), (3, 12)), reason="installed on 3.11 and 3.12 only")
def test_a_damaged_file_is_not_used_and_is_written_whole_again(tmp_path: Path) -> None:
    cache = tmp_path / "methods"
    plain = generated("plain", cache)
    cache.write_bytes(methodcache._MAGIC + b"\x00 not marshal data")
    assert methodcache._load(str(cache)) == {}
    assert generated("cached", cache) == plain
    assert methodcache._load(str(cache))  # rewritten whole at the end of the run


def test_a_file_others_may_write_or_of_another_python_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "methods"
    code = compile("def __create_fn__():\n def f(self):\n  return 1\n return f", "<string>", "exec")
    methodcache._save(str(cache), {"text": code})
    assert set(methodcache._load(str(cache))) == {"text"}
    assert oct(cache.stat().st_mode & 0o777) == oct(0o644 & ~_umask())
    cache.chmod(0o666)
    assert methodcache._load(str(cache)) == {}
    cache.chmod(0o644)
    cache.write_bytes(b"jcg-dataclass-methods-1\n" + b"\x00\x00\x00\x00" + cache.read_bytes()[len(methodcache._MAGIC):])
    assert methodcache._load(str(cache)) == {}


@pytest.mark.skipif(sys.version_info[:2] not in ((3, 11), (3, 12)), reason="installed on 3.11 and 3.12 only")
def test_no_file_is_written_where_no_bytecode_would_be(tmp_path: Path) -> None:
    cache = tmp_path / "methods"
    assert generated("cached", cache, write=False) == generated("plain", cache)
    assert not cache.exists()


def test_the_file_lies_beside_the_bytecode_cache() -> None:
    path = methodcache.cache_file()
    assert path is not None
    assert Path(path).parent.name == "__pycache__" or sys.pycache_prefix
    assert Path(path).name.startswith("methodcache.") and path.endswith(".methods")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

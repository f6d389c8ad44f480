"""The shape of the code base: no import cycles between project modules (static, counting imports
inside functions too), every module importable on its own in any order, layers pointing inward,
no issue numbers or review rounds in names, domain refusals in domain words (not command-line flags)."""

from __future__ import annotations

import ast
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "ledger", "projections", "commandline", "i18n")
TOP_MODULES = ("cli",)
# what each layer may import from the project (dependencies point inward)
LAYERS = {
    "domain": {"domain"},
    "ledger": {"domain", "ledger"},
    "projections": {"domain", "ledger", "projections", "i18n"},
}


def module_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    for name in TOP_MODULES:
        files[name] = ROOT / f"{name}.py"
    return files


MODULES = module_files()


def imported(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Project modules imported anywhere in the file (module level or inside functions), with the line."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` imports the module; `from module import name` the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _ in imported(name, path):
            edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each a cycle to cut."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle_held_apart_by_a_function_level_import() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_project_modules() -> None:
    """A package importing its own submodules (``domain.rules`` → ``domain.rules.p2``) is not a cycle
    unless a submodule imports the package back; imports inside functions count as imports."""
    assert cycles(graph()) == [], "import cycles (cut them; a function-level import does not)"


def test_layers_point_inward() -> None:
    wrong = []
    for name, path in MODULES.items():
        layer = name.split(".")[0]
        allowed = LAYERS.get(layer)
        if allowed is None:
            continue
        for target, line in imported(name, path):
            if target.split(".")[0] not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_every_module_imports_in_a_fresh_interpreter_in_random_order() -> None:
    """All modules imported in a fresh interpreter in a random order (a lazily loaded command group
    is imported first, after nothing else): a hidden cycle or an import-order dependency fails here.
    The seed is printed so a failure can be repeated."""
    seed = random.randrange(1 << 30)
    names = sorted(MODULES)
    random.Random(seed).shuffle(names)
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as e:\n"
        "        failed.append(f'{name}: {type(e).__name__}: {e}')\n"
        "print('\\n'.join(failed))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, *names], cwd=ROOT, capture_output=True, text=True,
                         check=False, timeout=300)
    assert run.returncode == 0 and not run.stdout.strip(), f"seed {seed}: {run.stdout}{run.stderr}"


ISSUE = re.compile(r"\bissues?\s*#?\d+|_issue\d", re.IGNORECASE)
ROUND = re.compile(r"\b(first|second|third|fourth|acceptance)[ _]pass", re.IGNORECASE)
FINDING = re.compile(r"finding", re.IGNORECASE)  # in file and test names (a docstring may tell one)


def project_files() -> Iterator[Path]:
    yield from MODULES.values()
    yield from sorted((ROOT / "tests").rglob("*.py"))
    yield from sorted((ROOT / "bench").rglob("*.py"))


def test_no_issue_numbers_or_review_rounds_in_code_or_test_names() -> None:
    found = []
    for path in project_files():
        if path.name == Path(__file__).name:
            continue
        if ROUND.search(path.stem) or FINDING.search(path.stem) or "pass" in path.stem.split("_"):
            found.append(f"{path.relative_to(ROOT)}: file named by a review round")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            named_by_finding = line.lstrip().startswith("def ") and FINDING.search(line)
            if ISSUE.search(line) or ROUND.search(line) or named_by_finding:
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "name things by subject, not by history:\n" + "\n".join(found)


FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def test_domain_refusals_speak_in_domain_words() -> None:
    """The same refusal reaches an officer from the command line and from a CSV import: it names the
    fact that is missing or wrong, never a command-line flag."""
    found = []
    for name, path in MODULES.items():
        if not name.startswith("domain"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            refusing = isinstance(node, ast.Raise) or (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("refuse", "require"))
            if refusing:
                for const in ast.walk(node):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str) and FLAG.search(const.value):
                        found.append(f"{path.relative_to(ROOT)}:{const.lineno}: {const.value.strip()}")
    assert not found, "\n".join(found)


IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(?P<rest>.*)$")


def test_every_type_ignore_says_why_on_its_line() -> None:
    """`make test` runs mypy strict on domain/ and ledger/: a silenced error names its code and gives
    its reason after it (``# type: ignore[arg-type]  # a float on purpose: it is refused``)."""
    found = []
    for path in project_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = IGNORE.search(line)
            if m and (not m.group(1) or not m.group("rest").strip().lstrip("#").strip()):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)

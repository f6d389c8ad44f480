"""Messages in two languages: the catalogues are complete and current, the language is chosen
from --lang / JCG_LANG / the locale, and the domain's refusals carry ids the presentation translates."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

import i18n
from domain.clauses import clause
from domain.errors import CapExceeded, Refused
from domain.messages import N_, Message
from i18n import catalogue

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(autouse=True)
def _back_to_english():
    yield
    i18n.activate("en")


def test_every_message_id_has_a_chinese_translation():
    missing = catalogue.untranslated("zh")
    assert missing == [], f"{len(missing)} message ids have no Chinese (make catalogues): {missing[:10]}"


def test_the_shipped_mo_is_the_compilation_of_the_po():
    assert catalogue.mo_path("zh").read_bytes() == catalogue.compiled("zh"), "run `make catalogues`"


def test_the_shipped_mo_is_package_data_found_by_gettext():
    found = gettext.find(i18n.DOMAIN, i18n.LOCALEDIR, languages=["zh"])
    assert found is not None and found.endswith("jcg.mo")


def test_translations_keep_every_placeholder():
    """A translation uses only the id's {placeholders} (a plural id: those of either form), and
    all of them unless the id's word has no Chinese counterpart (an English article) or the code
    passes its Chinese word as {x_label}."""
    broken = []
    for msg in catalogue.read("zh"):
        if not msg.id or not msg.string:
            continue
        ids = msg.id if isinstance(msg.id, (list, tuple)) else [msg.id]
        strings = msg.string if isinstance(msg.string, (list, tuple)) else [msg.string]
        wanted = [set(PLACEHOLDER.findall(i)) | set(re.findall(r"%\(\w+\)s", i)) for i in ids]
        for s in strings:
            have = set(PLACEHOLDER.findall(s)) | set(re.findall(r"%\(\w+\)s", s))
            # a translation may show {x_label}/{x_labels} (Chinese words the code passes) instead of {x}
            labels = {f for f in have if re.fullmatch(r"\{\w+_labels?\}", f)}
            replaced = {"{" + f[1:-1].rsplit("_", 1)[0] + "}" for f in labels}
            dropped = wanted[0] - have - {"{article}"} - replaced
            if (len(ids) == 1 and dropped) or not (have - labels) <= set().union(*wanted):
                broken.append((ids[0], s))
    assert broken == []


@pytest.mark.parametrize(
    ("lang", "env", "expected"),
    [
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "C"}, "en"),
        (None, {}, "en"),
        (None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "zh_CN.GB18030", "LANG": "C"}, "zh"),
        (None, {"JCG_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"JCG_LANG": "zh", "LANG": "C"}, "zh"),
        ("en", {"JCG_LANG": "zh"}, "en"),
        ("zh", {"LANG": "C"}, "zh"),
    ],
)
def test_language_from_option_env_and_locale(lang, env, expected):
    assert i18n.choose(lang, env) == expected


def test_an_unknown_language_is_refused_in_one_line():
    with pytest.raises(Refused, match="unknown language fr"):
        i18n.choose("fr", {})


def test_a_domain_refusal_is_english_as_a_string_and_chinese_through_the_catalogue():
    with pytest.raises(Refused) as caught:
        clause("P9.9")
    assert str(caught.value) == "unknown clause 'P9.9' (see `jcg policy list`)"
    i18n.activate("zh")
    assert i18n.text(caught.value) == "未知条款 'P9.9'（见 `jcg policy list`）"
    i18n.activate("en")
    assert i18n.text(caught.value) == str(caught.value)


def test_refusal_subclasses_take_an_id_and_parameters():
    exc = CapExceeded(N_("{clause}: at most {limit} a year; {year} has {taken} already"),
                      clause="P4.3", limit=10, year=2025, taken=10)
    assert str(exc) == "P4.3: at most 10 a year; 2025 has 10 already"
    i18n.activate("zh")
    assert i18n.text(exc) == "P4.3：每年最多 10 个名额，2025 年已有 10 个"


def test_a_plain_string_refusal_still_reads_as_english():
    assert str(Refused("nothing to translate {here}")) == "nothing to translate {here}"


def test_a_message_parameter_may_itself_be_a_message():
    inner = Message(N_("{clause}: releasing a place needs a reason"), clause="P4.3")
    outer = Refused(N_("unknown clause {clause!r} (see `jcg policy list`)"), clause=inner)
    i18n.activate("zh")
    assert i18n.text(outer) == "未知条款 'P4.3：释放名额须写明原因'（见 `jcg policy list`）"


# Refusals in domain/ are message ids: the checker and its self-test ------------------------

ROOT = Path(__file__).resolve().parent.parent
# where else a message is passed: a rule's refuse(why) / require(condition, why), a trace step(text),
# an Outcome(request_id, message)
WHY = {"refuse": 0, "require": 1, "step": 0, "Outcome": 1}


def _refusal_classes(trees: list[ast.Module]) -> set[str]:
    bases = {(node.name, base.id) for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
             for base in node.bases if isinstance(base, ast.Name)}
    found = {"Refused"}
    while more := {name for name, base in bases if base in found} - found:
        found |= more
    return found


def _formatted(node: ast.expr) -> str:
    """Why ``node`` is not a message id ('' if it may be one: N_(…), Message(…), a name)."""
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
            ch.isalpha() for ch in PLACEHOLDER.sub("", node.value)):  # "{a}, {b}" has no words to translate
        return "a string not marked with N_"
    if isinstance(node, ast.BinOp):
        return "a string built with + or %"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join"}:
        return f"a string built with .{node.func.attr}()"
    if isinstance(node, ast.IfExp):
        return _formatted(node.body) or _formatted(node.orelse)
    return ""


def _worded_fstring(node: ast.expr) -> bool:
    """An f-string holding words (English text formatted outside the catalogue), not just a code's shape."""
    return isinstance(node, ast.JoinedStr) and any(
        isinstance(part, ast.Constant) and re.search(r"[A-Za-z]{2}", str(part.value)) for part in node.values)


def formatted_refusals(sources: dict[str, str]) -> list[str]:
    """Each refusal (a Refused subclass raised, or a rule's refuse/require reason), trace step or
    outcome line whose message is a formatted or unmarked string instead of an id with parameters;
    and each parameter of a refusal or Message that is an f-string of words."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    refusals = _refusal_classes(list(trees.values()))
    problems = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else "")
            position = 0 if called in refusals or called == "Message" else WHY.get(called)
            if position is None or len(node.args) <= position:
                continue
            why = _formatted(node.args[position])
            if why:
                problems.append(f"{name}:{node.lineno}: {called}() given {why}")
            if called in refusals or called == "Message":
                problems += [f"{name}:{node.lineno}: {called}() parameter {k.arg} is an f-string of words"
                             for k in node.keywords if _worded_fstring(k.value)]
    return problems


def test_the_refusal_checker_finds_formatted_messages() -> None:
    sample = (
        "class NotHere(Refused): pass\n"
        "def f(calc, code):\n"
        "    raise NotHere(f'party {code} is not here')\n"
        "    raise Refused('plain English')\n"
        "    raise Refused(N_('party {code}: {why}'), code=code, why=f'it is {code}')\n"
        "    calc.require(False, f'{code} is missing')\n"
        "    calc.refuse('no' + code)\n"
        "    raise Refused(N_('fine {code}'), code=code, hex=f'{ord(code):04X}')\n"
        "    calc.require(False, Message(N_('fine {code}'), code=code))\n"
        "    calc.step(f'{code} counted')\n"
        "    return Outcome(request, f'recorded {code}', trace=[])\n"
    )
    assert [p.split(": ", 1)[1] for p in formatted_refusals({"sample.py": sample})] == [
        "NotHere() given an f-string", "Refused() given a string not marked with N_",
        "Refused() parameter why is an f-string of words", "require() given an f-string",
        "refuse() given a string built with + or %", "step() given an f-string", "Outcome() given an f-string"]


@pytest.mark.parametrize("package", ["domain", "ledger"])
def test_refusals_are_message_ids_with_parameters(package: str) -> None:
    """docs/i18n.md: a refusal is ``Refused(N_("…{x}…"), x=value)``, never an f-string (the Chinese
    catalogue cannot translate a sentence formatted before it is looked up): in the domain and in the
    application's handlers."""
    root = ROOT / package
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}
    assert formatted_refusals(sources) == []


def test_english_kept_in_the_record_is_read_back_in_chinese():
    """A request's summary is stored as English text; a refusal quoting it shows it in the officer's
    language (its English stays as recorded)."""
    from domain.messages import Recorded

    summary = "registered party U1 山西师范大学 (高校), entered 2024-12-01"
    refusal = Refused(N_("request id {request_id} was already used for a different request ({kind}: {summary}); "
                         "nothing written"), request_id="R-1", kind="party.register", summary=Recorded(summary))
    assert summary in str(refusal)
    i18n.activate("zh")
    assert "已登记主体 U1 山西师范大学（高校），入驻日期 2024-12-01" in i18n.text(refusal)

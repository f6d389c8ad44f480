"""Messages in two languages: the catalogues are complete and current, the language is chosen
from --lang / JCG_LANG / the locale, and the domain's refusals carry ids the presentation translates."""

from __future__ import annotations

import gettext
import re

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
